// Go's predefined template functions (text/template funcs.go): comparison, logic, len, index,
// slice, print/printf/println, html/js/urlquery, call. Errors carry Go's texts; the executor
// prefixes them with "error calling NAME: ".
import { sprint, sprintf, sprintln } from './fmt.js';
import { type FuncMap, type GoFunc, variadic } from './exec.js';
import { isTrue, kindOf, typeName } from './values.js';

type BasicKind = 'bool' | 'int' | 'float' | 'string';

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

function basicKind(v: unknown): BasicKind | null {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : null;
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new Error(errNoComparison);
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      const valid1 = arg1 !== undefined && arg1 !== null;
      const valid2 = arg !== undefined && arg !== null;
      if (valid1 && valid2) throw new Error(errBadComparison);
    } else if (k1 !== null) {
      truth = arg1 === arg;
    } else {
      const nil1 = arg1 === undefined || arg1 === null;
      const nil2 = arg === undefined || arg === null;
      if (nil1 || nil2) truth = nil1 === nil2;
      else {
        const kind = kindOf(arg1);
        if (kind === 'slice' || kind === 'map' || kind === 'func') {
          throw new Error(`non-comparable type ${typeName(arg1)}: ${typeName(arg1)}`);
        }
        truth = arg1 === arg;
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  if (k1 === null) throw new Error(errBadComparisonType);
  const k2 = basicKind(b);
  if (k2 === null) throw new Error(errBadComparisonType);
  if (k1 !== k2) throw new Error(errBadComparison);
  if (k1 === 'bool') throw new Error(errBadComparisonType);
  if (k1 === 'string') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0;
  return (a as number) < (b as number);
}

function le(a: unknown, b: unknown): boolean {
  if (lt(a, b)) return true;
  return eq(a, b);
}

function len(item: unknown): number {
  switch (kindOf(item)) {
    case 'string':
      return Buffer.byteLength(item as string);
    case 'slice':
      return (item as unknown[]).length;
    case 'map':
      return item instanceof Map ? item.size : Object.keys(item as object).length;
    case 'nil':
    case 'invalid':
      throw new Error('len of nil pointer');
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index);
  if (k === 'invalid' || k === 'nil') throw new Error('cannot index slice/array with nil');
  if (k !== 'int') throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  const x = index as number;
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let cur = item;
  if (cur === undefined || cur === null) throw new Error('index of untyped nil');
  for (const ix of indexes) {
    if (cur === null || cur === undefined) throw new Error('index of nil pointer');
    switch (kindOf(cur)) {
      case 'slice':
      case 'string': {
        const isString = typeof cur === 'string';
        const length = isString ? Buffer.byteLength(cur as string) : (cur as unknown[]).length;
        const x = indexArg(ix, length);
        if (x === length) throw new Error(`reflect: ${isString ? 'string' : 'slice'} index out of range`);
        cur = isString ? Buffer.from(cur as string)[x] : (cur as unknown[])[x];
        break;
      }
      case 'map': {
        if (cur instanceof Map) {
          cur = cur.has(ix) ? cur.get(ix) : undefined;
          break;
        }
        if (typeof ix !== 'string') {
          if (ix === null || ix === undefined) throw new Error('value is nil; should be of type string');
          throw new Error(`value has type ${typeName(ix)}; should be string`);
        }
        const m = cur as Record<string, unknown>;
        cur = Object.prototype.hasOwnProperty.call(m, ix) ? m[ix] : typeName(m) === 'map[string]string' ? '' : undefined;
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur === null ? undefined : cur;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  if (k !== 'string' && k !== 'slice') throw new Error(`can't slice item of type ${typeName(item)}`);
  if (k === 'string' && indexes.length > 2) throw new Error('cannot 3-index slice a string');
  const length = k === 'string' ? Buffer.byteLength(item as string) : (item as unknown[]).length;
  const idx = [0, length];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, length);
  });
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (k === 'string') return Buffer.from(item as string).subarray(idx[0], idx[1]).toString('utf8');
  return (item as unknown[]).slice(idx[0], idx[1]);
}

/** Go's evalArgs for html/js/urlquery: one string as is, otherwise fmt.Sprint of the operands. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined ? '<no value>' : a)));
}

export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) =>
    c === '\0' ? '\uFFFD' : c === '"' ? '&#34;' : c === "'" ? '&#39;' : c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;',
  );
}

export function jsEscapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (cp < 0x20) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (cp < 0x80 || /[\p{L}\p{N}\p{P}\p{S}\p{Zs}]/u.test(ch)) out += ch;
    else out += cp > 0xffff ? ch : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

const fixed = <F extends (...a: never[]) => unknown>(fn: F): GoFunc => fn as GoFunc;

export const BUILTINS: FuncMap = {
  and: variadic((_a: unknown, ..._rest: unknown[]) => undefined, 1),
  or: variadic((_a: unknown, ..._rest: unknown[]) => undefined, 1),
  not: fixed((a: unknown) => !isTrue(a)),
  call: variadic(call, 1),
  eq: variadic(eq, 1),
  ne: fixed((a: unknown, b: unknown) => !eq(a, b)),
  lt: fixed(lt),
  le: fixed(le),
  gt: fixed((a: unknown, b: unknown) => !le(a, b)),
  ge: fixed((a: unknown, b: unknown) => !lt(a, b)),
  len: fixed(len),
  index: variadic(index, 1),
  slice: variadic(slice, 1),
  print: variadic((...a: unknown[]) => sprint(a.map((x) => (x === undefined ? null : x)))),
  printf: variadic((format: unknown, ...a: unknown[]) => {
    if (typeof format !== 'string') throw new Error(`wrong type for value; expected string; got ${typeName(format)}`);
    return sprintf(format, a.map((x) => (x === undefined ? null : x)));
  }, 1),
  println: variadic((...a: unknown[]) => sprintln(a.map((x) => (x === undefined ? null : x)))),
  html: variadic((...a: unknown[]) => htmlEscapeString(evalArgs(a))),
  js: variadic((...a: unknown[]) => jsEscapeString(evalArgs(a))),
  urlquery: variadic((...a: unknown[]) => queryEscape(evalArgs(a))),
};
