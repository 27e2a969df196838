// HCL1 lexer: source text -> tokens (see index.ts for the whole dialect). Pure: no I/O.

export class HclError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(line > 0 ? `At ${line}:${column}: ${detail}` : detail);
    this.name = 'HclError';
  }
}

export type TokenType = 'IDENT' | 'STRING' | 'HEREDOC' | 'NUMBER' | 'FLOAT' | 'BOOL' | 'LBRACE' | 'RBRACE' | 'LBRACK' | 'RBRACK' | 'ASSIGN' | 'COMMA' | 'EOF';

export interface Token {
  type: TokenType;
  /** Source text (numbers, identifiers) or the decoded value (strings, heredocs). */
  text: string;
  line: number;
  column: number;
}

// ---------------------------------------------------------------------------------------------
// Lexer

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\x7f';

export class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;

  constructor(private readonly src: string) {}

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private advance(): string {
    const c = this.src[this.pos++] ?? '';
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  private fail(line: number, column: number, msg: string): never {
    throw new HclError(line, column, msg);
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\ufeff') {
        this.advance();
      } else if (c === '#' || (c === '/' && this.peek(1) === '/')) {
        while (this.pos < this.src.length && this.peek() !== '\n') this.advance();
      } else if (c === '/' && this.peek(1) === '*') {
        const line = this.line;
        const col = this.col;
        this.advance();
        this.advance();
        while (!(this.peek() === '*' && this.peek(1) === '/')) {
          if (this.pos >= this.src.length) this.fail(line, col, 'comment not terminated');
          this.advance();
        }
        this.advance();
        this.advance();
      } else {
        return;
      }
    }
  }

  next(): Token {
    this.skipSpaceAndComments();
    const line = this.line;
    const column = this.col;
    const tok = (type: TokenType, text: string): Token => ({ type, text, line, column });
    if (this.pos >= this.src.length) return tok('EOF', '');
    const c = this.peek();
    switch (c) {
      case '{':
        this.advance();
        return tok('LBRACE', '{');
      case '}':
        this.advance();
        return tok('RBRACE', '}');
      case '[':
        this.advance();
        return tok('LBRACK', '[');
      case ']':
        this.advance();
        return tok('RBRACK', ']');
      case '=':
        this.advance();
        return tok('ASSIGN', '=');
      case ',':
        this.advance();
        return tok('COMMA', ',');
      case '"':
        return tok('STRING', this.string(line, column));
      case '<':
        if (this.peek(1) === '<') return tok('HEREDOC', this.heredoc(line, column));
        break;
      default:
        break;
    }
    if (isDigit(c) || (c === '-' && isDigit(this.peek(1)))) return this.number(line, column);
    if (isLetter(c)) {
      let text = '';
      while (isLetter(this.peek()) || isDigit(this.peek()) || this.peek() === '-' || this.peek() === '.') text += this.advance();
      return tok(text === 'true' || text === 'false' ? 'BOOL' : 'IDENT', text);
    }
    return this.fail(line, column, `illegal char ${JSON.stringify(c)}`);
  }

  private number(line: number, column: number): Token {
    let text = '';
    if (this.peek() === '-') text += this.advance();
    if (this.peek() === '0' && (this.peek(1) === 'x' || this.peek(1) === 'X')) {
      text += this.advance() + this.advance();
      while (/[0-9a-fA-F]/.test(this.peek())) text += this.advance();
      return { type: 'NUMBER', text, line, column };
    }
    let float = false;
    while (isDigit(this.peek())) text += this.advance();
    if (this.peek() === '.' && isDigit(this.peek(1))) {
      float = true;
      text += this.advance();
      while (isDigit(this.peek())) text += this.advance();
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      const sign = this.peek(1) === '+' || this.peek(1) === '-' ? 1 : 0;
      if (isDigit(this.peek(1 + sign))) {
        float = true;
        text += this.advance();
        if (sign) text += this.advance();
        while (isDigit(this.peek())) text += this.advance();
      }
    }
    return { type: float ? 'FLOAT' : 'NUMBER', text, line, column };
  }

  /** A double-quoted string; `${...}` interpolations may contain quotes and are kept verbatim. */
  private string(line: number, column: number): string {
    this.advance(); // opening quote
    let out = '';
    let braces = 0;
    for (;;) {
      if (this.pos >= this.src.length) this.fail(line, column, 'literal not terminated');
      const c = this.peek();
      if (c === '\n' && braces === 0) this.fail(line, column, 'literal not terminated');
      if (c === '"' && braces === 0) {
        this.advance();
        return out;
      }
      if (c === '$' && this.peek(1) === '{') {
        braces++;
        out += this.advance() + this.advance();
        continue;
      }
      if (braces > 0 && c === '{') braces++;
      if (braces > 0 && c === '}') braces--;
      if (c === '\\') {
        const escLine = this.line;
        const escCol = this.col;
        this.advance();
        out += this.escape(escLine, escCol);
        continue;
      }
      out += this.advance();
    }
  }

  private escape(line: number, column: number): string {
    const c = this.advance();
    const hex = (n: number): string => {
      let digits = '';
      for (let i = 0; i < n; i++) {
        const d = this.peek();
        if (!/[0-9a-fA-F]/.test(d)) this.fail(line, column, 'illegal char escape');
        digits += this.advance();
      }
      const cp = Number.parseInt(digits, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail(line, column, 'escape sequence is invalid Unicode code point');
      return String.fromCodePoint(cp);
    };
    switch (c) {
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      case '\\':
        return '\\';
      case '"':
        return '"';
      case "'":
        return "'";
      case 'x':
        return hex(2);
      case 'u':
        return hex(4);
      case 'U':
        return hex(8);
      default:
        if (c >= '0' && c <= '7') {
          let digits = c;
          for (let i = 0; i < 2; i++) {
            if (!(this.peek() >= '0' && this.peek() <= '7')) this.fail(line, column, 'illegal char escape');
            digits += this.advance();
          }
          const v = Number.parseInt(digits, 8);
          if (v > 255) this.fail(line, column, 'octal escape value > 255');
          return String.fromCharCode(v);
        }
        return this.fail(line, column, 'unknown escape sequence');
    }
  }

  /** `<<EOF` ... `EOF`, or `<<-EOF` whose lines lose the closing marker's indentation. */
  private heredoc(line: number, column: number): string {
    this.advance();
    this.advance();
    const indent = this.peek() === '-';
    if (indent) this.advance();
    let anchor = '';
    while (isLetter(this.peek()) || isDigit(this.peek())) anchor += this.advance();
    if (anchor === '') this.fail(line, column, 'zero-length heredoc anchor');
    if (this.peek() === '\r') this.advance();
    if (this.peek() !== '\n') this.fail(line, column, 'invalid characters in heredoc anchor');
    this.advance();
    const lines: string[] = [];
    for (;;) {
      if (this.pos >= this.src.length) this.fail(line, column, 'heredoc not terminated');
      let text = '';
      while (this.pos < this.src.length && this.peek() !== '\n') text += this.advance();
      const body = text.replace(/\r$/, '');
      const isEnd = indent ? body.trim() === anchor && body.trimEnd().endsWith(anchor) : body === anchor;
      if (isEnd) {
        if (!indent) return lines.map((l) => `${l}\n`).join('');
        const prefix = body.slice(0, body.length - body.trimStart().length);
        if (lines.every((l) => l.startsWith(prefix))) return lines.map((l) => `${l.slice(prefix.length)}\n`).join('');
        return lines.map((l) => `${l}\n`).join('');
      }
      lines.push(body);
      if (this.pos >= this.src.length) this.fail(line, column, 'heredoc not terminated');
      this.advance(); // newline
    }
  }
}
