// Parser of Go's text/template (text/template/parse/parse.go): items -> trees, one tree per
// template name (`define` and `block` add more). Error texts and the `template: NAME:LINE: msg`
// shape are Go's, so a broken template reports what `go run` would.
import { isKeyword, lex, type Item } from './lex.js';
import type {
  ActionNode, CommandNode, ElseNode, EndNode, ListNode, Node, NumberNode, PipeNode, TemplateNode,
  TreeRef, VariableNode,
} from './node.js';
import { nodeString } from './node.js';
import { parseNumberLiteral, TemplateError, unquoteGo } from './literals.js';

export { TemplateError, unquoteGo };

type WithoutTree<T> = T extends unknown ? Omit<T, 'tree'> : never;


export interface Tree extends TreeRef {
  root: ListNode;
}

/** Go's item String() for "unexpected X in Y" messages. */
function itemString(t: Item): string {
  if (t.type === 'EOF') return 'EOF';
  if (t.type === 'error') return t.val;
  if (isKeyword(t.type)) return `<${t.val}>`;
  const q = (s: string) => JSON.stringify(s);
  if ([...t.val].length > 10) return `${q([...t.val].slice(0, 10).join('')).slice(0, -1)}"...`;
  return q(t.val);
}

export interface ParseOptions {
  leftDelim?: string;
  rightDelim?: string;
  /** Names of the functions callable from the template (checked at parse time, as Go does). */
  funcs: ReadonlySet<string>;
}

/** Parse `text` as template `name`; returns every tree it defines (the main one under `name`). */
export function parse(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const items = lex(name, text, opts.leftDelim, opts.rightDelim);
  const trees = new Map<string, Tree>();
  const main = new Parser(name, name, text, items, opts.funcs, trees, { i: 0 });
  main.parseMain();
  return trees;
}

class Parser {
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  readonly tree: Tree;

  constructor(
    name: string,
    parseName: string,
    text: string,
    private readonly items: Item[],
    private readonly funcs: ReadonlySet<string>,
    private readonly treeSet: Map<string, Tree>,
    private readonly cursor: { i: number },
  ) {
    this.tree = { name, parseName, text, root: { type: 'list', nodes: [], pos: 0, tree: undefined as unknown as TreeRef } };
    this.tree.root.tree = this.tree;
  }

