// Execution of parsed templates (Go's text/template exec.go): pipelines, variables, field and
// method evaluation, range/if/with/template, and errors of the form
//   template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE
import { errorContext, nodeString } from './node.js';
import type {
  ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, PipeNode, RangeNode, TemplateNode, VariableNode,
} from './node.js';
import type { Tree } from './parse.js';
import { formatV, GO_TYPE, isPlainObject, isTrue, kindOf, mapEntries, typeName } from './values.js';

/** A function callable from templates. Throwing an Error reports `error calling NAME: message`. */
export type GoFunc = ((...args: never[]) => unknown) & { variadic?: boolean; minArgs?: number };
export type FuncMap = Record<string, GoFunc>;

/** Mark a function variadic (the fixed parameters are its first `minArgs`). */
export function variadic<F extends (...args: never[]) => unknown>(fn: F, minArgs = 0): F & { variadic: true; minArgs: number } {
  return Object.assign(fn, { variadic: true as const, minArgs });
}

export type MissingKey = 'default' | 'invalid' | 'zero' | 'error';

export class ExecError extends Error {
  override name = 'ExecError';
}

const MISSING = Symbol('missing');
type Final = unknown;
class BreakSignal {}
class ContinueSignal {}
// Go allows 100,000 nested template calls; a JS stack holds far fewer frames, and deep recursion
// through a template that grows its data costs seconds per call chain (found by fuzzing). 200 is
// beyond any template consul-template users write.
const MAX_DEPTH = 200;
/** The largest string one function call may return (a guard against geometric growth). */
const MAX_VALUE_CHARS = 16 * 1024 * 1024;

interface Variable {
  name: string;
  value: unknown;
}

export interface ExecEnv {
  trees: ReadonlyMap<string, Tree>;
  funcs: FuncMap;
  builtins: ReadonlySet<string>;
  missingKey: MissingKey;
}

export function execute(env: ExecEnv, name: string, data: unknown): string {
  const tree = env.trees.get(name);
  if (!tree) throw new ExecError(`template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(name)}`);
  const st = new State(env, tree, [{ name: '$', value: data }], 0);
  st.walk(data, tree.root);
  return st.out.join('');
}

class State {
  node: Node | null = null;
  out: string[];

  constructor(
    private readonly env: ExecEnv,
    private readonly tmpl: Tree,
    private vars: Variable[],
    private readonly depth: number,
    out?: string[],
  ) {
    this.out = out ?? [];
  }

  private at(n: Node): void {
    this.node = n;
  }

  errorf(msg: string): never {
    const name = this.tmpl.name;
    if (!this.node) throw new ExecError(`template: ${name}: ${msg}`);
    const { location, context } = errorContext(this.node);
    throw new ExecError(`template: ${location}: executing ${JSON.stringify(name)} at <${context}>: ${msg}`);
  }

