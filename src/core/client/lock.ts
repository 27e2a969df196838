// Client-side locking on a KV key, as Consul's api/lock.go implements it (leader election):
// a TTL session kept alive by renewals, `?acquire` on the key, a blocking wait while another
// session holds it, and a monitor that reports when the lock is lost.
//
// Threading: one lock() at a time per Lock. lock() resolves with a `lost` signal that aborts when
// the key stops being held by our session (invalidation, operator action, lost contact after the
// monitor's retries); the caller must stop relying on the lock then and still call unlock().
import type { KvApi, KVPair } from './kv.js';
import { type SessionApi, SessionRenewer, parseTtlMs } from './session.js';
import { StatusError, TransportError } from './errors.js';

/** Go: api.LockFlagValue (0x2ddccbc058a50c18), as decimal text so it reaches the agent exactly. */
export const LOCK_FLAG_VALUE = '3304740253564472344';
export const DEFAULT_LOCK_SESSION_TTL = '15s';
export const DEFAULT_LOCK_WAIT_MS = 15_000;
/** After a refused acquire with no holder (a lock-delay), wait this long before trying again. */
export const DEFAULT_LOCK_RETRY_MS = 5_000;
export const DEFAULT_MONITOR_RETRY_MS = 2_000;

export const ErrLockHeld = new Error('Lock already held');
export const ErrLockNotHeld = new Error('Lock not held');
export const ErrLockInUse = new Error('Lock in use');
export const ErrLockConflict = new Error('Existing key does not match lock use');

export interface LockApis {
  kv: KvApi;
  session: SessionApi;
}

export interface LockOptions {
  key: string;
  value?: Uint8Array;
  sessionName?: string;
  sessionTtl?: string;
  /** Give up after one wait of lockWaitMs instead of waiting forever (`consul lock -timeout`). */
  tryOnce?: boolean;
  lockWaitMs?: number;
  monitorRetries?: number;
  monitorRetryMs?: number;
}

