// HCL1 parser and generic decoder: tokens -> Go-style interface{} values (lists of maps for
// blocks), as hashicorp/hcl's decoder produces them. Pure: no I/O.
import { HclError, Lexer, type Token, type TokenType } from './lexer.js';

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
