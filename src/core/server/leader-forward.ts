// Forwarding a call to the Raft leader across elections (Consul: agent/consul/rpc.go ForwardRPC,
// canRetry and the RPCHoldTimeout loop). While no leader is known, or the one we knew stops
// answering, the call is held and retried for up to rpc_hold_timeout, so a leader election looks
// like latency to clients, not like errors.
//
// MUST: retry only what cannot have acted twice. Always: no leader (nothing was sent), and a
//       connection that never opened (nothing was sent either; Consul's ErrNoLeader rule extends
//       to it). Reads also after a connection broke mid-call (Consul: IsRead && IsErrEOF). A write
//       whose connection broke mid-call may have committed: its error goes back to the client.
// MUST: every wait is bounded by the hold timeout, measured from the first attempt.
import { Errors, HttpError } from '../errors.js';
import { RpcError } from '../rpc/index.js';
import { monotonicMs } from '../support/clock.js';

/** Where the leader is now: this server, another server's RPC address, or unknown. */
export type LeaderTarget = { readonly self: true } | { readonly self: false; readonly addr: string } | undefined;

export interface LeaderForwardOptions<T> {
  readonly leader: () => LeaderTarget;
  /** One attempt against the leader at `addr`. */
  readonly call: (addr: string) => Promise<T>;
  /** Reads may be retried after a broken connection; writes may not. */
  readonly isRead: boolean;
  readonly holdTimeoutMs: number;
  /** An answer that means "no leader over there" (it lost leadership meanwhile): retried like one. */
  readonly isNoLeader?: (answer: T) => boolean;
  readonly random?: () => number;
}

const NO_LEADER = 'No cluster leader';

/** Consul's canRetry: no leader always; I/O errors only when nothing was sent, or for reads. */
export function canRetry(err: unknown, isRead: boolean): boolean {
  if (err instanceof HttpError || err instanceof RpcError) {
    if (err.message === NO_LEADER) return true;
  }
  if (!(err instanceof RpcError) || err.kind !== 'conn') return false;
  return err.neverSent || isRead;
}

/** Consul's lib.RandomStagger(RPCHoldTimeout / JitterFraction), JitterFraction = 16. */
export function holdJitterMs(holdTimeoutMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * (holdTimeoutMs / 16));
}

function sameTarget(a: LeaderTarget, b: LeaderTarget): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.self || b.self) return a.self === b.self;
  return a.addr === b.addr;
}

const POLL_MS = 20;

/**
 * Waits the jittered backoff, but wakes as soon as the leader differs from `failed` (a new one
 * was elected, or the old one forgotten), so the added latency is the election, not the backoff.
 */
async function backoff(o: LeaderForwardOptions<unknown>, failed: LeaderTarget, deadline: number): Promise<void> {
  const until = Math.min(deadline, monotonicMs() + Math.max(POLL_MS, holdJitterMs(o.holdTimeoutMs, o.random)));
  while (monotonicMs() < until) {
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, until - monotonicMs())));
    const now = o.leader();
    if (!sameTarget(now, failed) && now !== undefined) return;
  }
}

/**
 * A read pending at a server that is no longer the leader (another one was elected, or we lead
 * now) is abandoned and retried there: reads have no effect, and the old leader may be cut off,
 * its connection silent for minutes (a blocking query waits up to its whole `wait`). Consul gets
 * the same from yamux keepalives failing the stream; waiting for the new leader is quicker.
 */
async function untilLeaderMoves<T>(call: Promise<T>, leader: () => LeaderTarget, asked: LeaderTarget): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const moved = new Promise<never>((_, reject) => {
    const check = (): void => {
      const now = leader();
      if (now !== undefined && !sameTarget(now, asked)) reject(Errors.noLeader());
      else timer = setTimeout(check, LEADER_WATCH_MS);
    };
    timer = setTimeout(check, LEADER_WATCH_MS);
  });
  call.catch(() => undefined); // an abandoned call's late failure is nobody's business
  try {
    return await Promise.race([call, moved]);
  } finally {
    clearTimeout(timer);
  }
}

const LEADER_WATCH_MS = 100;

/**
 * Runs `call` against the current leader, holding and retrying through elections. Resolves
 * undefined when this server is (or became) the leader: the caller serves the request itself.
 * Rejects with the last error, or with "No cluster leader" when none appeared within the hold.
 */
export async function forwardToLeader<T>(o: LeaderForwardOptions<T>): Promise<T | undefined> {
  const deadline = monotonicMs() + o.holdTimeoutMs;
  for (;;) {
    const target = o.leader();
    if (target?.self) return undefined;
    let err: unknown = Errors.noLeader();
    let answer: { value: T } | undefined;
    if (target !== undefined) {
      try {
        const value = o.isRead ? await untilLeaderMoves(o.call(target.addr), o.leader, target) : await o.call(target.addr);
        if (!o.isNoLeader?.(value)) return value;
        answer = { value };
      } catch (e) {
        err = e;
      }
    }
    if (answer === undefined && !canRetry(err, o.isRead)) throw err;
    if (monotonicMs() >= deadline) {
      if (answer !== undefined) return answer.value;
      throw err;
    }
    await backoff(o as LeaderForwardOptions<unknown>, target, deadline);
  }
}
