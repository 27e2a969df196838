// The JSON form of ACL rules, decoded as HCL1's JSON parser does (hcl/json/parser): errors carry
// `At <line>:<col>:` of the offending token, and an object key given twice keeps both values
// when they are objects (so `"key"` twice adds both sets of rules) while a scalar's last one wins.
// Pure. JSON.parse is not used because its errors do not say where, in every case, in V8.

export class JsonRulesError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(`At ${line}:${column}: ${detail}`);
    this.name = 'JsonRulesError';
  }
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

type Tok = { kind: 'LBRACE' | 'RBRACE' | 'LBRACK' | 'RBRACK' | 'COLON' | 'COMMA' | 'STRING' | 'NUMBER' | 'BOOL' | 'NULL' | 'EOF'; value: Json; line: number; col: number };

class Scanner {
  private pos = 0;
  private line = 1;
  private col = 1;

  constructor(private readonly src: string) {}

  private bump(n: number): void {
    for (let i = 0; i < n; i++) {
      if (this.src.charCodeAt(this.pos) === 10) {
        this.line++;
        this.col = 1;
      } else this.col++;
      this.pos++;
    }
  }

  next(): Tok {
    while (this.pos < this.src.length && /\s/u.test(this.src[this.pos]!)) this.bump(1);
    const line = this.line;
    const col = this.col;
    if (this.pos >= this.src.length) return { kind: 'EOF', value: null, line, col };
    const c = this.src[this.pos]!;
    const punct: Record<string, Tok['kind']> = { '{': 'LBRACE', '}': 'RBRACE', '[': 'LBRACK', ']': 'RBRACK', ':': 'COLON', ',': 'COMMA' };
    const p = punct[c];
    if (p !== undefined) {
      this.bump(1);
      return { kind: p, value: c, line, col };
    }
    const rest = this.src.slice(this.pos);
    const str = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/u.exec(rest);
    if (str) {
      this.bump(str[0].length);
      return { kind: 'STRING', value: JSON.parse(str[0]) as string, line, col };
    }
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/u.exec(rest);
    if (num) {
      this.bump(num[0].length);
      return { kind: 'NUMBER', value: Number(num[0]), line, col };
    }
    const word = /^(?:true|false|null)\b/u.exec(rest);
    if (word) {
      this.bump(word[0].length);
      return word[0] === 'null' ? { kind: 'NULL', value: null, line, col } : { kind: 'BOOL', value: word[0] === 'true', line, col };
    }
    if (c === '"') throw new JsonRulesError(line, col, 'literal not terminated');
    throw new JsonRulesError(line, col, `illegal char ${JSON.stringify(c)}`);
  }
}

class Parser {
  private tok: Tok;
  private readonly sc: Scanner;

  constructor(src: string) {
    this.sc = new Scanner(src);
    this.tok = this.sc.next();
  }

  private scan(): Tok {
    const t = this.tok;
    this.tok = this.sc.next();
    return t;
  }

  private fail(t: Tok, msg: string): never {
    throw new JsonRulesError(t.line, t.col, msg);
  }

  file(): { [k: string]: Json } {
    if (this.tok.kind !== 'LBRACE') this.fail(this.tok, `expected: LBRACE got: ${this.tok.kind}`);
    const root = this.object();
    const end = this.scan();
    if (end.kind !== 'EOF') this.fail(end, `expected: EOF got: ${end.kind}`);
    return root;
  }

  private object(): { [k: string]: Json } {
    this.scan(); // LBRACE
    const out: { [k: string]: Json } = {};
    if (this.tok.kind === 'RBRACE') {
      this.scan();
      return out;
    }
    for (;;) {
      const key = this.scan();
      if (key.kind !== 'STRING') this.fail(key, `expected: STRING got: ${key.kind}`);
      const colon = this.scan();
      if (colon.kind !== 'COLON') this.fail(colon, `expected: COLON got: ${colon.kind}`);
      addKey(out, key.value as string, this.value());
      const sep = this.scan();
      if (sep.kind === 'RBRACE') return out;
      if (sep.kind !== 'COMMA') this.fail(sep, `expected: COMMA or RBRACE got: ${sep.kind}`);
    }
  }

  private list(): Json[] {
    this.scan(); // LBRACK
    const out: Json[] = [];
    if (this.tok.kind === 'RBRACK') {
      this.scan();
      return out;
    }
    for (;;) {
      out.push(this.value());
      const sep = this.scan();
      if (sep.kind === 'RBRACK') return out;
      if (sep.kind !== 'COMMA') this.fail(sep, `error parsing list, expected comma or list end, got: ${sep.kind}`);
    }
  }

  private value(): Json {
    const t = this.tok;
    switch (t.kind) {
      case 'LBRACE':
        return this.object();
      case 'LBRACK':
        return this.list();
      case 'STRING':
      case 'NUMBER':
      case 'BOOL':
      case 'NULL':
        this.scan();
        return t.value;
      default:
        return this.fail(t, `Unknown token: ${t.line}:${t.col} ${t.kind} ${String(t.value)}`);
    }
  }
}

/** A repeated key: objects accumulate (as HCL1 keeps both items), anything else: the last wins. */
function addKey(out: { [k: string]: Json }, key: string, value: Json): void {
  const prev = out[key];
  const isBlock = (v: Json | undefined): boolean => typeof v === 'object' && v !== null;
  if (prev !== undefined && isBlock(prev) && isBlock(value)) {
    out[key] = [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(value) ? value : [value])];
  } else out[key] = value;
}

/** Decodes the JSON form of a rules text into plain values; throws JsonRulesError with a position. */
export function parseJsonRules(text: string): { [k: string]: Json } {
  return new Parser(text).file();
}
