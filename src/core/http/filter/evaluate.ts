// Evaluating a go-bexpr AST against the JSON shape of an API object.
//
// Selectors name JSON fields (PascalCase, matched case-insensitively as a fallback). A field that
// does not exist on a struct is an error (Consul validates selectors against the type); a missing
// key of a map field (Meta, NodeMeta, ServiceMeta, TaggedAddresses...) is just empty. A selector
// that crosses a list of objects (health/service `Checks.Status`) matches if any element does.
import { FilterError, type Ast, type MatchOp, type Selector } from './parse.js';

const MAP_FIELDS = new Set(['meta', 'nodemeta', 'servicemeta', 'taggedaddresses', 'servicetaggedaddresses', 'definition', 'header']);

const MISSING = Symbol('missing');
type Resolved = unknown[];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return MISSING;
}

/** All values the selector reaches (several when it crosses a list of objects). */
function resolve(root: unknown, sel: Selector): Resolved {
  let current: unknown[] = [root];
  let inMap = false;
  for (const part of sel) {
    const next: unknown[] = [];
    for (const v of current) {
      const items = Array.isArray(v) && v.some(isPlainObject) ? v : [v];
      for (const item of items) {
        if (!isPlainObject(item)) {
          if (item === MISSING || item === undefined || item === null) next.push(MISSING);
          else throw new FilterError(`Selector "${sel.join('.')}" is not valid`);
          continue;
        }
        const got = field(item, part);
        if (got === MISSING && !inMap) throw new FilterError(`Selector "${sel.join('.')}" is not valid`);
        next.push(got);
      }
    }
    inMap = MAP_FIELDS.has(part.toLowerCase());
    current = next;
  }
  return current;
}

function isEmpty(v: unknown): boolean {
  if (v === MISSING || v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}

function equals(v: unknown, want: string): boolean {
  if (v === MISSING || v === null || v === undefined) return want === '';
  if (Array.isArray(v) || isPlainObject(v)) throw new FilterError('cannot compare a collection with ==; use "in" or "contains"');
  if (typeof v === 'number') return Number(want) === v;
  if (typeof v === 'boolean') return String(v) === want.toLowerCase();
  return String(v) === want;
}

function contains(v: unknown, want: string): boolean {
  if (Array.isArray(v)) return v.some((x) => String(x) === want);
  if (isPlainObject(v)) return Object.prototype.hasOwnProperty.call(v, want);
  if (typeof v === 'string') return v.includes(want);
  return false;
}

const regexCache = new Map<string, RegExp>();
function matches(v: unknown, pattern: string): boolean {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern);
    } catch (err) {
      throw new FilterError(`invalid regular expression "${pattern}": ${(err as Error).message}`);
    }
    regexCache.set(pattern, re);
  }
  return typeof v === 'string' && re.test(v);
}

function matchOne(op: MatchOp, v: unknown, value: string): boolean {
  switch (op) {
    case 'eq':
      return equals(v, value);
    case 'ne':
      return !equals(v, value);
    case 'empty':
      return isEmpty(v);
    case 'notEmpty':
      return !isEmpty(v);
    case 'in':
    case 'contains':
      return contains(v, value);
    case 'notIn':
    case 'notContains':
      return !contains(v, value);
    case 'matches':
      return matches(v, value);
    case 'notMatches':
      return !matches(v, value);
  }
}

const NEGATIVE: ReadonlySet<MatchOp> = new Set(['ne', 'notEmpty', 'notIn', 'notContains', 'notMatches']);

export function evaluate(ast: Ast, obj: unknown): boolean {
  switch (ast.t) {
    case 'or':
      return evaluate(ast.left, obj) || evaluate(ast.right, obj);
    case 'and':
      return evaluate(ast.left, obj) && evaluate(ast.right, obj);
    case 'not':
      return !evaluate(ast.inner, obj);
    case 'match': {
      const values = resolve(obj, ast.selector);
      // Across a list: a positive match needs one element, a negative one needs every element.
      return NEGATIVE.has(ast.op) ? values.every((v) => matchOne(ast.op, v, ast.value)) : values.some((v) => matchOne(ast.op, v, ast.value));
    }
  }
}
