// Whether this node should process a query: every filter must match (node list contains our name;
// the tag's value matches the regular expression, unanchored as Go's regexp.MatchString).
// A filter that cannot be decoded or compiled, or of an unknown type, means "not for us".
// Go patterns are RE2; the few RE2-only spellings common in practice are mapped to JS syntax.
import { type QueryFilter, decodeFilter } from './codec.js';
import type { Tags } from './tags.js';
import type { SerfLogLevel } from './types.js';

export class FilterRegexError extends Error {
  override name = 'FilterRegexError';
}

/** Compile a Go (RE2) pattern as a JS RegExp; throws FilterRegexError if it cannot. */
export function compileGoRegexp(expr: string): RegExp {
  let source = expr;
  let flags = '';
  // RE2 allows a leading flag group like (?i) or (?is); JS wants those as RegExp flags.
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    const f = lead[1] as string;
    if (f.includes('U')) throw new FilterRegexError(`unsupported regexp flag U in ${JSON.stringify(expr)}`);
    flags = [...new Set(f)].join('');
    source = source.slice(lead[0].length);
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$');
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new FilterRegexError(e instanceof Error ? e.message : String(e));
  }
}

export function shouldProcessQuery(
  filters: readonly Uint8Array[],
  nodeName: string,
  tags: Tags,
  log: (level: SerfLogLevel, msg: string) => void,
): boolean {
  for (const raw of filters) {
    let filter: QueryFilter;
    try {
      filter = decodeFilter(raw);
    } catch (e) {
      log('warn', `serf: failed to decode query filter: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    if (filter.kind === 'node') {
      if (!filter.nodes.includes(nodeName)) return false;
      continue;
    }
    let re: RegExp;
    try {
      re = compileGoRegexp(filter.expr);
    } catch (e) {
      log('warn', `serf: failed to compile filter regex (${filter.expr}): ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    if (!re.test(tags[filter.tag] ?? '')) return false;
  }
  return true;
}
