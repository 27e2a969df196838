// Go's fmt.Sprintf / Sprint / Sprintln for the verbs templates use (%v %+v %s %q %d %x %X %o %b
// %c %U %e %E %f %F %g %G %t %T %%), with flags (+ - # space 0), width, precision and `*`, and
// fmt's error forms: %!d(string=x), %!d(MISSING), %!(EXTRA int=1), %!(NOVERB).
// One deviation: JS has one number type, so %f/%e/%g also accept integral numbers (Go would
// print %!f(int=5) for a Go int; a JSON float64 5 is formatted as a float).
import { formatFloatV, formatV, goExp, kindOf, mapEntries, structFields, typeName } from './values.js';

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp === 0xfffd) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  if (spec.minus) return s + ' '.repeat(w - len);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    const body = sign ? s.slice(1) : s;
    const prefix = /^0[xXbo]/.test(body) && spec.sharp ? body.slice(0, 2) : '';
    return sign + prefix + '0'.repeat(w - len) + body.slice(prefix.length);
  }
  return ' '.repeat(w - len) + s;
}

function signed(s: string, neg: boolean, spec: Spec): string {
  if (neg) return `-${s}`;
  if (spec.plus) return `+${s}`;
  if (spec.space) return ` ${s}`;
  return s;
}

function badVerb(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatV(v)})`;
}

function fmtInt(n: number, verb: string, spec: Spec): string {
  const neg = n < 0;
  const a = BigInt(Math.trunc(Math.abs(n)));
  let body: string;
  switch (verb) {
    case 'd':
    case 'v':
      body = a.toString(10);
      break;
    case 'x':
      body = (spec.sharp ? '0x' : '') + a.toString(16);
      break;
    case 'X':
      body = (spec.sharp ? '0X' : '') + a.toString(16).toUpperCase();
      break;
    case 'o':
      body = (spec.sharp ? '0' : '') + a.toString(8);
      break;
    case 'O':
      body = `0o${a.toString(8)}`;
      break;
    case 'b':
      body = a.toString(2);
      break;
    default:
      body = a.toString(10);
  }
  if (spec.prec !== undefined) body = body.padStart(spec.prec, '0');
  return pad(signed(body, neg, spec), spec, spec.prec === undefined);
}

function fmtFloat(f: number, verb: string, spec: Spec): string {
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  let body: string;
  if (!Number.isFinite(a)) body = Number.isNaN(a) ? 'NaN' : 'Inf';
  else
    switch (verb) {
      case 'f':
      case 'F':
        body = a.toFixed(spec.prec ?? 6);
        break;
      case 'e':
      case 'E':
        body = goExp(a.toExponential(spec.prec ?? 6));
        if (verb === 'E') body = body.toUpperCase();
        break;
      case 'g':
      case 'G':
      case 'v': {
        if (spec.prec === undefined) body = formatFloatV(a);
        else {
          const p = spec.prec === 0 ? 1 : spec.prec;
          const e = Number(a.toExponential(p - 1).split('e')[1]);
          body = e < -4 || e >= p ? goExp(trimZeros(a.toExponential(p - 1))) : trimZeros(a.toPrecision(p));
        }
        if (verb === 'G') body = body.toUpperCase();
        break;
      }
      default:
        body = String(a);
    }
  if (Number.isNaN(f)) return pad(spec.plus ? '+NaN' : 'NaN', spec, false);
  return pad(signed(body, neg, spec), spec, Number.isFinite(a));
}

function trimZeros(s: string): string {
  const [m, e] = s.split('e') as [string, string | undefined];
  const t = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
  return e === undefined ? t : `${t}e${e}`;
}

function fmtString(s: string, verb: string, spec: Spec): string {
  let str = s;
  if (spec.prec !== undefined && (verb === 's' || verb === 'v' || verb === 'q')) str = [...str].slice(0, spec.prec).join('');
  switch (verb) {
    case 's':
    case 'v':
      return pad(str, spec, false);
    case 'q':
      return pad(spec.sharp && !str.includes('`') ? `\`${str}\`` : goQuote(str), spec, false);
    case 'x':
    case 'X': {
      let hex = Buffer.from(str, 'utf8').toString('hex');
      if (verb === 'X') hex = hex.toUpperCase();
      return pad(hex, spec, false);
    }
    default:
      return badVerb(verb, s);
  }
}