  // ---- variables
  private mark(): number {
    return this.vars.length;
  }
  private pop(mark: number): void {
    this.vars.length = mark;
  }
  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  // ---- walking
  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'comment':
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(node.type, dot, node.pipe, node.list, node.elseList);
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(kind: 'if' | 'with', dot: unknown, pipe: PipeNode, list: ListNode, elseList: ListNode | null): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      if (isTrue(val)) {
        if (kind === 'with') this.walk(val, list);
        else this.walk(dot, list);
      } else if (elseList) {
        this.walk(dot, elseList);
      }
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const one = (index: unknown, elem: unknown): boolean => {
        const decl = r.pipe.decl;
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (err) {
          if (err instanceof BreakSignal) return false;
          if (!(err instanceof ContinueSignal)) throw err;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      switch (kindOf(val)) {
        case 'slice': {
          const arr = val as unknown[];
          if (arr.length === 0) break;
          for (let i = 0; i < arr.length; i++) if (!one(i, arr[i])) break;
          return;
        }
        case 'map': {
          const entries = mapEntries(val);
          if (entries.length === 0) break;
          for (const [k, v] of entries) if (!one(k, mapValue(v))) break;
          return;
        }
        case 'int': {
          const n = val as number;
          if (r.pipe.decl.length > 1) this.errorf(`can't use ${n} to iterate over more than one variable`);
          if (n <= 0) break;
          for (let i = 0; i < n; i++) if (!one(i, i)) break;
          return;
        }
        case 'invalid':
        case 'nil':
          break;
        default:
          this.errorf(`range can't iterate over ${formatV(val)}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.env.trees.get(t.name);
    if (!tree) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const st = new State(this.env, tree, [{ name: '$', value: newDot }], this.depth + 1, this.out);
    st.walk(newDot, tree.root);
  }

  // ---- evaluation
  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      if (value === null) value = undefined; // a nil interface{} becomes an invalid value (Go: "lovely!")
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.push(v.ident[0]!, value);
    }
    return value;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      case 'number':
        return first.value;
      case 'string':
        return first.text;
    }
    this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[] | null, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[] | null, final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Node[] | null, final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args ?? [v], final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Node[] | null, final: Final): unknown {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(dot, ident[i]!, node, null, MISSING, r);
    return this.evalField(dot, ident[ident.length - 1]!, node, args, final, r);
  }

  private evalField(dot: unknown, fieldName: string, node: Node, args: Node[] | null, final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.env.missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    // Methods: functions on the prototype of a class instance (or of a typed slice).
    if (typeof receiver === 'object') {
      const method = (receiver as Record<string, unknown>)[fieldName];
      if (typeof method === 'function' && !Object.prototype.hasOwnProperty.call(receiver, fieldName) && /^\p{Lu}/u.test(fieldName)) {
        return this.evalCall(dot, method.bind(receiver) as GoFunc, false, node, fieldName, args ?? [node], final);
      }
    }
    const kind = kindOf(receiver);
    if (kind === 'struct') {
      if (Object.prototype.hasOwnProperty.call(receiver, fieldName)) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return (receiver as Record<string, unknown>)[fieldName];
      }
    } else if (kind === 'map') {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const m = receiver as Record<string, unknown> | Map<unknown, unknown>;
      const has = m instanceof Map ? m.has(fieldName) : Object.prototype.hasOwnProperty.call(m, fieldName);
      // A nil inside a map is a nil interface: printing it gives <no value> (evalPipeline), but a
      // field of it is an error, as in Go.
      if (has) return m instanceof Map ? m.get(fieldName) : m[fieldName];
      switch (this.env.missingKey) {
        case 'error':
          this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
        case 'zero':
          return zeroOfElem(m);
        default:
          return undefined;
      }
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[] | null, final: Final): unknown {
    this.at(node);
    const name = node.ident;
    const fn = this.env.funcs[name];
    if (!fn) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, fn, this.env.builtins.has(name), cmd, name, args ?? [node], final);
  }

  private evalCall(dot: unknown, fn: GoFunc, isBuiltin: boolean, node: Node, name: string, argNodes: Node[], final: Final): unknown {
    const args = argNodes.slice(1);
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    if (fn.variadic) {
      const fixed = fn.minArgs ?? 0;
      if (numIn < fixed) this.errorf(`wrong number of args for ${name}: want at least ${fixed} got ${args.length}`);
    } else if (numIn !== fn.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.length} got ${numIn}`);
    }
    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const a of args) {
        if (a.type === 'nil') {
          this.at(a);
          this.errorf('cannot assign nil to reflect.Value');
        }
        v = this.evalArg(dot, a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: unknown[] = args.map((a) => {
      // Go's builtins take reflect.Value parameters, which a nil literal cannot be assigned to.
      if (isBuiltin && a.type === 'nil') {
        this.at(a);
        this.errorf('cannot assign nil to reflect.Value');
      }
      return this.evalArg(dot, a);
    });
    if (final !== MISSING) argv.push(final);
    try {
      const out = (fn as (...a: unknown[]) => unknown)(...argv);
      // A function fed its own output level after level (urlquery of $ in a recursing block)
      // grows a string geometrically; refuse one value past this size instead of spending
      // seconds and gigabytes on it (consul-template renders config files, not archives).
      if (typeof out === 'string' && out.length > MAX_VALUE_CHARS) throw new Error(`result is larger than ${MAX_VALUE_CHARS} characters`);
      return out;
    } catch (err) {
      if (err instanceof ExecError) throw err;
      this.at(node);
      this.errorf(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private evalArg(dot: unknown, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldNode(dot, n, [n], MISSING);
      case 'variable':
        return this.evalVariableNode(dot, n, null, MISSING);
      case 'pipe':
        return this.evalPipeline(dot, n);
      case 'identifier':
        return this.evalFunction(dot, n, n, null, MISSING);
      case 'chain':
        return this.evalChainNode(dot, n, null, MISSING);
      case 'bool':
        return n.value;
      case 'number':
        return n.value;
      case 'string':
        return n.text;
    }
    this.errorf(`can't handle ${nodeString(n)} for arg`);
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    if (v === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(n)} of type ${typeName(v)}`);
    this.out.push(formatV(v));
  }
}

/** A JSON null inside a map[string]interface{} is a nil interface: invalid once extracted. */
function mapValue(v: unknown): unknown {
  return v === null ? undefined : v;
}

/** The zero value of a map's element type (maps tagged map[string]string give ""). */
function zeroOfElem(m: object): unknown {
  const t = (m as { [GO_TYPE]?: string })[GO_TYPE];
  if (t === 'map[string]string') return '';
  return undefined;
}

export { isPlainObject };
