// The agent's `watches` config: validated when the config is loaded, run against the agent's own
// HTTP API, replaced as a whole on reload (Consul: agent/agent.go reloadWatches, watch_handler.go).
//
// MUST: a bad watch fails config loading (start or reload) with Consul's message; nothing runs.
// MUST: handler output is captured (last 4 KB) and logged, never written to the agent's stdout.
// MUST: a plan's handler never delays another plan (each awaits only its own handler).
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../support/logger.js';
import { runHttpHandler, runScriptHandler, type ScriptCommand } from './handlers.js';
import { parseWatch, WatchParamError, type HttpHandlerConfig, type WatchParams, type WatchSpec } from './params.js';
import { WatchPlan, type WatchTransport } from './plan.js';

export type AgentWatchHandler = { kind: 'script'; command: ScriptCommand; label: string } | { kind: 'http'; config: HttpHandlerConfig };

export interface AgentWatch {
  spec: WatchSpec;
  handler: AgentWatchHandler;
  /** The deprecated `handler` key was used (Consul logs a warning when it starts the watch). */
  deprecatedHandler: boolean;
}

/** One `watches` entry, checked as Consul's reloadWatches checks it. Throws WatchParamError. */
export function parseAgentWatch(raw: WatchParams): AgentWatch {
  const params: WatchParams = { ...raw };
  if (!('handler_type' in params)) params.handler_type = 'script';
  else if (params.handler_type !== 'http' && params.handler_type !== 'script') {
    throw new WatchParamError(`Handler type '${String(params.handler_type)}' not recognized`);
  }
  if (typeof params.type === 'string' && params.type.startsWith('connect_')) {
    throw new WatchParamError(`Watch type ${params.type} is not allowed in agent config`);
  }
  let spec: WatchSpec;
  try {
    spec = parseWatch(params, ['handler', 'args']);
  } catch (err) {
    throw new WatchParamError(`Failed to parse watch (${JSON.stringify(raw)}): ${(err as Error).message}`);
  }
  const hasHandler = 'handler' in spec.exempt;
  const hasArgs = 'args' in spec.exempt;
  const handler = spec.exempt.handler;
  if (hasHandler && typeof handler !== 'string') throw new WatchParamError('Watch handler must be a string');
  const args = spec.exempt.args;
  if (hasArgs && !(Array.isArray(args) && args.every((a) => typeof a === 'string'))) {
    throw new WatchParamError('Watch args must be a list of strings');
  }
  const isHttp = spec.handlerType === 'http';
  if ((hasHandler && hasArgs) || (hasHandler && isHttp) || (hasArgs && isHttp)) throw new WatchParamError('Only one watch handler allowed');
  if (!hasHandler && !hasArgs && !isHttp) throw new WatchParamError('Must define a watch handler');
  if (isHttp) return { spec, handler: { kind: 'http', config: spec.httpHandler as HttpHandlerConfig }, deprecatedHandler: false };
  if (hasHandler) return { spec, handler: { kind: 'script', command: { script: handler as string }, label: handler as string }, deprecatedHandler: true };
  const list = args as string[];
  return { spec, handler: { kind: 'script', command: { args: list }, label: `[${list.join(' ')}]` }, deprecatedHandler: false };
}

/** Every entry of `watches`; the first bad one throws. */
export function parseAgentWatches(list: readonly WatchParams[] | undefined): AgentWatch[] {
  return (list ?? []).map((w) => parseAgentWatch(w));
}

export interface AgentWatchesOptions {
  /** A transport to the agent's own HTTP API for this plan (its datacenter and token applied). */
  transport: (spec: WatchSpec) => WatchTransport;
  logger: Logger;
  retryBaseMs?: number;
}

/** The running plans of the agent's config. */
export class AgentWatches {
  private plans: WatchPlan[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly o: AgentWatchesOptions) {}

  get size(): number {
    return this.plans.length;
  }

  /** Stop the running plans and start these (Consul stops every plan on reload and starts the new set). */
  replace(watches: readonly AgentWatch[]): void {
    for (const p of this.plans) p.stop();
    this.plans = [];
    for (const w of watches) {
      if (w.deprecatedHandler) {
        this.o.logger.warn("The 'handler' field in watches has been deprecated and replaced with the 'args' field. See https://www.consul.io/docs/agent/watches.html");
      }
      const plan = new WatchPlan(w.spec, this.o.transport(w.spec), (idx, value) => this.invoke(w, idx, value), {
        retryBaseMs: this.o.retryBaseMs,
        onError: (err, retryMs) => this.o.logger.error(`Watch errored: type=${w.spec.type} error="${err.message}" retry=${retryMs}ms`),
      });
      this.plans.push(plan);
      void plan.run();
    }
  }

  /** Stop every plan; with killHandlers, handler processes still running are killed too (shutdown). */
  stop(killHandlers = false): void {
    this.replace([]);
    if (killHandlers) for (const c of this.children) c.kill('SIGKILL');
  }

  private async invoke(w: AgentWatch, index: bigint, value: unknown): Promise<void> {
    const log = this.o.logger;
    if (w.handler.kind === 'http') {
      const cfg = w.handler.config;
      try {
        const r = await runHttpHandler(cfg, index, value);
        if (r.status >= 200 && r.status <= 299) log.trace(`http watch handler output: watch=${cfg.path} output="${r.output}"`);
        else log.error(`http watch handler failed with output: watch=${cfg.path} status="${r.statusText}" output="${r.output}"`);
      } catch (err) {
        log.error(`Failed to invoke http watch handler: watch=${cfg.path} error="${(err as Error).message}"`);
      }
      return;
    }
    const run = runScriptHandler(w.handler.command, index, value, { capture: true });
    this.children.add(run.child);
    const failure = await run.done;
    this.children.delete(run.child);
    if (failure) log.error(`Failed to run watch handler: handler=${w.handler.label} error="${failure}"`);
    log.debug(`watch handler output: watch_handler=${w.handler.label} output="${run.output()}"`);
  }
}
