// Go's encoding/json syntax errors for text that JSON.parse refused (Consul parses .json config
// with json.Unmarshal, agent/config/source.go, and HTTP bodies with json.Decoder, agent/http.go).
// JSON.parse does the work; only when it fails do we rescan the text with a checker that follows
// Go's scanner (encoding/json/scanner.go) to name the byte and the context the way Go does, and we
// add the line and column, which Go's message leaves out.

export interface JsonSyntaxError {
  /** Go's text, e.g. `invalid character '}' looking for beginning of value`. */
  message: string;
  /** 1-based line and column (in characters) of the offending byte, or of the end of input. */
  line: number;
  column: number;
}

/** Go's quoteChar: the byte as a quoted Go character literal. */
export function goQuoteChar(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return '\'"\'';
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  const n = named[byte];
  if (n !== undefined) return `'${n}'`;
  if (byte < 0x20 || byte === 0x7f) return `'\\x${byte.toString(16).padStart(2, '0')}'`;
  // A byte >= 0x80 is shown as the rune of that value, as Go's string(byte) does.
  if (byte >= 0x80 && byte < 0xa0) return `'\\u${byte.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(byte)}'`;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

class SyntaxFailure extends Error {
  constructor(
    readonly text: string,
    readonly at: number,
  ) {
    super(text);
  }
}

/** A recursive-descent checker with Go's scanner messages; throws SyntaxFailure. */
class GoJsonChecker {
  private i = 0;
  constructor(private readonly b: Uint8Array) {}

  check(): void {
    this.value();
    this.skipSpace();
    if (this.i < this.b.length) this.fail('after top-level value');
  }

  private peek(): number {
    if (this.i >= this.b.length) throw new SyntaxFailure('unexpected end of JSON input', this.b.length);
    return this.b[this.i] as number;
  }

  private fail(context: string): never {
    throw new SyntaxFailure(`invalid character ${goQuoteChar(this.peek())} ${context}`, this.i);
  }

  private skipSpace(): void {
    while (this.i < this.b.length && isSpace(this.b[this.i] as number)) this.i++;
  }

  private value(): void {
    this.skipSpace();
    const c = this.peek();
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x74) return this.literal('true');
    if (c === 0x66) return this.literal('false');
    if (c === 0x6e) return this.literal('null');
    this.fail('looking for beginning of value');
  }

  private object(): void {
    this.i++;
    this.skipSpace();
    if (this.peek() === 0x7d) return void this.i++;
    for (;;) {
      this.skipSpace();
      if (this.peek() !== 0x22) this.fail('looking for beginning of object key string');
      this.string();
      this.skipSpace();
      if (this.peek() !== 0x3a) this.fail('after object key');
      this.i++;
      this.value();
      this.skipSpace();
      const c = this.peek();
      if (c === 0x7d) return void this.i++;
      if (c !== 0x2c) this.fail('after object key:value pair');
      this.i++;
    }
  }

  private array(): void {
    this.i++;
    this.skipSpace();
    if (this.peek() === 0x5d) return void this.i++;
    for (;;) {
      this.value();
      this.skipSpace();
      const c = this.peek();
      if (c === 0x5d) return void this.i++;
      if (c !== 0x2c) this.fail('after array element');
      this.i++;
    }
  }

  private string(): void {
    this.i++;
    for (;;) {
      const c = this.peek();
      if (c === 0x22) return void this.i++;
      if (c < 0x20) this.fail('in string literal');
      this.i++;
      if (c !== 0x5c) continue;
      const e = this.peek();
      if ('bfnrt\\/"'.includes(String.fromCharCode(e))) {
        this.i++;
      } else if (e === 0x75) {
        this.i++;
        for (let k = 0; k < 4; k++) {
          if (!isHex(this.peek())) this.fail('in \\u hexadecimal character escape');
          this.i++;
        }
      } else {
        this.fail('in string escape code');
      }
    }
  }

  private digits(context: string): void {
    if (!isDigit(this.peek())) this.fail(context);
    while (this.i < this.b.length && isDigit(this.b[this.i] as number)) this.i++;
  }

  private number(): void {
    if (this.peek() === 0x2d) this.i++;
    if (this.peek() === 0x30) this.i++;
    else this.digits('in numeric literal');
    if (this.i < this.b.length && this.b[this.i] === 0x2e) {
      this.i++;
      this.digits('after decimal point in numeric literal');
    }
    if (this.i < this.b.length && (this.b[this.i] === 0x65 || this.b[this.i] === 0x45)) {
      this.i++;
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.i++;
      this.digits('in exponent of numeric literal');
    }
  }

  private literal(word: string): void {
    this.i++;
    for (const ch of word.slice(1)) {
      if (this.peek() !== ch.charCodeAt(0)) this.fail(`in literal ${word} (expecting '${ch}')`);
      this.i++;
    }
  }
}

/** Line and column (1-based; column counts characters) of a byte offset. */
function position(b: Uint8Array, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = 0; k < at && k < b.length; k++) {
    if (b[k] === 0x0a) {
      line++;
      start = k + 1;
    }
  }
  const column = Buffer.from(b.subarray(start, at)).toString('utf8').length + 1;
  return { line, column };
}

/** Go's syntax error for text that JSON.parse refused, or undefined if Go's scanner accepts it. */
export function goJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const b = Buffer.from(text, 'utf8');
  try {
    new GoJsonChecker(b).check();
    return undefined;
  } catch (err) {
    if (!(err instanceof SyntaxFailure)) throw err;
    return { message: err.text, ...position(b, err.at) };
  }
}

/** Go's name of a decoded JSON value's kind, for `json: cannot unmarshal X into ...`. */
export function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}
