// The one blocking-query loop every read endpoint uses (Consul: agent/blockingquery).
//
// Rules (Consul's, exactly): no `index` (or 0) answers at once. Otherwise run the query; while its
// index is <= the requested one, park on the watches of what it read until one fires or the
// timeout passes, then run it again. Timeout = `wait` clamped to max_query_time (default
// default_query_time when absent or <= 0), plus random jitter in [0, timeout/16). A returned
// index is never 0. A timeout answers 200 with the current data.
import type { Server } from '../server/index.js';
import type { WatchHandle, WatchRegistry } from '../state/watch.js';
import type { QueryMeta, RequestContext } from './context.js';

export class WatchSet {
  private readonly handles: WatchHandle[] = [];
  private fired = false;
  private wake: (() => void) | undefined;

  constructor(private readonly registry: WatchRegistry) {}

  private readonly onFire = (): void => {
    this.fired = true;
    this.wake?.();
  };

  table(name: string): this {
    this.handles.push(this.registry.watchTable(name, this.onFire));
    return this;
  }

  key(key: string): this {
    this.handles.push(this.registry.watchKey(key, this.onFire));
    return this;
  }

  prefix(prefix: string): this {
    this.handles.push(this.registry.watchPrefix(prefix, this.onFire));
    return this;
  }

  /** Resolve when a watch fires, the time is up, or the client goes away. */
  wait(ms: number, ctx: RequestContext): Promise<void> {
    if (this.fired || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
      ctx.onClose(done);
    });
  }

  cancel(): void {
    for (const h of this.handles) h.cancel();
    this.handles.length = 0;
  }
}

export interface QueryLimits {
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
}

export interface QueryResult<T> {
  index: number;
  value: T;
}

export function blockingTimeoutMs(waitMs: number | undefined, limits: QueryLimits): number {
  let timeout = waitMs === undefined || waitMs <= 0 ? limits.defaultQueryTimeMs : Math.min(waitMs, limits.maxQueryTimeMs);
  timeout += Math.random() * (timeout / 16);
  return timeout;
}

/** Run `query` under the request's consistency and blocking parameters. */
export async function blockingQuery<T>(
  ctx: RequestContext,
  server: Server,
  limits: QueryLimits,
  query: (ws: WatchSet | undefined) => QueryResult<T>,
): Promise<QueryResult<T> & { meta: QueryMeta }> {
  const consistency = ctx.consistency();
  const { minIndex, waitMs } = ctx.blocking();
  const meta = (index: number): QueryMeta => ({
    index: Math.max(index, 1),
    knownLeader: server.knownLeader(),
    lastContactMs: server.lastContactMs(),
    consistency,
  });
  if (minIndex === 0) {
    const pending = server.readCheck(consistency);
    if (pending) await pending;
    const r = query(undefined);
    return { ...r, meta: meta(r.index) };
  }
  const deadline = Date.now() + blockingTimeoutMs(waitMs, limits);
  for (;;) {
    await server.readCheck(consistency);
    const ws = new WatchSet(server.store.watches);
    const r = query(ws);
    const left = deadline - Date.now();
    if (r.index > minIndex || left <= 0 || ctx.isClosed) {
      ws.cancel();
      return { ...r, meta: meta(r.index) };
    }
    await ws.wait(left, ctx);
    ws.cancel();
  }
}
