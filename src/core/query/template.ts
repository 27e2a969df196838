// Prepared query templates (Consul: agent/consul/prepared_query/template.go): a query whose
// Template.Type is name_prefix_match answers every name that starts with its Name. The strings of
// its Service block are HIL templates over `name.full`, `name.prefix`, `name.suffix`,
// `agent.segment` and `match(N)` (the Nth group of Template.Regexp matched against the name).
// Only that subset of HIL is supported: variables and match() calls inside ${...}, and `$${` for a
// literal `${`.
import { TEMPLATE_NAME_PREFIX_MATCH, type PreparedQuery, type ServiceQuery } from './types.js';

export class TemplateError extends Error {}

type Piece = { lit: string } | { var: string } | { match: number };

/** Go regexp syntax differences that matter here: named groups are (?P<name>...). */
function goRegexp(src: string): RegExp {
  try {
    return new RegExp(src.replace(/\(\?P</g, '(?<'));
  } catch (err) {
    throw new TemplateError(`Bad Regexp: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

const VARS = new Set(['name.full', 'name.prefix', 'name.suffix', 'agent.segment']);

function parseHil(s: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let lit = '';
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      lit += '${';
      i += 3;
      continue;
    }
    if (!s.startsWith('${', i)) {
      lit += s[i];
      i++;
      continue;
    }
    const end = s.indexOf('}', i + 2);
    if (end < 0) throw new Error('expected "}" but found end of input');
    const expr = s.slice(i + 2, end).trim();
    if (lit) out.push({ lit });
    lit = '';
    const m = /^match\(\s*(\d+)\s*\)$/.exec(expr);
    if (m) out.push({ match: Number(m[1]) });
    else if (VARS.has(expr)) out.push({ var: expr });
    else throw new Error(`unknown variable accessed: ${expr}`);
    i = end + 1;
  }
  if (lit) out.push({ lit });
  return out;
}

/** The string fields of a Service block, by path, as Consul's walk visits them. */
function stringFields(svc: ServiceQuery): { path: string; get: () => string; set: (v: string) => void }[] {
  const fields: { path: string; get: () => string; set: (v: string) => void }[] = [
    { path: '.Service', get: () => svc.Service, set: (v) => (svc.Service = v) },
    { path: '.Near', get: () => svc.Near, set: (v) => (svc.Near = v) },
  ];
  const list = (name: 'Tags' | 'IgnoreCheckIDs'): void => {
    const arr = svc[name];
    if (arr) arr.forEach((_, i) => fields.push({ path: `.${name}[${i}]`, get: () => arr[i] as string, set: (v) => (arr[i] = v) }));
  };
  list('Tags');
  list('IgnoreCheckIDs');
  const dcs = svc.Failover.Datacenters;
  if (dcs) dcs.forEach((_, i) => fields.push({ path: `.Failover.Datacenters[${i}]`, get: () => dcs[i] as string, set: (v) => (dcs[i] = v) }));
  for (const mapName of ['NodeMeta', 'ServiceMeta'] as const) {
    const m = svc[mapName];
    if (m) for (const k of Object.keys(m)) fields.push({ path: `.${mapName}[${k}]`, get: () => m[k] as string, set: (v) => (m[k] = v) });
  }
  return fields;
}

export class CompiledTemplate {
  private constructor(
    private readonly query: PreparedQuery,
    private readonly trees: Map<string, Piece[]>,
    private readonly re: RegExp | undefined,
  ) {}

  /** Validates a template query (Consul: prepared_query.Compile), including a trial render. */
  static compile(query: PreparedQuery): CompiledTemplate {
    if (query.Template.Type !== TEMPLATE_NAME_PREFIX_MATCH) throw new TemplateError(`Bad Template.Type '${query.Template.Type}'`);
    const proto = structuredClone(query);
    const trees = new Map<string, Piece[]>();
    for (const f of stringFields(proto.Service)) {
      try {
        trees.set(f.path, parseHil(f.get()));
      } catch (err) {
        throw new TemplateError(`Bad format '${f.get()}' in Service${f.path}: ${(err as Error).message}`);
      }
    }
    const re = proto.Template.Regexp !== '' ? goRegexp(proto.Template.Regexp) : undefined;
    const ct = new CompiledTemplate(proto, trees, re);
    ct.render(proto.Name, '');
    return ct;
  }

  /** The query as it applies to `name` (e.g. the `foo-bar` of foo-bar.query.consul). */
  render(name: string, segment: string): PreparedQuery {
    const q = structuredClone(this.query);
    const groups = this.re?.exec(name) ?? null;
    const vars: Record<string, string> = {
      'name.full': name,
      'name.prefix': q.Name,
      'name.suffix': name.startsWith(q.Name) ? name.slice(q.Name.length) : name,
      'agent.segment': segment,
    };
    for (const f of stringFields(q.Service)) {
      const tree = this.trees.get(f.path);
      if (!tree) continue;
      f.set(tree.map((p) => ('lit' in p ? p.lit : 'var' in p ? (vars[p.var] ?? '') : (groups?.[p.match] ?? ''))).join(''));
    }
    if (q.Template.RemoveEmptyTags && q.Service.Tags) q.Service.Tags = q.Service.Tags.filter((t) => t !== '');
    return q;
  }
}