  // ---- item access (Go keeps 3 tokens of look-ahead; a shared cursor over the item list is the same)
  private next(): Item {
    const it = this.items[this.cursor.i] ?? this.items[this.items.length - 1]!;
    if (this.cursor.i < this.items.length) this.cursor.i++;
    this.lastItem = it;
    return it;
  }
  private lastItem: Item | undefined;
  private backup(n = 1): void {
    this.cursor.i -= n;
  }
  private peek(): Item {
    const it = this.items[this.cursor.i] ?? this.items[this.items.length - 1]!;
    this.lastItem = it;
    return it;
  }
  private nextNonSpace(): Item {
    let t: Item;
    do t = this.next();
    while (t.type === 'space');
    return t;
  }
  private peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private errorf(msg: string, line?: number): never {
    const l = line ?? this.lastItem?.line ?? 1;
    throw new TemplateError(`template: ${this.tree.parseName}:${l}: ${msg}`);
  }
  private expect(type: Item['type'], context: string): Item {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }
  private expectOneOf(a: Item['type'], b: Item['type'], context: string): Item {
    const t = this.nextNonSpace();
    if (t.type !== a && t.type !== b) this.unexpected(t, context);
    return t;
  }
  private unexpected(t: Item, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.tree.parseName}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(t)}${extra}`, t.line);
    }
    this.errorf(`unexpected ${itemString(t)} in ${context}`, t.line);
  }

  private node<T extends Node>(n: WithoutTree<T>): T {
    return { ...n, tree: this.tree } as unknown as T;
  }

  private add(): void {
    const existing = this.treeSet.get(this.tree.name);
    if (!existing || isEmptyTree(existing.root)) {
      this.treeSet.set(this.tree.name, this.tree);
      return;
    }
    if (!isEmptyTree(this.tree.root)) this.errorf(`template: multiple definition of template ${JSON.stringify(this.tree.name)}`);
  }

  parseMain(): void {
    this.tree.root = this.node<ListNode>({ type: 'list', nodes: [], pos: this.peek().pos });
    while (this.peek().type !== 'EOF') {
      if (this.peek().type === 'leftDelim') {
        const delimIndex = this.cursor.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          const def = new Parser('definition', this.tree.parseName, this.tree.text, this.items, this.funcs, this.treeSet, this.cursor);
          def.parseDefinition();
          continue;
        }
        this.cursor.i = delimIndex;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.tree.root.nodes.push(n);
    }
    this.add();
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf('string', 'rawString', context);
    try {
      this.tree.name = unquoteGo(name.val);
    } catch (err) {
      this.errorf((err as Error).message);
    }
    this.expect('rightDelim', context);
    const [list, end] = this.itemList();
    this.tree.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  private itemList(): [ListNode, Node] {
    const list = this.node<ListNode>({ type: 'list', nodes: [], pos: this.peekNonSpace().pos });
    while (this.peekNonSpace().type !== 'EOF') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return this.node({ type: 'text', pos: t.pos, text: t.val });
      case 'leftDelim': {
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block':
        return this.blockControl();
      case 'break':
        return this.breakControl(t.pos, t.line);
      case 'continue':
        return this.continueControl(t.pos, t.line);
      case 'else':
        return this.elseControl();
      case 'end':
        return this.endControl();
      case 'if':
        return this.ifControl();
      case 'range':
        return this.rangeControl();
      case 'template':
        return this.templateControl();
      case 'with':
        return this.withControl();
    }
    this.backup();
    const tok = this.peek();
    return this.node<ActionNode>({ type: 'action', pos: tok.pos, line: tok.line, pipe: this.pipeline('command', 'rightDelim') });
  }

  private breakControl(pos: number, line: number): Node {
    const t = this.nextNonSpace();
    if (t.type !== 'rightDelim') this.unexpected(t, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return this.node({ type: 'break', pos, line });
  }

  private continueControl(pos: number, line: number): Node {
    const t = this.nextNonSpace();
    if (t.type !== 'rightDelim') this.unexpected(t, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return this.node({ type: 'continue', pos, line });
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const tok = this.peekNonSpace();
    const pipe = this.node<PipeNode>({ type: 'pipe', pos: tok.pos, line: tok.line, isAssign: false, decl: [], cmds: [] });
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      this.nextNonSpace();
      const afterIndex = this.cursor.i;
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().type;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.type === 'space') {
        this.cursor.i = afterIndex - 1 - 0;
        // back up to the variable itself (it may have had spaces before it)
        while (this.items[this.cursor.i] !== v) this.cursor.i--;
      } else {
        while (this.items[this.cursor.i] !== v) this.cursor.i--;
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.type) {
        case 'bool': case 'charConstant': case 'complex': case 'dot': case 'field': case 'identifier':
        case 'number': case 'nil': case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]!.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private parseControl(context: 'if' | 'range' | 'with'): { pos: number; line: number; pipe: PipeNode; list: ListNode; elseList: ListNode | null } {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        if (context === 'if' && this.peek().type === 'if') {
          this.next();
          elseList = this.node<ListNode>({ type: 'list', nodes: [this.ifControl()], pos: next.pos });
        } else if (context === 'with' && this.peek().type === 'with') {
          this.next();
          elseList = this.node<ListNode>({ type: 'list', nodes: [this.withControl()], pos: next.pos });
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private ifControl(): Node {
    return this.node({ type: 'if', ...this.parseControl('if') });
  }
  private rangeControl(): Node {
    return this.node({ type: 'range', ...this.parseControl('range') });
  }
  private withControl(): Node {
    return this.node({ type: 'with', ...this.parseControl('with') });
  }
  private endControl(): EndNode {
    return this.node<EndNode>({ type: 'end', pos: this.expect('rightDelim', 'end').pos });
  }
  private elseControl(): ElseNode {
    const p = this.peekNonSpace();
    if (p.type === 'if' || p.type === 'with') return this.node<ElseNode>({ type: 'else', pos: p.pos, line: p.line });
    const t = this.expect('rightDelim', 'else');
    return this.node<ElseNode>({ type: 'else', pos: t.pos, line: t.line });
  }

  private parseTemplateName(t: Item, context: string): string {
    if (t.type === 'string' || t.type === 'rawString') {
      try {
        return unquoteGo(t.val);
      } catch (err) {
        this.errorf((err as Error).message);
      }
    }
    this.unexpected(t, context);
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return this.node<TemplateNode>({ type: 'template', pos: t.pos, line: t.line, name, pipe });
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const block = new Parser(name, this.tree.parseName, this.tree.text, this.items, this.funcs, this.treeSet, this.cursor);
    const [list, end] = block.itemList();
    block.tree.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    return this.node<TemplateNode>({ type: 'template', pos: t.pos, line: t.line, name, pipe });
  }

  private command(): CommandNode {
    const cmd = this.node<CommandNode>({ type: 'command', pos: this.peekNonSpace().pos, args: [] });
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().type === 'field') {
      const fields: string[] = [];
      const pos = this.peek().pos;
      while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field':
          node = this.node({ type: 'field', pos, ident: [...node.ident, ...fields] });
          break;
        case 'variable':
          node = this.node({ type: 'variable', pos, ident: [...node.ident, ...fields] });
          break;
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
        default:
          node = this.node({ type: 'chain', pos, node, field: fields });
      }
    }
    return node;
  }

  private term(): Node | null {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.funcs.has(t.val)) this.errorf(`function ${JSON.stringify(t.val)} not defined`);
        return this.node({ type: 'identifier', pos: t.pos, ident: t.val });
      case 'dot':
        return this.node({ type: 'dot', pos: t.pos });
      case 'nil':
        return this.node({ type: 'nil', pos: t.pos });
      case 'variable':
        return this.useVar(t.pos, t.val);
      case 'field':
        return this.node({ type: 'field', pos: t.pos, ident: t.val.slice(1).split('.') });
      case 'bool':
        return this.node({ type: 'bool', pos: t.pos, value: t.val === 'true' });
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.newNumber(t);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString': {
        let text: string;
        try {
          text = unquoteGo(t.val);
        } catch (err) {
          this.errorf((err as Error).message);
        }
        return this.node({ type: 'string', pos: t.pos, quoted: t.val, text });
      }
    }
    this.backup();
    return null;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return this.node<VariableNode>({ type: 'variable', pos, ident: name.split('.') });
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (this.vars.includes(v.ident[0]!)) return v;
    this.errorf(`undefined variable ${JSON.stringify(v.ident[0])}`);
  }

  private newNumber(t: Item): NumberNode {
    try {
      return this.node<NumberNode>({ type: 'number', pos: t.pos, text: t.val, isComplex: false, ...parseNumberLiteral(t) });
    } catch (err) {
      this.errorf((err as Error).message);
    }
  }
}
function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    case 'comment':
      return true;
    default:
      return false;
  }
}