/** Format one operand under one verb. */
export function formatOne(v: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(typeName(v), spec, false);
  if (verb === 'v' && spec.sharp) return pad(goSyntax(v), spec, false);
  const kind = kindOf(v);
  switch (kind) {
    case 'invalid':
    case 'nil':
      return verb === 'v' || verb === 's' ? pad(verb === 'v' ? '<nil>' : '%!s(<nil>)', spec, false) : badVerb(verb, null);
    case 'bool':
      return verb === 't' || verb === 'v' ? pad(String(v), spec, false) : badVerb(verb, v);
    case 'int': {
      const n = v as number;
      if ('dvxXobO'.includes(verb)) return fmtInt(n, verb, spec);
      if (verb === 'c') return pad(String.fromCodePoint(n), spec, false);
      if (verb === 'q') return pad(`'${String.fromCodePoint(n)}'`, spec, false);
      if (verb === 'U') return pad(`U+${n.toString(16).toUpperCase().padStart(4, '0')}`, spec, false);
      if ('eEfFgG'.includes(verb)) return fmtFloat(n, verb, spec);
      return badVerb(verb, v);
    }
    case 'float':
      if ('eEfFgGv'.includes(verb)) return fmtFloat(v as number, verb, spec);
      return badVerb(verb, v);
    case 'string':
      return fmtString(v as string, verb, spec);
    case 'slice':
      if (verb === 's' || verb === 'v' || verb === 'q' || verb === 'd' || verb === 'x') {
        return `[${(v as unknown[]).map((e) => formatOne(e, verb, { ...spec, width: undefined })).join(' ')}]`;
      }
      return badVerb(verb, v);
    case 'map':
      if (verb === 'v' || verb === 's' || verb === 'd') {
        return `map[${mapEntries(v)
          .map(([k, e]) => `${formatOne(k, verb, { ...spec, width: undefined })}:${formatOne(e, verb, { ...spec, width: undefined })}`)
          .join(' ')}]`;
      }
      return badVerb(verb, v);
    case 'struct':
      if (verb === 'v' || verb === 's') return pad(formatV(v, spec.plus), spec, false);
      return badVerb(verb, v);
    case 'func':
      return badVerb(verb, v);
  }
}

/** %#v, approximately: Go syntax for basic values, slices and maps. */
function goSyntax(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'string':
      return goQuote(v as string);
    case 'slice':
      return `[]interface {}{${(v as unknown[]).map(goSyntax).join(', ')}}`;
    case 'map':
      return `map[string]interface {}{${mapEntries(v).map(([k, e]) => `${goSyntax(k)}:${goSyntax(e)}`).join(', ')}}`;
    case 'struct':
      return `&${typeName(v).replace(/^\*/, '')}{${structFields(v as object).map(([k, e]) => `${k}:${goSyntax(e)}`).join(', ')}}`;
    default:
      return formatV(v);
  }
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    const spec: Spec = { plus: false, minus: false, sharp: false, space: false, zero: false };
    flags: while (i < n) {
      switch (format[i]) {
        case '+':
          spec.plus = true;
          break;
        case '-':
          spec.minus = true;
          break;
        case '#':
          spec.sharp = true;
          break;
        case ' ':
          spec.space = true;
          break;
        case '0':
          spec.zero = !spec.minus;
          break;
        default:
          break flags;
      }
      i++;
    }
    if (format[i] === '*') {
      i++;
      const w = args[argNum++];
      if (typeof w === 'number' && Number.isInteger(w)) {
        spec.width = Math.abs(w);
        if (w < 0) spec.minus = true;
      } else out += '%!(BADWIDTH)';
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = args[argNum++];
        if (typeof p === 'number' && Number.isInteger(p) && p >= 0) spec.prec = p;
        else out += '%!(BADPREC)';
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(args[argNum++], verb, spec);
  }
  if (argNum < args.length) {
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatV(a)}`))
      .join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatV(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatV(a)).join(' ')}\n`;
}
