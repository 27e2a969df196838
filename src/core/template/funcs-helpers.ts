// consul-template's helper functions (template/funcs.go, scratch.go): strings, JSON, grouping,
// math, env, timestamp and the scratch pad. Argument order follows consul-template, so that
// pipelines read the same (`{{ 5 | subtract 2 }}` is 3).
import { createHash } from 'node:crypto';
import { KeyPair } from './dependency/index.js';
import { type FuncMap, GO_TYPE, isTrue, kindOf, typeName, variadic } from './text/index.js';
import { goJson } from './json.js';
import { formatGoTime } from './gotime.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** The scratch pad: a per-template key/value store (consul-template template/scratch.go). */
export class Scratch {
  static goType = '*template.Scratch';
  private readonly values = new Map<string, unknown>();
  Key(k: string): boolean {
    return this.values.has(k);
  }
  Get(k: string): unknown {
    return this.values.get(k);
  }
  Set(k: string, v: unknown): string {
    this.values.set(k, v);
    return '';
  }
  SetX(k: string, v: unknown): string {
    if (!this.values.has(k)) this.values.set(k, v);
    return '';
  }
  MapSet(k: string, mk: string, v: unknown): string {
    return this.mapSet(k, mk, v, true);
  }
  MapSetX(k: string, mk: string, v: unknown): string {
    return this.mapSet(k, mk, v, false);
  }
  private mapSet(k: string, mk: string, v: unknown, override: boolean): string {
    let m = this.values.get(k) as Record<string, unknown> | undefined;
    if (m === undefined) {
      m = {};
      this.values.set(k, m);
    }
    if (kindOf(m) !== 'map') throw new Error(`${JSON.stringify(k)} is not a map`);
    if (override || !(mk in m)) m[mk] = v;
    return '';
  }
  MapValues(k: string): unknown[] {
    const m = this.values.get(k);
    if (m === undefined) return [];
    if (kindOf(m) !== 'map') throw new Error(`${JSON.stringify(k)} is not a map`);
    return Object.keys(m as object)
      .sort()
      .map((key) => (m as Record<string, unknown>)[key]);
  }
}

function inList(l: unknown, v: unknown): boolean {
  switch (kindOf(l)) {
    case 'slice':
      return (l as unknown[]).some((x) => x === v);
    case 'string':
      return (l as string).includes(str(v));
    case 'map':
      return Object.prototype.hasOwnProperty.call(l, str(v));
    default:
      throw new Error(`in: cannot find in type ${typeName(l)}`);
  }
}

type MathOp = (a: number, b: number) => number;
function math(name: string, op: MathOp, intOp?: MathOp) {
  // consul-template's math helpers take (b, a) and compute a OP b.
  return (b: unknown, a: unknown): number => {
    const toNum = (v: unknown): number => {
      if (typeof v === 'number') return v;
      throw new Error(`${name}: unknown type for ${JSON.stringify(String(v))} (${typeName(v)})`);
    };
    const x = toNum(a);
    const y = toNum(b);
    if (Number.isInteger(x) && Number.isInteger(y) && intOp) return intOp(x, y);
    return op(x, y);
  };
}

function byTag(input: unknown): Record<string, unknown[]> {
  const m: Record<string, unknown[]> = {};
  if (input === undefined || input === null) return m;
  if (!Array.isArray(input)) throw new Error(`byTag: wrong argument type ${typeName(input)}`);
  for (const s of input) {
    const tags = (s as { Tags?: unknown }).Tags;
    if (!Array.isArray(tags)) throw new Error(`byTag: wrong argument type ${typeName(input)}`);
    for (const t of tags as string[]) (m[t] ??= []).push(s);
  }
  return m;
}

function byKey(pairs: unknown): Record<string, Record<string, KeyPair>> {
  const m: Record<string, Record<string, KeyPair>> = {};
  for (const p of (pairs ?? []) as KeyPair[]) {
    const parts = p.Key.split('/');
    const top = parts[0]!;
    const key = parts.slice(1).join('/');
    if (key === '') continue;
    (m[top] ??= {})[key] = new KeyPair(p.Path, key, p.Value, p.CreateIndex, p.ModifyIndex, p.LockIndex, p.Flags, p.Session);
  }
  return m;
}

