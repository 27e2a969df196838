// One suspicion timer (memberlist suspicion.go, Lifeguard): a suspect node is declared dead when
// its deadline passes. The deadline starts at `max` (or `min` when no confirmations are expected)
// and is pulled towards `min` as distinct peers independently confirm the suspicion.
// Pure: the owner polls `deadlineMs` and calls its own timeout handler; no timers here.
import { remainingSuspicionMs } from './scaling.js';

export class Suspicion {
  /** Independent confirmations received so far (the original accuser is not counted). */
  private confirmations = 0;
  private readonly seen = new Set<string>();
  private deadline: number;

  constructor(
    from: string,
    /** Confirmations expected before the timeout reaches its minimum. */
    readonly k: number,
    readonly minMs: number,
    readonly maxMs: number,
    readonly startMs: number,
  ) {
    this.seen.add(from);
    this.deadline = startMs + (k < 1 ? minMs : maxMs);
  }

  get deadlineMs(): number {
    return this.deadline;
  }

  get numConfirmations(): number {
    return this.confirmations;
  }

  /**
   * Count a suspect message from `from`. True when it was new information (a fresh confirmer
   * while more are still useful), which is the signal to re-gossip it.
   */
  confirm(from: string, now: number): boolean {
    if (this.confirmations >= this.k) return false;
    if (this.seen.has(from)) return false;
    this.seen.add(from);
    this.confirmations++;
    const elapsed = now - this.startMs;
    const remaining = remainingSuspicionMs(this.confirmations, this.k, elapsed, this.minMs, this.maxMs);
    // Go fires at once when nothing remains; a deadline of `now` makes the next tick do that.
    this.deadline = remaining > 0 ? now + remaining : now;
    return true;
  }
}
