// A distributed semaphore on a KV prefix, as Consul's api/semaphore.go implements it:
// each contender holds `<prefix>/<session>` (acquired with a delete-behavior session, so it
// vanishes with the session), and `<prefix>/.lock` holds {"Limit":N,"Holders":{session:true}},
// updated only by check-and-set. Holders whose contender key is gone are pruned before counting.
import type { KVPair } from './kv.js';
import { createRenewedSession, flagIs, isRetryable, joinKey, sleep, type LockApis } from './lock.js';
import type { SessionRenewer } from './session.js';

/** Go: api.SemaphoreFlagValue (0xe0f69a2baa414de0), as exact decimal text. */
export const SEMAPHORE_FLAG_VALUE = '16210313421097356768';
export const SEMAPHORE_KEY = '.lock';

export const ErrSemaphoreHeld = new Error('Semaphore already held');
export const ErrSemaphoreNotHeld = new Error('Semaphore not held');
export const ErrSemaphoreInUse = new Error('Semaphore in use');
export const ErrSemaphoreConflict = new Error('Existing key does not match semaphore use');

export interface SemaphoreOptions {
  prefix: string;
  limit: number;
  value?: Uint8Array;
  sessionName?: string;
  sessionTtl?: string;
  tryOnce?: boolean;
  waitMs?: number;
  monitorRetries?: number;
  monitorRetryMs?: number;
}

interface SemaphoreLock {
  Limit: number;
  Holders: Record<string, boolean>;
}

export class Semaphore {
  private held = false;
  private session = '';
  private renewer: SessionRenewer | undefined;
  private monitorStop: AbortController | undefined;
  private readonly lockKey: string;

  constructor(
    private readonly apis: LockApis,
    private readonly opts: SemaphoreOptions,
  ) {
    if (opts.prefix === '') throw new Error('missing prefix');
    if (opts.limit <= 0) throw new Error('semaphore limit must be positive');
    this.lockKey = joinKey(opts.prefix, SEMAPHORE_KEY);
  }

  private findLock(pairs: readonly KVPair[]): KVPair {
    return (
      pairs.find((p) => p.Key === this.lockKey) ?? {
        Key: this.lockKey,
        Flags: Number(SEMAPHORE_FLAG_VALUE),
        Value: Buffer.alloc(0),
        Session: '',
        LockIndex: 0,
        CreateIndex: 0,
        ModifyIndex: 0,
      }
    );
  }

  private decodeLock(pair: KVPair): SemaphoreLock {
    if (pair.Value.length === 0) return { Limit: this.opts.limit, Holders: {} };
    try {
      const l = JSON.parse(pair.Value.toString('utf8')) as Partial<SemaphoreLock>;
      return { Limit: l.Limit ?? 0, Holders: l.Holders ?? {} };
    } catch (err) {
      throw new Error(`lock decoding failed: ${(err as Error).message}`);
    }
  }

  /** Drop holders whose contender key (held by their session) is gone. */
  private static prune(lock: SemaphoreLock, pairs: readonly KVPair[]): void {
    const alive = new Set(pairs.filter((p) => p.Session !== '').map((p) => p.Session));
    for (const h of Object.keys(lock.Holders)) if (!alive.has(h)) delete lock.Holders[h];
  }

  /** Go's json.Marshal of the lock: map keys sorted. */
  private static encode(lock: SemaphoreLock): Uint8Array {
    const holders: Record<string, boolean> = {};
    for (const k of Object.keys(lock.Holders).sort()) holders[k] = true;
    return Buffer.from(JSON.stringify({ Limit: lock.Limit, Holders: holders }));
  }

  /** Take a slot: resolves with the `lost` signal, or null when stopped or timed out. */
  async acquire(stop: AbortSignal): Promise<AbortSignal | null> {
    if (this.held) throw ErrSemaphoreHeld;
    const { id, renewer } = await createRenewedSession(this.apis, this.opts.sessionName || 'Consul API Semaphore', this.opts.sessionTtl || '15s', 'delete');
    this.session = id;
    this.renewer = renewer;
    try {
      let made = false;
      let why = '<nil>';
      try {
        made = await this.apis.kv.acquire({ Key: joinKey(this.opts.prefix, id), Value: this.opts.value, Session: id, Flags: SEMAPHORE_FLAG_VALUE });
      } catch (err) {
        why = (err as Error).message;
      }
      if (!made) throw new Error(`failed to make contender entry: ${why}`);
      if (!(await this.acquireLoop(stop))) return null;
    } finally {
      if (!this.held) await this.dropSession();
    }
    this.monitorStop = new AbortController();
    const lost = new AbortController();
    void this.monitor(id, this.monitorStop.signal).finally(() => lost.abort());
    // Renewals failing for a whole TTL: the lock may be gone without the monitor hearing of it
    // (its server cut off from the leader can hold a blocking query for minutes).
    this.renewer?.expired.addEventListener('abort', () => lost.abort(), { once: true });
    return lost.signal;
  }