/** Go's path.Join of a prefix and a name: one slash between, no leading slash. */
export const joinKey = (prefix: string, name: string): string => `${prefix}/${name}`.replace(/\/+/g, '/').replace(/^\//, '');

/** Compare a flag read back from JSON (a double) with one of the uint64 magic values. */
export const flagIs = (flags: number, value: string): boolean => flags === Number(value);

/** Go's api.IsRetryableError: transport failures and 500s may be ridden out. */
export function isRetryable(err: unknown): boolean {
  return err instanceof TransportError || (err instanceof StatusError && err.statusCode === 500);
}

/** Resolves after `ms`, or early (false) once `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A session with a TTL, renewed until released (shared by Lock and Semaphore). */
export async function createRenewedSession(
  apis: LockApis,
  name: string,
  ttl: string,
  behavior?: 'delete',
): Promise<{ id: string; renewer: SessionRenewer }> {
  let id: string;
  try {
    id = await apis.session.create({ Name: name, TTL: ttl, ...(behavior ? { Behavior: behavior } : {}) });
  } catch (err) {
    throw new Error(`failed to create session: ${(err as Error).message}`);
  }
  return { id, renewer: new SessionRenewer(apis.session, id, parseTtlMs(ttl)) };
}

export class Lock {
  private held = false;
  private session = '';
  private renewer: SessionRenewer | undefined;
  private monitorStop: AbortController | undefined;
  private readonly opts: Required<Omit<LockOptions, 'value'>> & { value: Uint8Array };

  constructor(
    private readonly apis: LockApis,
    opts: LockOptions,
  ) {
    if (opts.key === '') throw new Error('missing key');
    this.opts = {
      key: opts.key,
      value: opts.value ?? new Uint8Array(0),
      sessionName: opts.sessionName || 'Consul API Lock',
      sessionTtl: opts.sessionTtl || DEFAULT_LOCK_SESSION_TTL,
      tryOnce: opts.tryOnce ?? false,
      lockWaitMs: opts.lockWaitMs || DEFAULT_LOCK_WAIT_MS,
      monitorRetries: opts.monitorRetries ?? 0,
      monitorRetryMs: opts.monitorRetryMs || DEFAULT_MONITOR_RETRY_MS,
    };
  }

  private entry(): { Key: string; Value: Uint8Array; Session: string; Flags: string } {
    return { Key: this.opts.key, Value: this.opts.value, Session: this.session, Flags: LOCK_FLAG_VALUE };
  }

  /**
   * Block until the lock is ours: resolves with the `lost` signal, or null when `stop` aborted
   * or (tryOnce) the wait ran out. Throws on conflicts and API errors.
   */
  async lock(stop: AbortSignal): Promise<AbortSignal | null> {
    if (this.held) throw ErrLockHeld;
    const { id, renewer } = await createRenewedSession(this.apis, this.opts.sessionName, this.opts.sessionTtl);
    this.session = id;
    this.renewer = renewer;
    try {
      const ok = await this.acquireLoop(stop);
      if (!ok) return null;
    } finally {
      if (!this.held) await this.dropSession();
    }
    this.monitorStop = new AbortController();
    const lost = new AbortController();
    void this.monitor(this.session, this.monitorStop.signal).finally(() => lost.abort());
    // Renewals failing for a whole TTL: the lock may be gone without the monitor hearing of it
    // (its server cut off from the leader can hold a blocking query for minutes).
    this.renewer?.expired.addEventListener('abort', () => lost.abort(), { once: true });
    return lost.signal;
  }

  private async acquireLoop(stop: AbortSignal): Promise<boolean> {
    const start = Date.now();
    let waitIndex = 0;
    let waitMs = this.opts.lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      if (stop.aborted) return false;
      if (this.opts.tryOnce && attempt > 0) {
        const elapsed = Date.now() - start;
        if (elapsed > this.opts.lockWaitMs) return false;
        waitMs = this.opts.lockWaitMs - elapsed;
      }
      const got = await this.read(stop, waitIndex, waitMs);
      if (got === null) return false;
      const { pair, index } = got;
      if (pair && !flagIs(pair.Flags, LOCK_FLAG_VALUE)) throw ErrLockConflict;
      if (pair?.Session === this.session) return (this.held = true);
      if (pair && pair.Session !== '') {
        waitIndex = index;
        continue;
      }
      let locked: boolean;
      try {
        locked = await this.apis.kv.acquire(this.entry());
      } catch (err) {
        throw new Error(`failed to acquire lock: ${(err as Error).message}`);
      }
      if (locked) return (this.held = true);
      // Refused: someone got there first (wait on them), or a lock-delay runs (retry later).
      const again = await this.read(stop, 0, waitMs);
      if (again === null) return false;
      if (again.pair && again.pair.Session !== '') {
        waitIndex = again.index;
        continue;
      }
      waitIndex = 0;
      if (!(await sleep(DEFAULT_LOCK_RETRY_MS, stop))) return false;
    }
  }

  private async read(stop: AbortSignal, waitIndex: number, waitMs: number): Promise<{ pair: KVPair | null; index: number } | null> {
    try {
      const { pair, meta } = await this.apis.kv.get(this.opts.key, { waitIndex, waitTimeMs: waitMs, signal: stop });
      return { pair, index: meta.lastIndex };
    } catch (err) {
      if (stop.aborted) return null;
      throw new Error(`failed to read lock: ${(err as Error).message}`);
    }
  }

  /** Watch the key (consistent reads) until our session no longer holds it. */
  private async monitor(session: string, stop: AbortSignal): Promise<void> {
    let waitIndex = 0;
    let retries = this.opts.monitorRetries;
    while (!stop.aborted) {
      let got: { pair: KVPair | null; meta: { lastIndex: number } };
      try {
        got = await this.apis.kv.get(this.opts.key, { requireConsistent: true, waitIndex, signal: stop });
      } catch (err) {
        if (stop.aborted || retries <= 0 || !isRetryable(err)) return;
        retries--;
        waitIndex = 0;
        if (!(await sleep(this.opts.monitorRetryMs, stop))) return;
        continue;
      }
      if (got.pair?.Session !== session) return;
      retries = this.opts.monitorRetries;
      waitIndex = got.meta.lastIndex;
    }
  }

  private async dropSession(): Promise<void> {
    const r = this.renewer;
    this.renewer = undefined;
    await r?.stop();
  }

  /** Release the lock and destroy the session. */
  async unlock(): Promise<void> {
    if (!this.held) throw ErrLockNotHeld;
    this.held = false;
    const entry = this.entry();
    this.session = '';
    this.monitorStop?.abort();
    try {
      await this.apis.kv.release(entry);
    } catch (err) {
      throw new Error(`failed to release lock: ${(err as Error).message}`);
    } finally {
      await this.dropSession();
    }
  }

  /** Delete the lock key if no one holds it (ErrLockInUse otherwise). */
  async destroy(): Promise<void> {
    if (this.held) throw ErrLockHeld;
    let pair: KVPair | null;
    try {
      pair = (await this.apis.kv.get(this.opts.key)).pair;
    } catch (err) {
      throw new Error(`failed to read lock: ${(err as Error).message}`);
    }
    if (!pair) return;
    if (!flagIs(pair.Flags, LOCK_FLAG_VALUE)) throw ErrLockConflict;
    if (pair.Session !== '') throw ErrLockInUse;
    let removed: boolean;
    try {
      removed = await this.apis.kv.deleteCAS(this.opts.key, pair.ModifyIndex);
    } catch (err) {
      throw new Error(`failed to remove lock: ${(err as Error).message}`);
    }
    if (!removed) throw ErrLockInUse;
  }
}
