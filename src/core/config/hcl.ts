// HCL (version 1, the dialect of Consul's configuration files) -> plain JSON-like values.
//
// Two steps, as in Consul (agent/config/config.go Parse):
//  1. parseHcl: the generic HCL1 decode into interface{} values. Blocks and object values become
//     *lists of maps* (`service { name = "web" }` -> {service: [{name: "web"}]}); a repeated key
//     appends to such a list, so repeated blocks accumulate; `key "label" { }` nests the label as a
//     key ({key: [{label: [{...}]}]}); other repeated keys: the last one wins.
//  2. patchSliceOfMaps: Consul's fix-up that turns each one-element list of maps back into a map,
//     except for the keys that really are lists (services, checks, watches, ...).
// Syntax: `key = value`, `key { ... }`, `key "label" { ... }`, strings with escapes and `${...}`
// kept verbatim, heredocs (`<<EOF`, `<<-EOF`), numbers (decimal, 0x hex, 0 octal, floats), bools,
// lists `[a, b,]`, objects `{ a = 1, b = 2 }`, comments `#`, `//`, `/* */`.
// Pure: no I/O. Errors are HclError with Consul's `At <line>:<col>: <message>` prefix.

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

type TokenType = 'IDENT' | 'STRING' | 'HEREDOC' | 'NUMBER' | 'FLOAT' | 'BOOL' | 'LBRACE' | 'RBRACE' | 'LBRACK' | 'RBRACK' | 'ASSIGN' | 'COMMA' | 'EOF';

interface Token {
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

class Lexer {
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

// ---------------------------------------------------------------------------------------------
// Parser: the HCL1 AST (object lists of items with one or more keys).

type Node =
  | { kind: 'object'; items: Item[]; line: number; column: number }
  | { kind: 'list'; elems: Node[]; line: number; column: number }
  | { kind: 'literal'; token: Token; line: number; column: number };

interface Item {
  keys: string[];
  val: Node;
  line: number;
  column: number;
}

const DESCRIBE: Record<TokenType, string> = {
  IDENT: 'IDENT',
  STRING: 'STRING',
  HEREDOC: 'HEREDOC',
  NUMBER: 'NUMBER',
  FLOAT: 'FLOAT',
  BOOL: 'BOOL',
  LBRACE: 'LBRACE',
  RBRACE: 'RBRACE',
  LBRACK: 'LBRACK',
  RBRACK: 'RBRACK',
  ASSIGN: 'ASSIGN',
  COMMA: 'COMMA',
  EOF: 'EOF',
};

class Parser {
  private tok: Token;
  private readonly lexer: Lexer;

  constructor(src: string) {
    this.lexer = new Lexer(src);
    this.tok = this.lexer.next();
  }

