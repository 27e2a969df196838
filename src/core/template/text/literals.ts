// Literals of Go templates: strconv.Unquote for strings and character constants, and number
// constants as text/template/parse reads them (ints in any base, floats, runes).
import type { Item } from './lex.js';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Go's strconv.Unquote for "..." and `...` (and '...' for character constants). */
export function unquoteGo(s: string): string {
  const q = s[0];
  if (s.length < 2 || s[s.length - 1] !== q) throw new TemplateError('invalid syntax');
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new TemplateError('invalid syntax');
    return body.replace(/\r/g, '');
  }
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      if (c === q || c === '\n') throw new TemplateError('invalid syntax');
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e === undefined) throw new TemplateError('invalid syntax');
    if (simple[e] !== undefined) out += simple[e];
    else if (e === q) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new TemplateError('invalid syntax');
      const v = Number.parseInt(hex, 16);
      if (e === 'x') out += Buffer.from([v]).toString('latin1');
      else out += String.fromCodePoint(v);
      i += n;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new TemplateError('invalid syntax');
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
    } else throw new TemplateError('invalid syntax');
  }
  return out;
}

/** The value of a number or character constant item; throws with Go's message. */
export function parseNumberLiteral(t: Item): { isInt: boolean; isFloat: boolean; value: number } {
  if (t.type === 'charConstant') {
    let rune: string;
    try {
      rune = unquoteGo(t.val);
    } catch {
      throw new TemplateError(`malformed character constant: ${t.val}`);
    }
    const cp = rune.codePointAt(0);
    if (cp === undefined || [...rune].length !== 1) throw new TemplateError(`malformed character constant: ${t.val}`);
    return { isInt: true, isFloat: true, value: cp };
  }
  if (t.type === 'complex') throw new TemplateError(`illegal number syntax: ${JSON.stringify(t.val)}`);
  const text = t.val.replace(/_/g, '');
  if (/^[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(text)) {
    const neg = text.startsWith('-');
    const body = text.replace(/^[+-]/, '');
    let v: number;
    if (/^0[xX]/.test(body)) v = Number.parseInt(body.slice(2), 16);
    else if (/^0[oO]/.test(body)) v = Number.parseInt(body.slice(2), 8);
    else if (/^0[bB]/.test(body)) v = Number.parseInt(body.slice(2), 2);
    else if (/^0[0-7]+$/.test(body)) v = Number.parseInt(body.slice(1), 8);
    else v = Number.parseInt(body, 10);
    return { isInt: true, isFloat: true, value: neg ? -v : v };
  }
  if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(text)) {
    const v = Number(text);
    return { isInt: Number.isInteger(v), isFloat: true, value: v };
  }
  throw new TemplateError(`illegal number syntax: ${JSON.stringify(t.val)}`);
}
