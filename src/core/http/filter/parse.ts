// The `?filter=` expression language (go-bexpr, as Consul uses it): lexer and parser to an AST.
//
//   expr     := and ('or' and)*
//   and      := unary ('and' unary)*
//   unary    := 'not' unary | '(' expr ')' | match
//   match    := selector ('==' | '!=') value
//             | selector 'is' ['not'] 'empty'
//             | value ['not'] 'in' selector
//             | selector ['not'] ('contains' | 'matches') value
//   selector := ident ('.' ident | '[' string ']')*
// Precedence: not > and > or. Keywords are lower case. Values: "double" (escapes) or `raw`
// strings, numbers, true/false, or bare identifier-like words.

export type Selector = readonly string[];

export type MatchOp = 'eq' | 'ne' | 'empty' | 'notEmpty' | 'in' | 'notIn' | 'contains' | 'notContains' | 'matches' | 'notMatches';

export type Ast =
  | { readonly t: 'or' | 'and'; readonly left: Ast; readonly right: Ast }
  | { readonly t: 'not'; readonly inner: Ast }
  | { readonly t: 'match'; readonly op: MatchOp; readonly selector: Selector; readonly value: string };

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

type Token =
  | { k: 'ident'; v: string; at: number }
  | { k: 'string'; v: string; at: number }
  | { k: 'number'; v: string; at: number }
  | { k: 'op'; v: '==' | '!=' | '(' | ')' | '.' | '[' | ']'; at: number }
  | { k: 'end'; v: ''; at: number };

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === '!') {
      if (src[i + 1] !== '=') throw new FilterError(`1:${i + 1}: invalid operator "${c}"`);
      out.push({ k: 'op', v: c === '=' ? '==' : '!=', at: i });
      i += 2;
    } else if ('()[].'.includes(c)) {
      out.push({ k: 'op', v: c as '(' | ')' | '[' | ']' | '.', at: i });
      i++;
    } else if (c === '"' || c === '`') {
      const [value, end] = c === '"' ? readQuoted(src, i) : readRaw(src, i);
      out.push({ k: 'string', v: value, at: i });
      i = end;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new FilterError(`1:${i + 1}: invalid number`);
      out.push({ k: 'number', v: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_\-/:]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ k: 'ident', v: m[0], at: i });
      i += m[0].length;
    } else {
      throw new FilterError(`1:${i + 1}: no match found, expected: expression`);
    }
  }
  out.push({ k: 'end', v: '', at: src.length });
  return out;
}

function readQuoted(src: string, start: number): [string, number] {
  let i = start + 1;
  let raw = '"';
  while (i < src.length && src[i] !== '"') {
    if (src[i] === '\\') raw += src[i++];
    raw += src[i++];
  }
  if (i >= src.length) throw new FilterError(`1:${start + 1}: unterminated string`);
  try {
    return [JSON.parse(raw + '"') as string, i + 1];
  } catch {
    throw new FilterError(`1:${start + 1}: invalid string escape`);
  }
}

function readRaw(src: string, start: number): [string, number] {
  const end = src.indexOf('`', start + 1);
  if (end < 0) throw new FilterError(`1:${start + 1}: unterminated raw string`);
  return [src.slice(start + 1, end), end + 1];
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  // The end token repeats forever, so looking past it is safe.
  private peek(): Token {
    return this.toks[Math.min(this.pos, this.toks.length - 1)] as Token;
  }
  private next(): Token {
    const t = this.peek();
    this.pos++;
    return t;
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t.k === 'ident' && t.v === w;
  }
  private fail(expected: string): never {
    const t = this.peek();
    throw new FilterError(`1:${t.at + 1}: no match found, expected: ${expected}`);
  }

  parse(): Ast {
    const ast = this.or();
    if (this.peek().k !== 'end') this.fail('"and", "or" or end of input');
    return ast;
  }

  private or(): Ast {
    let left = this.and();
    while (this.isWord('or')) {
      this.next();
      left = { t: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Ast {
    let left = this.unary();
    while (this.isWord('and')) {
      this.next();
      left = { t: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Ast {
    if (this.isWord('not')) {
      this.next();
      return { t: 'not', inner: this.unary() };
    }
    const t = this.peek();
    if (t.k === 'op' && t.v === '(') {
      this.next();
      const inner = this.or();
      const close = this.next();
      if (close.k !== 'op' || close.v !== ')') this.fail('")"');
      return inner;
    }
    return this.match();
  }

  private match(): Ast {
    const first = this.peek();
    // `value [not] in selector`: a value first is recognised by what follows it.
    if (first.k === 'string' || first.k === 'number' || (first.k === 'ident' && this.lookaheadIn())) {
      const value = this.next().v;
      const negate = this.isWord('not');
      if (negate) this.next();
      if (!this.isWord('in')) this.fail('"in"');
      this.next();
      return { t: 'match', op: negate ? 'notIn' : 'in', selector: this.selector(), value };
    }
    const selector = this.selector();
    const t = this.next();
    if (t.k === 'op' && (t.v === '==' || t.v === '!=')) return { t: 'match', op: t.v === '==' ? 'eq' : 'ne', selector, value: this.value() };
    if (t.k === 'ident' && t.v === 'is') {
      const negate = this.isWord('not');
      if (negate) this.next();
      if (!this.isWord('empty')) this.fail('"empty"');
      this.next();
      return { t: 'match', op: negate ? 'notEmpty' : 'empty', selector, value: '' };
    }
    let negate = false;
    let word = t;
    if (t.k === 'ident' && t.v === 'not') {
      negate = true;
      word = this.next();
    }
    if (word.k === 'ident' && word.v === 'contains') return { t: 'match', op: negate ? 'notContains' : 'contains', selector, value: this.value() };
    if (word.k === 'ident' && word.v === 'matches') return { t: 'match', op: negate ? 'notMatches' : 'matches', selector, value: this.value() };
    this.pos--;
    return this.fail('"==", "!=", "is", "contains", "matches", "in"');
  }

  private lookaheadIn(): boolean {
    const a = this.toks[this.pos + 1];
    const b = this.toks[this.pos + 2];
    return (a?.k === 'ident' && a.v === 'in') || (a?.k === 'ident' && a.v === 'not' && b?.k === 'ident' && b.v === 'in');
  }

  private selector(): Selector {
    const head = this.next();
    if (head.k !== 'ident') this.fail('selector');
    const parts = [head.v];
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && t.v === '.') {
        this.next();
        const id = this.next();
        if (id.k !== 'ident') this.fail('identifier');
        parts.push(id.v);
      } else if (t.k === 'op' && t.v === '[') {
        this.next();
        const key = this.next();
        if (key.k !== 'string') this.fail('string');
        const close = this.next();
        if (close.k !== 'op' || close.v !== ']') this.fail('"]"');
        parts.push(key.v);
      } else {
        return parts;
      }
    }
  }

  private value(): string {
    const t = this.next();
    if (t.k === 'string' || t.k === 'number' || t.k === 'ident') return t.v;
    this.pos--;
    return this.fail('value');
  }
}

export function parseFilter(src: string): Ast {
  return new Parser(lex(src)).parse();
}