  private scan(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private fail(t: Token, msg: string): never {
    throw new HclError(t.line, t.column, msg);
  }

  parseFile(): Node {
    const items = this.objectItems('EOF');
    return { kind: 'object', items, line: 1, column: 1 };
  }

  private objectItems(end: 'EOF' | 'RBRACE'): Item[] {
    const items: Item[] = [];
    while (this.tok.type !== end) {
      if (this.tok.type === 'EOF') this.fail(this.tok, 'object expected closing RBRACE got: EOF');
      items.push(this.objectItem());
      if (this.tok.type === 'COMMA') this.scan();
    }
    return items;
  }

  private objectItem(): Item {
    const first = this.tok;
    const keys: string[] = [];
    for (;;) {
      const t = this.tok;
      if (t.type === 'IDENT' || t.type === 'STRING') {
        keys.push(t.text);
        this.scan();
        continue;
      }
      if (keys.length === 0) this.fail(t, `expected: IDENT | STRING got: ${DESCRIBE[t.type]}`);
      if (t.type === 'ASSIGN') {
        if (keys.length > 1) this.fail(t, `nested object expected: LBRACE got: ${DESCRIBE[t.type]}`);
        this.scan();
        return { keys, val: this.value(), line: first.line, column: first.column };
      }
      if (t.type === 'LBRACE') return { keys, val: this.object(), line: first.line, column: first.column };
      return this.fail(t, `key '${keys.join(' ')}' expected start of object ('{') or assignment ('=')`);
    }
  }

  private object(): Node {
    const open = this.scan(); // LBRACE
    const items = this.objectItems('RBRACE');
    this.scan(); // RBRACE
    return { kind: 'object', items, line: open.line, column: open.column };
  }

  private list(): Node {
    const open = this.scan(); // LBRACK
    const elems: Node[] = [];
    let needComma = false;
    for (;;) {
      const t = this.tok;
      if (t.type === 'RBRACK') {
        this.scan();
        return { kind: 'list', elems, line: open.line, column: open.column };
      }
      if (t.type === 'EOF') this.fail(t, 'list expected closing RBRACK got: EOF');
      if (needComma) {
        if (t.type !== 'COMMA') this.fail(t, `error parsing list, expected comma or list end, got: ${DESCRIBE[t.type]}`);
        this.scan();
        needComma = false;
        continue;
      }
      if (t.type === 'COMMA') this.fail(t, 'error parsing list, unexpected comma');
      elems.push(this.value());
      needComma = true;
    }
  }

  private value(): Node {
    const t = this.tok;
    switch (t.type) {
      case 'STRING':
      case 'HEREDOC':
      case 'NUMBER':
      case 'FLOAT':
      case 'BOOL':
        this.scan();
        return { kind: 'literal', token: t, line: t.line, column: t.column };
      case 'LBRACE':
        return this.object();
      case 'LBRACK':
        return this.list();
      default:
        return this.fail(t, `Unknown token: ${t.line}:${t.column} ${DESCRIBE[t.type]} ${t.text}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoder: HCL1's decode into interface{} (hcl/decoder.go semantics, reimplemented).

/** A decoded value: what Go's interface{} would hold (int/float64/string/bool/slices/maps). */
type HclValue = string | number | boolean | HclValue[] | { [key: string]: HclValue };
type HclMap = { [key: string]: HclValue };

class Decoder {
  /** Lists created for object values ([]map[string]interface{}): later elements must be maps too. */
  private readonly mapSlices = new WeakSet<HclValue[]>();

  private fail(node: { line: number; column: number }, msg: string): never {
    throw new HclError(node.line, node.column, msg);
  }

  decodeRoot(root: Node): HclMap {
    return this.decodeMap('root', root, {});
  }

  private literal(name: string, node: Extract<Node, { kind: 'literal' }>): HclValue {
    const t = node.token;
    switch (t.type) {
      case 'BOOL':
        return t.text === 'true';
      case 'FLOAT':
        return Number.parseFloat(t.text);
      case 'NUMBER':
        return parseGoInt(t.text, node, name);
      default:
        return t.text;
    }
  }

  /** Decode `node` where an interface{} (possibly holding `existing`) is the target. */
  private decodeInto(name: string, node: Node, existing: HclValue | undefined, parent: 'map' | 'slice'): HclValue {
    if (existing !== undefined) {
      if (Array.isArray(existing)) return this.decodeSlice(name, node, existing, this.mapSlices.has(existing));
      if (typeof existing === 'object') return this.decodeMap(name, node, existing);
      // A scalar already set: decoded again with the old value's type, so the last one wins.
      if (node.kind !== 'literal') this.fail(node, `${name}: unknown type ${node.kind === 'list' ? '*ast.ListType' : '*ast.ObjectType'}`);
      const v = this.literal(name, node);
      if (typeof existing === 'string' && typeof v === 'number') return node.token.text;
      return v;
    }
    switch (node.kind) {
      case 'literal':
        return this.literal(name, node);
      case 'list':
        return this.decodeSlice(name, node, [], false);
      case 'object':
        if (parent === 'slice') return this.decodeMap(name, node, {});
        return this.decodeSlice(name, node, this.newMapSlice(), true);
    }
  }

  private newMapSlice(): HclValue[] {
    const arr: HclValue[] = [];
    this.mapSlices.add(arr);
    return arr;
  }

  private decodeSlice(name: string, node: Node, into: HclValue[], ofMaps: boolean): HclValue[] {
    const out = [...into];
    if (ofMaps) this.mapSlices.add(out);
    let elems: Array<Node | Item>;
    if (node.kind === 'object') elems = [node];
    else if (node.kind === 'list') elems = node.elems;
    else return this.fail(node, 'unknown slice type: *ast.LiteralType');
    elems.forEach((elem, i) => {
      const field = `${name}[${i}]`;
      if (ofMaps) out.push(this.decodeMap(field, elem, {}));
      else if ('keys' in elem) out.push(this.decodeMap(field, elem, {}));
      else out.push(this.decodeInto(field, elem, undefined, 'slice'));
    });
    return out;
  }

  /** Decode an object (or a single item, or a filtered item list) into a map. */
  private decodeMap(name: string, node: Node | Item, into: HclMap): HclMap {
    let items: Item[];
    if ('keys' in node) items = [node];
    else if (node.kind === 'object') items = node.items;
    else return this.fail(node, `${name}: not an object type for map (${node.kind === 'list' ? '*ast.ListType' : '*ast.LiteralType'})`);
    const out: HclMap = { ...into };
    const done = new Set<string>();
    for (const item of items) {
      if (item.keys.length === 0) this.fail(item, `${name}: map must have string keys`);
      const key = item.keys[0]!;
      if (done.has(key)) continue;
      if (item.keys.length > 1) {
        // Every item under this first key, with the key stripped, decoded together.
        const nested = items
          .filter((i) => i.keys.length >= 1 && i.keys[0]!.toLowerCase() === key.toLowerCase())
          .map((i) => ({ ...i, keys: i.keys.slice(1) }));
        done.add(key);
        out[key] = this.decodeItemList(`${name}.${key}`, nested, out[key]);
        continue;
      }
      out[key] = this.decodeInto(`${name}.${key}`, item.val, out[key], 'map');
    }
    return out;
  }

  /** A filtered object list (`key "label" { }` items): one map per item, in a list of maps. */
  private decodeItemList(name: string, items: Item[], existing: HclValue | undefined): HclValue[] {
    if (existing !== undefined && !Array.isArray(existing)) this.fail(items[0]!, `${name}: unknown type *ast.ObjectList`);
    const out = Array.isArray(existing) ? [...existing] : this.newMapSlice();
    this.mapSlices.add(out);
    items.forEach((item, i) => out.push(this.decodeMap(`${name}[${i}]`, item, {})));
    return out;
  }
}

/** strconv.ParseInt(text, 0, 0): decimal, 0x hex, leading-0 octal. */
function parseGoInt(text: string, node: { line: number; column: number }, name: string): number {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) v = Number.parseInt(body.slice(2), 16);
  else if (/^0[0-7]+$/.test(body)) v = Number.parseInt(body.slice(1), 8);
  else if (/^\d+$/.test(body)) v = Number.parseInt(body, 10);
  else throw new HclError(node.line, node.column, `${name}: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  return neg ? -v : v;
}

/** The generic HCL1 decode of a whole file into interface{} values (objects as lists of maps). */
export function parseHcl(src: string): Record<string, unknown> {
  const root = new Parser(src).parseFile();
  return new Decoder().decodeRoot(root);
}

// ---------------------------------------------------------------------------------------------
// Consul's fix-up (lib.PatchSliceOfMaps, reimplemented).

/** Keys (dot paths) that are real lists of objects in Consul's config and stay lists. */
export const CONSUL_LIST_KEYS: readonly string[] = [
  'checks',
  'segments',
  'service.checks',
  'services',
  'services.checks',
  'watches',
  'service.connect.proxy.config.upstreams',
  'services.connect.proxy.config.upstreams',
  'service.connect.proxy.upstreams',
  'services.connect.proxy.upstreams',
  'service.proxy.upstreams',
  'services.proxy.upstreams',
  'service.connect.sidecar_service.checks',
  'services.connect.sidecar_service.checks',
  'service.connect.sidecar_service.proxy.upstreams',
  'services.connect.sidecar_service.proxy.upstreams',
];

/** Subtrees left exactly as decoded. */
export const CONSUL_SKIP_TREES: readonly string[] = ['config_entries.bootstrap'];

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turn every one-element list of maps into the map itself, except under the `skip` paths (kept as
 * lists, their elements patched) and `skipTree` paths (kept as they are). An empty list becomes
 * null; a longer list of maps where a single object is expected is an error.
 */
export function patchSliceOfMaps(
  m: Record<string, unknown>,
  skip: readonly string[] = CONSUL_LIST_KEYS,
  skipTree: readonly string[] = CONSUL_SKIP_TREES,
): Record<string, unknown> {
  const lowerSkip = new Set(skip.map((s) => s.toLowerCase()));
  const lowerTree = new Set(skipTree.map((s) => s.toLowerCase()));
  const patch = (name: string, v: unknown): unknown => {
    if (isMap(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = patch(name === '' ? k : `${name}.${k}`, inner);
      return out;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return null;
      const lower = name.toLowerCase();
      if (lowerTree.has(lower)) return v;
      if (lowerSkip.has(lower)) return v.map((item) => patch(name, item));
      if (!isMap(v[0])) return v;
      if (v.length > 1) throw new HclError(0, 0, `${name}: []map[string]interface{} with more than one element not supported`);
      return patch(name, v[0]);
    }
    return v;
  };
  return patch('', m) as Record<string, unknown>;
}

/** An HCL config file as Consul reads it: HCL1 decode, then the list fix-up. */
export function parseConsulHcl(src: string): Record<string, unknown> {
  return patchSliceOfMaps(parseHcl(src));
}
