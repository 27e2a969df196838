// The one blocking-query loop every read endpoint uses (Consul: agent/blockingquery).
//
// Rules (Consul's, exactly): no `index` (or 0) answers at once. Otherwise run the query; while its
// index is <= the requested one, park on the watches of what it read until one fires or the
// timeout passes, then run it again. Timeout = `wait` clamped to max_query_time (default
// default_query_time when absent or <= 0), plus random jitter in [0, timeout/16). A returned
// index is never 0. A timeout answers 200 with the current data.
import type { Server } from '../server/index.js';
import type { WatchKind, WatchRegistry } from '../state/watch.js';
import type { QueryMeta, RequestContext } from './context.js';
import { monotonicMs } from '../support/clock.js';
import { blockingDeadlines, type Expirable } from './deadline-wheel.js';

/**
 * What a query read, registered as watches: the first write to any of it fires the set once.
 * Kept flat (kind, key pairs) and registered with the set itself as the callback, so a parked
 * query holds no handle objects or closures per watch.
 */
export class WatchSet {
  private readonly watched: (WatchKind | string)[] = [];
  protected fired = false;

  constructor(private readonly registry: WatchRegistry) {}

  /** Called by the registry (inside a commit: only schedule work). */
  fire(): void {
    this.fired = true;
  }

  private add(kind: WatchKind, key: string): this {
    this.registry.watch(kind, key, this);
    this.watched.push(kind, key);
    return this;
  }

  table(name: string): this {
    return this.add('table', name);
  }

  key(key: string): this {
    return this.add('key', key);
  }

  prefix(prefix: string): this {
    return this.add('prefix', prefix);
  }

  /** One service's instances, their checks and their nodes (StateStore.serviceIndex). */
  service(name: string): this {
    return this.add('service', name);
  }

  cancel(): void {
    const w = this.watched;
    for (let i = 0; i < w.length; i += 2) this.registry.unwatch(w[i] as WatchKind, w[i + 1] as string, this);
    w.length = 0;
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
  return blockingLoop(ctx, server, limits, query, minIndex, waitMs, consistency, withMeta);
}

/** Woken parked queries, re-run together after the commit that woke them (one microtask). */
const woken: ParkedQuery<unknown>[] = [];

function runWoken(): void {
  // A query re-parked by run() can be woken again only by a later commit, so this drains.
  for (let i = 0; i < woken.length; i++) (woken[i] as ParkedQuery<unknown>).run();
  woken.length = 0;
}

/**
 * One blocking query, parked or running: its watches, its deadline in the wheel and its close
 * listener are this one object (no promise chain, no setTimeout, no per-wait closures).
 */
class ParkedQuery<T> extends WatchSet implements Expirable {
  wheelSlot = -1;
  readonly deadlineMs: number;
  private parked = false;
  private listening = false;
  resolve!: (r: MetaResult<T>) => void;
  reject!: (err: unknown) => void;

  constructor(
    private readonly ctx: RequestContext,
    private readonly server: Server,
    private readonly query: (ws: WatchSet | undefined) => QueryResult<T>,
    private readonly minIndex: number,
    timeoutMs: number,
    private readonly consistency: QueryMeta['consistency'],
    private readonly withMeta: (r: QueryResult<T>) => MetaResult<T>,
  ) {
    super(server.store.watches);
    this.deadlineMs = monotonicMs() + timeoutMs;
  }

  override fire(): void {
    this.wake();
  }

  expire(): void {
    this.wake();
  }

  private wake(): void {
    if (!this.parked) {
      this.fired = true;
      return;
    }
    this.parked = false;
    if (woken.push(this as ParkedQuery<unknown>) === 1) queueMicrotask(runWoken);
  }

  run(): void {
    this.cancel();
    this.fired = false;
    let pending: Promise<void> | undefined;
    try {
      pending = this.server.readCheck(this.consistency);
    } catch (err) {
      return this.fail(err);
    }
    if (pending) pending.then(() => this.step(), (err: unknown) => this.fail(err));
    else this.step();
  }

  private step(): void {
    let r: QueryResult<T>;
    try {
      // Only the run that answers decides X-Consul-Results-Filtered-By-ACLs.
      if (this.ctx.acl.enabled) this.ctx.acl.filtered = false;
      r = this.query(this);
    } catch (err) {
      return this.fail(err);
    }
    if (r.index > this.minIndex || this.deadlineMs - monotonicMs() <= 0 || this.ctx.isClosed) {
      this.cancel();
      blockingDeadlines.remove(this);
      return this.resolve(this.withMeta(r));
    }
    if (this.fired) return this.run(); // a write landed while the query ran
    this.parked = true;
    if (this.wheelSlot < 0) blockingDeadlines.add(this);
    if (!this.listening) {
      this.listening = true;
      this.ctx.onClose(() => this.wake());
    }
  }

  private fail(err: unknown): void {
    this.cancel();
    blockingDeadlines.remove(this);
    this.reject(err);
  }
}

function blockingLoop<T>(
  ctx: RequestContext,
  server: Server,
  limits: QueryLimits,
  query: (ws: WatchSet | undefined) => QueryResult<T>,
  minIndex: number,
  waitMs: number | undefined,
  consistency: QueryMeta['consistency'],
  withMeta: (r: QueryResult<T>) => MetaResult<T>,
): Promise<MetaResult<T>> {
  const q = new ParkedQuery(ctx, server, query, minIndex, blockingTimeoutMs(waitMs, limits), consistency, withMeta);
  const done = new Promise<MetaResult<T>>((resolve, reject) => {
    q.resolve = resolve;
    q.reject = reject;
  });
  q.run();
  return done;
}
