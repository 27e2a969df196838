// Go's text/template for consul-template: lexer (lex.ts) -> parser (parse.ts, nodes in node.ts)
// -> executor (exec.ts) over the value model of values.ts, with Go's builtins (builtins.ts) and
// fmt (fmt.ts). Faithful to Go's documented behaviour; the golden tests in
// test/unit/template/text are taken from it. Pure: no I/O.
import { BUILTINS } from './builtins.js';
import { type ExecEnv, ExecError, execute, type FuncMap, type MissingKey } from './exec.js';
import { parse, type Tree } from './parse.js';

export { ExecError, type FuncMap, type GoFunc, type MissingKey, variadic } from './exec.js';
export { TemplateError } from './parse.js';
export { sprintf, sprint, sprintln, goQuote } from './fmt.js';
export { GO_TYPE, formatV, isTrue, kindOf, mapEntries, typeName } from './values.js';

export interface TemplateOptions {
  leftDelim?: string;
  rightDelim?: string;
  funcs?: FuncMap;
  /** Go's Option("missingkey=..."). */
  missingKey?: MissingKey;
}

/** A parsed template set (the named template plus what it defines), ready to execute. */
export class Template {
  private readonly trees: Map<string, Tree>;
  private readonly env: ExecEnv;

  /** Parse; throws TemplateError ("template: NAME:LINE: message"). */
  constructor(readonly name: string, text: string, opts: TemplateOptions = {}) {
    const funcs: FuncMap = { ...BUILTINS, ...opts.funcs };
    this.trees = parse(name, text, {
      leftDelim: opts.leftDelim,
      rightDelim: opts.rightDelim,
      funcs: new Set(Object.keys(funcs)),
    });
    const builtins = new Set(Object.keys(BUILTINS).filter((k) => !opts.funcs || !(k in opts.funcs)));
    this.env = { trees: this.trees, funcs, builtins, missingKey: opts.missingKey ?? 'default' };
  }

  /** Execute the named template (default: the main one); throws ExecError. */
  execute(data: unknown, name = this.name): string {
    try {
      return execute(this.env, name, data);
    } catch (err) {
      // Deep recursion through nested blocks can exhaust the JS stack before the depth limit
      // that Go applies per template call: report it as Go reports running out of depth.
      if (err instanceof RangeError && /call stack/.test(err.message)) throw new ExecError(`template: ${name}: exceeded maximum template depth`);
      throw err;
    }
  }

  /** Names of the templates in the set ({{define}} and {{block}} add some). */
  templateNames(): string[] {
    return [...this.trees.keys()];
  }
}
