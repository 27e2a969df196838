// Watch notification for blocking queries.
//
// A blocking query registers what it read: a table, an exact key, a key prefix, or one service
// name (its instances, their checks and their nodes: Consul's per-service index). When a write
// transaction commits, the store reports the tables and KV keys it changed and every matching
// watcher fires once (watchers are one-shot; the blocking loop re-registers after re-running).
// Prefix matching is done by looking up each prefix of a changed key, so a commit costs
// O(changed keys x key length) regardless of how many watchers are parked.
//
// MUST: no I/O, no clock. Callbacks run synchronously inside commit(); they must only schedule work.

/** A function, or an object whose fire() is called (a parked query: no closure kept per watch). */
export type WatchCallback = (() => void) | { fire(): void };

export type WatchKind = 'table' | 'key' | 'prefix' | 'service';

export interface WatchHandle {
  cancel(): void;
}

type Bucket = Set<WatchCallback>;

export class WatchRegistry {
  private readonly tables = new Map<string, Bucket>();
  private readonly keys = new Map<string, Bucket>();
  private readonly prefixes = new Map<string, Bucket>();
  private readonly services = new Map<string, Bucket>();

  watchTable(table: string, cb: WatchCallback): WatchHandle {
    return add(this.tables, table, cb);
  }

  watchKey(key: string, cb: WatchCallback): WatchHandle {
    return add(this.keys, key, cb);
  }

  watchPrefix(prefix: string, cb: WatchCallback): WatchHandle {
    return add(this.prefixes, prefix, cb);
  }

  watchService(name: string, cb: WatchCallback): WatchHandle {
    return add(this.services, name, cb);
  }

  /** Watch without a handle object: undo with unwatch(kind, key, cb). */
  watch(kind: WatchKind, key: string, cb: WatchCallback): void {
    let bucket = this.map(kind).get(key);
    if (!bucket) {
      bucket = new Set();
      this.map(kind).set(key, bucket);
    }
    bucket.add(cb);
  }

  unwatch(kind: WatchKind, key: string, cb: WatchCallback): void {
    remove(this.map(kind), key, cb);
  }

  private map(kind: WatchKind): Map<string, Bucket> {
    return kind === 'key' ? this.keys : kind === 'prefix' ? this.prefixes : kind === 'table' ? this.tables : this.services;
  }

  /** Fire every watcher on the changed tables, on the changed keys, and on any prefix of them. */
  notify(tables: Iterable<string>, kvKeys: Iterable<string>, services: Iterable<string> = []): void {
    const fired = new Set<WatchCallback>();
    for (const t of tables) take(this.tables, t, fired);
    if (this.services.size > 0) for (const name of services) take(this.services, name, fired);
    if (this.keys.size > 0 || this.prefixes.size > 0) {
      for (const k of kvKeys) {
        take(this.keys, k, fired);
        if (this.prefixes.size === 0) continue;
        for (let i = 0; i <= k.length; i++) take(this.prefixes, k.slice(0, i), fired);
      }
    }
    for (const cb of fired) call(cb);
  }

  /** Fire everything (a snapshot restore replaces the whole state). */
  notifyAll(): void {
    const fired = new Set<WatchCallback>();
    for (const m of [this.tables, this.keys, this.prefixes, this.services]) {
      for (const bucket of m.values()) for (const cb of bucket) fired.add(cb);
      m.clear();
    }
    for (const cb of fired) call(cb);
  }

  get size(): number {
    let n = 0;
    for (const m of [this.tables, this.keys, this.prefixes, this.services]) for (const b of m.values()) n += b.size;
    return n;
  }
}

function add(map: Map<string, Bucket>, key: string, cb: WatchCallback): WatchHandle {
  let bucket = map.get(key);
  if (!bucket) {
    bucket = new Set();
    map.set(key, bucket);
  }
  bucket.add(cb);
  return {
    cancel() {
      remove(map, key, cb);
    },
  };
}

function remove(map: Map<string, Bucket>, key: string, cb: WatchCallback): void {
  const b = map.get(key);
  if (!b) return;
  b.delete(cb);
  if (b.size === 0) map.delete(key);
}

function call(cb: WatchCallback): void {
  if (typeof cb === 'function') cb();
  else cb.fire();
}

function take(map: Map<string, Bucket>, key: string, into: Set<WatchCallback>): void {
  const bucket = map.get(key);
  if (!bucket) return;
  map.delete(key);
  for (const cb of bucket) into.add(cb);
}