function explode(pairs: unknown): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const helper = (into: Record<string, unknown>, k: string, v: unknown, p: string): void => {
    if (k.includes('/')) {
      const parts = k.split('/');
      const top = parts[0]!;
      const rest = parts.slice(1).join('/');
      if (!(top in into)) into[top] = {};
      const nest = into[top];
      if (kindOf(nest) !== 'map') throw new Error(`explode: not a map: ${JSON.stringify(p)}: ${JSON.stringify(top)} already has value ${JSON.stringify(nest)}`);
      helper(nest as Record<string, unknown>, rest, v, k);
      return;
    }
    if (k !== '') into[k] = v;
  };
  for (const p of (pairs ?? []) as KeyPair[]) helper(m, p.Key, p.Value, p.Key);
  return m;
}

/** Go's regexp replacement syntax ($1, ${1}, ${name}) in JS form. */
function goReplacement(pl: string): string {
  return pl.replace(/\$\{(\w+)\}/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`));
}

export function helperFuncs(env: NodeJS.ProcessEnv): FuncMap {
  const scratch = new Scratch();
  return {
    scratch: () => scratch,
    base64Decode: (s: unknown) => {
      const v = str(s);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw new Error('base64Decode: illegal base64 data at input byte 0');
      return Buffer.from(v, 'base64').toString('utf8');
    },
    base64Encode: (s: unknown) => Buffer.from(str(s)).toString('base64'),
    base64URLDecode: (s: unknown) => Buffer.from(str(s), 'base64url').toString('utf8'),
    base64URLEncode: (s: unknown) => Buffer.from(str(s)).toString('base64url').padEnd(Math.ceil(Buffer.from(str(s)).length / 3) * 4, '='),
    byKey,
    byTag,
    byPort: (input: unknown) => {
      const m = new Map<number, unknown[]>();
      for (const s of (input ?? []) as Array<{ Port: number }>) m.set(s.Port, [...(m.get(s.Port) ?? []), s]);
      return m;
    },
    contains: (v: unknown, l: unknown) => inList(l, v),
    in: (l: unknown, v: unknown) => inList(l, v),
    containsAll: (v: unknown, l: unknown) => ((v ?? []) as unknown[]).every((x) => inList(l, x)),
    containsAny: (v: unknown, l: unknown) => ((v ?? []) as unknown[]).some((x) => inList(l, x)),
    containsNone: (v: unknown, l: unknown) => !((v ?? []) as unknown[]).some((x) => inList(l, x)),
    containsNotAll: (v: unknown, l: unknown) => !((v ?? []) as unknown[]).every((x) => inList(l, x)),
    env: (k: unknown) => env[str(k)] ?? '',
    mustEnv: (k: unknown) => {
      const v = env[str(k)];
      if (v === undefined) throw new Error(`mustEnv: environment variable ${JSON.stringify(str(k))} not set`);
      return v;
    },
    envOrDefault: (k: unknown, def: unknown) => env[str(k)] ?? str(def),
    explode,
    indent: (spaces: unknown, s: unknown) => {
      if (typeof spaces !== 'number' || spaces < 0) throw new Error('indent value must be a positive integer');
      const pad = ' '.repeat(spaces);
      return str(s)
        .split('\n')
        .map((l) => (l === '' ? l : pad + l))
        .join('\n');
    },
    loop: variadic((...args: unknown[]) => {
      const nums = args.map((a) => Number(a));
      if (nums.length === 1) return Array.from({ length: Math.max(0, nums[0]!) }, (_v, i) => i);
      if (nums.length === 2) return Array.from({ length: Math.max(0, nums[1]! - nums[0]!) }, (_v, i) => nums[0]! + i);
      throw new Error(`loop: wrong number of arguments, expected 1 or 2, but got ${args.length}`);
    }),
    join: (sep: unknown, a: unknown) => ((a ?? []) as unknown[]).map(str).join(str(sep)),
    split: (sep: unknown, s: unknown) => {
      const t = str(s).trim();
      return t === '' ? [] : t.split(str(sep));
    },
    splitToMap: (sep1: unknown, sep2: unknown, s: unknown) => {
      const out: Record<string, string> = {};
      const t = str(s).trim();
      if (t === '') return out;
      for (const part of t.split(str(sep1))) {
        const i = part.indexOf(str(sep2));
        if (i >= 0) out[part.slice(0, i)] = part.slice(i + str(sep2).length);
      }
      return out;
    },
    trim: (cutset: unknown, s: unknown) => {
      const set = [...str(cutset)];
      const chars = [...str(s)];
      let a = 0;
      let b = chars.length;
      while (a < b && set.includes(chars[a]!)) a++;
      while (b > a && set.includes(chars[b - 1]!)) b--;
      return chars.slice(a, b).join('');
    },
    trimPrefix: (p: unknown, s: unknown) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
    trimSuffix: (p: unknown, s: unknown) => (str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s)),
    trimSpace: (s: unknown) => str(s).trim(),
    parseBool: (s: unknown) => {
      const v = str(s);
      if (v === '') return false;
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
      throw new Error(`parseBool: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
    },
    parseFloat: (s: unknown) => {
      const v = str(s);
      if (v === '') return 0;
      const n = Number(v);
      if (Number.isNaN(n)) throw new Error(`parseFloat: strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
      return n;
    },
    parseInt: (s: unknown) => {
      const v = str(s);
      if (v === '') return 0;
      if (!/^[+-]?\d+$/.test(v)) throw new Error(`parseInt: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
      return Number.parseInt(v, 10);
    },
    parseUint: (s: unknown) => {
      const v = str(s);
      if (v === '') return 0;
      if (!/^\+?\d+$/.test(v)) throw new Error(`parseUint: strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
      return Number.parseInt(v, 10);
    },
    parseJSON: (s: unknown) => {
      const v = str(s);
      if (v === '') return {};
      try {
        return JSON.parse(v) as unknown;
      } catch (err) {
        throw new Error(`parseJSON: ${(err as Error).message}`);
      }
    },
    regexMatch: (re: unknown, s: unknown) => new RegExp(str(re)).test(str(s)),
    regexReplaceAll: (re: unknown, pl: unknown, s: unknown) => str(s).replace(new RegExp(str(re), 'g'), goReplacement(str(pl))),
    replaceAll: (f: unknown, t: unknown, s: unknown) => str(s).split(str(f)).join(str(t)),
    sha256Hex: (s: unknown) => createHash('sha256').update(str(s)).digest('hex'),
    md5sum: (s: unknown) => createHash('md5').update(str(s)).digest('hex'),
    timestamp: variadic((...s: unknown[]) => {
      if (s.length > 1) throw new Error(`timestamp: wrong number of arguments, expected 0 or 1, but got ${s.length}`);
      const now = new Date();
      if (s.length === 0) return formatGoTime(now, '2006-01-02T15:04:05Z07:00');
      if (s[0] === 'unix') return String(Math.floor(now.getTime() / 1000));
      return formatGoTime(now, str(s[0]));
    }),
    toLower: (s: unknown) => str(s).toLowerCase(),
    toUpper: (s: unknown) => str(s).toUpperCase(),
    toTitle: (s: unknown) => str(s).replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
    toJSON: (v: unknown) => goJson(v, false, true),
    toJSONPretty: (v: unknown) => goJson(v, true, true),
    toUnescapedJSON: (v: unknown) => goJson(v, false, false),
    toUnescapedJSONPretty: (v: unknown) => goJson(v, true, false),
    add: math('add', (a, b) => a + b),
    subtract: math('subtract', (a, b) => a - b),
    multiply: math('multiply', (a, b) => a * b),
    divide: math('divide', (a, b) => a / b, (a, b) => {
      if (b === 0) throw new Error('runtime error: integer divide by zero');
      return Math.trunc(a / b);
    }),
    modulo: math('modulo', (a, b) => a % b, (a, b) => {
      if (b === 0) throw new Error('runtime error: integer divide by zero');
      return a % b;
    }),
    minimum: math('minimum', (a, b) => Math.min(a, b)),
    maximum: math('maximum', (a, b) => Math.max(a, b)),
  };
}

export { GO_TYPE, isTrue };