  private async acquireLoop(stop: AbortSignal): Promise<boolean> {
    const waitTotal = this.opts.waitMs || 15_000;
    const start = Date.now();
    let waitIndex = 0;
    let waitMs = waitTotal;
    for (let attempt = 0; ; attempt++) {
      if (stop.aborted) return false;
      if (this.opts.tryOnce && attempt > 0) {
        const elapsed = Date.now() - start;
        if (elapsed > waitTotal) return false;
        waitMs = waitTotal - elapsed;
      }
      let pairs: KVPair[];
      let index: number;
      try {
        const r = await this.apis.kv.listWithMeta(this.opts.prefix, { waitIndex, waitTimeMs: waitMs, signal: stop });
        pairs = r.pairs;
        index = r.meta.lastIndex;
      } catch (err) {
        if (stop.aborted) return false;
        throw new Error(`failed to read prefix: ${(err as Error).message}`);
      }
      const lockPair = this.findLock(pairs);
      if (!flagIs(lockPair.Flags, SEMAPHORE_FLAG_VALUE)) throw ErrSemaphoreConflict;
      const lock = this.decodeLock(lockPair);
      if (lock.Limit !== this.opts.limit) throw new Error(`semaphore limit conflict (lock: ${lock.Limit}, local: ${this.opts.limit})`);
      Semaphore.prune(lock, pairs);
      if (Object.keys(lock.Holders).length >= lock.Limit) {
        waitIndex = index;
        continue;
      }
      lock.Holders[this.session] = true;
      let set: boolean;
      try {
        set = await this.apis.kv.cas({ Key: this.lockKey, Value: Semaphore.encode(lock), Flags: SEMAPHORE_FLAG_VALUE, ModifyIndex: lockPair.ModifyIndex });
      } catch (err) {
        throw new Error(`failed to update lock: ${(err as Error).message}`);
      }
      if (set) return (this.held = true);
      // Lost a race with another contender: read again at once.
      waitIndex = 0;
    }
  }

  /** Watch the prefix (consistent reads) until our session is no longer a live holder. */
  private async monitor(session: string, stop: AbortSignal): Promise<void> {
    let waitIndex = 0;
    let retries = this.opts.monitorRetries ?? 0;
    while (!stop.aborted) {
      let r: { pairs: KVPair[]; meta: { lastIndex: number } };
      try {
        r = await this.apis.kv.listWithMeta(this.opts.prefix, { requireConsistent: true, waitIndex, signal: stop });
      } catch (err) {
        if (stop.aborted || retries <= 0 || !isRetryable(err)) return;
        retries--;
        waitIndex = 0;
        if (!(await sleep(this.opts.monitorRetryMs || 2_000, stop))) return;
        continue;
      }
      let lock: SemaphoreLock;
      try {
        lock = this.decodeLock(this.findLock(r.pairs));
      } catch {
        return;
      }
      Semaphore.prune(lock, r.pairs);
      if (!lock.Holders[session]) return;
      retries = this.opts.monitorRetries ?? 0;
      waitIndex = r.meta.lastIndex;
    }
  }

  private async dropSession(): Promise<void> {
    const r = this.renewer;
    this.renewer = undefined;
    await r?.stop();
  }

  /** Give the slot back: remove us from the holders (CAS, retried), delete our contender key. */
  async release(): Promise<void> {
    if (!this.held) throw ErrSemaphoreNotHeld;
    this.held = false;
    const session = this.session;
    this.session = '';
    this.monitorStop?.abort();
    try {
      for (;;) {
        const pair = (await this.apis.kv.get(this.lockKey)).pair ?? this.findLock([]);
        const lock = this.decodeLock(pair);
        if (!lock.Holders[session]) break;
        delete lock.Holders[session];
        const set = await this.apis.kv.cas({ Key: this.lockKey, Value: Semaphore.encode(lock), Flags: SEMAPHORE_FLAG_VALUE, ModifyIndex: pair.ModifyIndex });
        if (set) break;
      }
      await this.apis.kv.delete(joinKey(this.opts.prefix, session));
    } finally {
      await this.dropSession();
    }
  }

  /** Delete the semaphore's lock key when no live holder remains (ErrSemaphoreInUse otherwise). */
  async destroy(): Promise<void> {
    if (this.held) throw ErrSemaphoreHeld;
    let pairs: KVPair[];
    try {
      pairs = await this.apis.kv.list(this.opts.prefix);
    } catch (err) {
      throw new Error(`failed to read prefix: ${(err as Error).message}`);
    }
    const lockPair = this.findLock(pairs);
    if (lockPair.ModifyIndex === 0) return;
    if (!flagIs(lockPair.Flags, SEMAPHORE_FLAG_VALUE)) throw ErrSemaphoreConflict;
    const lock = this.decodeLock(lockPair);
    Semaphore.prune(lock, pairs);
    if (Object.keys(lock.Holders).length > 0) throw ErrSemaphoreInUse;
    let removed: boolean;
    try {
      removed = await this.apis.kv.deleteCAS(this.lockKey, lockPair.ModifyIndex);
    } catch (err) {
      throw new Error(`failed to remove semaphore: ${(err as Error).message}`);
    }
    if (!removed) throw ErrSemaphoreInUse;
  }
}
