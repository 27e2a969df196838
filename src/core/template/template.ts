// One consul-template template (template/template.go): its text (from `source` or `contents`),
// parsed once with Go's text/template and the full function map, then executed against the brain.
// Execution reports the output plus the dependencies it used and those still missing.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Brain } from './brain.js';
import type { TemplateConfig } from './config.js';
import { apiFuncs, DepSet } from './funcs-api.js';
import { helperFuncs } from './funcs-helpers.js';
import { type FuncMap, Template as GoTemplate, variadic } from './text/index.js';

export interface ExecuteResult {
  output: string;
  used: DepSet;
  missing: DepSet;
}

/** Binds the function map to one execution's brain and dependency sets. */
class ExecContext {
  funcs: FuncMap = {};
}

export class ConsulTemplate {
  readonly id: string;
  readonly contents: string;
  private readonly parsed: GoTemplate;
  private readonly ctx = new ExecContext();

  /** Reads and parses; throws with `SOURCE: parse: template: SOURCE:LINE: message`. */
  constructor(readonly config: TemplateConfig, env: NodeJS.ProcessEnv = process.env) {
    if (config.source !== '') {
      try {
        this.contents = readFileSync(config.source, 'utf8');
      } catch (err) {
        throw new Error(`failed to read template: ${describeFs(err, config.source)}`);
      }
    } else this.contents = config.contents;
    this.id = createHash('sha256').update(`${config.source}\0${this.contents}\0${config.destination}`).digest('hex');
    // Function names are fixed at parse time (Go checks them); calls go through the context so the
    // same parse serves every execution.
    // executeTemplate runs a {{define}}d template of this file (consul-template funcs.go).
    const executeTemplate = variadic((name: unknown, ...data: unknown[]) => {
      if (data.length > 1) throw new Error(`executeTemplate: wrong number of arguments, expected 1 or 2, but got ${data.length + 1}`);
      return this.parsed.execute(data[0], String(name));
    }, 1);
    this.helpers = { ...helperFuncs(env), executeTemplate };
    const sample: FuncMap = { ...apiFuncs(undefined as never, new DepSet(), new DepSet()), ...this.helpers };
    const dispatch: FuncMap = {};
    for (const [name, proto] of Object.entries(sample)) {
      const wrapper = (...args: never[]): unknown => (this.ctx.funcs[name] as (...a: unknown[]) => unknown)(...args);
      // Same signature as the real function, so the executor checks arity as Go would.
      Object.defineProperty(wrapper, 'length', { value: proto.length });
      dispatch[name] = proto.variadic ? variadic(wrapper, proto.minArgs ?? 0) : wrapper;
    }
    try {
      this.parsed = new GoTemplate(this.source, this.contents, {
        funcs: dispatch,
        leftDelim: config.leftDelim,
        rightDelim: config.rightDelim,
        missingKey: config.errorOnMissingKey ? 'error' : 'zero',
      });
    } catch (err) {
      throw new Error(`${this.source}: parse: ${(err as Error).message}`);
    }
  }

  private readonly helpers: FuncMap;

  /** consul-template's Source(): the path, or "(dynamic)" for inline contents. */
  get source(): string {
    return this.config.source || '(dynamic)';
  }

  /** Execute against the brain; throws `SOURCE: execute: template: ...` on a runtime error. */
  execute(brain: Brain): ExecuteResult {
    const used = new DepSet();
    const missing = new DepSet();
    this.ctx.funcs = { ...apiFuncs(brain, used, missing), ...this.helpers };
    try {
      const output = this.parsed.execute(undefined);
      return { output, used, missing };
    } catch (err) {
      const e = new Error(`${this.source}: execute: ${(err as Error).message}`) as Error & { used?: DepSet };
      e.used = used;
      throw e;
    }
  }
}

function describeFs(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `open ${path}: no such file or directory`;
  if (code === 'EACCES') return `open ${path}: permission denied`;
  if (code === 'EISDIR') return `read ${path}: is a directory`;
  return (err as Error).message;
}
