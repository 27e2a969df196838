// Session TTL timers, run by the leader only (Consul: agent/consul/session_ttl.go).
//
// - A session with a TTL is invalidated once TTL x SESSION_TTL_MULTIPLIER passes without a renew
//   (the grace covers clients' renew latency; Consul promises "not before TTL", nothing tighter).
// - On gaining leadership every TTL session in the state is re-armed with a full period, so the
//   timers survive a leader change; on losing it they are all stopped.
// - Expiry proposes a session destroy through Raft; a failed proposal is retried with backoff.
import { SESSION_TTL_MULTIPLIER, type Session } from '../structs/session.js';
import { DurationError, parseGoDuration } from '../support/duration.js';
import { systemClock, type ServerClock, type TimerHandle } from './timers.js';

const MAX_INVALIDATE_ATTEMPTS = 6;
const INVALIDATE_RETRY_BASE_MS = 10_000;

export class SessionTimers {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    /** Propose the destroy; rejects if the proposal failed (e.g. leadership lost). */
    private readonly invalidate: (id: string) => Promise<void>,
    private readonly clock: ServerClock = systemClock,
  ) {}

  get size(): number {
    return this.timers.size;
  }

  /** Arm every TTL session (a new leader's duty, Consul: initializeSessionTimers). */
  initialize(sessions: Iterable<Session>): void {
    for (const s of sessions) this.reset(s);
  }

  /** (Re)start the session's timer; sessions without a TTL have none. */
  reset(session: Pick<Session, 'ID' | 'TTL'>): void {
    const ttlMs = ttlOf(session.TTL);
    if (ttlMs <= 0) return;
    this.timers.get(session.ID)?.cancel();
    const id = session.ID;
    this.timers.set(
      id,
      this.clock.after(ttlMs * SESSION_TTL_MULTIPLIER, () => {
        this.timers.delete(id);
        void this.expire(id, 0);
      }),
    );
  }

  clear(id: string): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
  }

  clearAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private async expire(id: string, attempt: number): Promise<void> {
    try {
      await this.invalidate(id);
    } catch {
      if (attempt + 1 >= MAX_INVALIDATE_ATTEMPTS) return;
      this.timers.set(
        id,
        this.clock.after(INVALIDATE_RETRY_BASE_MS * 2 ** attempt, () => {
          this.timers.delete(id);
          void this.expire(id, attempt + 1);
        }),
      );
    }
  }
}

/** The TTL in ms; 0 for none. A TTL that does not parse was refused at create, so it is none. */
function ttlOf(ttl: string): number {
  if (ttl === '') return 0;
  try {
    return parseGoDuration(ttl);
  } catch (err) {
    if (err instanceof DurationError) return 0;
    throw err;
  }
}
