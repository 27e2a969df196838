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
import { monotonicMs } from '../support/clock.js';

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

  /** One service's instances, their checks and their nodes (StateStore.serviceIndex). */
  service(name: string): this {
    this.handles.push(this.registry.watchService(name, this.onFire));
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

export type MetaResult<T> = QueryResult<T> & { meta: QueryMeta };

/** `fn(v)` now if `v` is a value, later if it is a promise (keeps synchronous paths synchronous). */
export function then<A, B>(v: A | Promise<A>, fn: (a: A) => B): B | Promise<B> {
  return v instanceof Promise ? v.then(fn) : fn(v);
}

/**
 * Run `query` under the request's consistency and blocking parameters. A non-blocking read that
 * needs no consistency round answers synchronously; everything else returns a promise.
 */
export function blockingQuery<T>(
  ctx: RequestContext,
  server: Server,
  limits: QueryLimits,
  query: (ws: WatchSet | undefined) => QueryResult<T>,
): MetaResult<T> | Promise<MetaResult<T>> {
  const consistency = ctx.consistency();
  const { minIndex, waitMs } = ctx.blocking();
  const withMeta = (r: QueryResult<T>): MetaResult<T> => ({
    index: r.index,
    value: r.value,
    meta: { index: Math.max(r.index, 1), knownLeader: server.knownLeader(), lastContactMs: server.lastContactMs(), consistency },
  });
  if (minIndex === 0) {
    const pending = server.readCheck(consistency);
    if (!pending) return withMeta(query(undefined));
    return pending.then(() => withMeta(query(undefined)));
  }
  return blockingLoop(ctx, server, limits, query, minIndex, waitMs, consistency).then(withMeta);
}

async function blockingLoop<T>(
  ctx: RequestContext,
  server: Server,
  limits: QueryLimits,
  query: (ws: WatchSet | undefined) => QueryResult<T>,
  minIndex: number,
  waitMs: number | undefined,
  consistency: QueryMeta['consistency'],
): Promise<QueryResult<T>> {
  const deadline = monotonicMs() + blockingTimeoutMs(waitMs, limits);
  for (;;) {
    await server.readCheck(consistency);
    const ws = new WatchSet(server.store.watches);
    // Only the run that answers decides X-Consul-Results-Filtered-By-ACLs.
    if (ctx.acl.enabled) ctx.acl.filtered = false;
    const r = query(ws);
    const left = deadline - monotonicMs();
    if (r.index > minIndex || left <= 0 || ctx.isClosed) {
      ws.cancel();
      return r;
    }
    await ws.wait(left, ctx);
    ws.cancel();
  }
}
