// The steps of a graceful leave (serf's Leave), as a pure state machine the Serf ticks:
//   1. our leave intent goes out (its broadcast retired from the queue) - skipped if nobody is alive;
//   2. memberlist's leave (dead about ourselves) is handed to the network;
//   3. we linger leavePropagateDelay to answer probes while the news spreads; then we are left.
// Steps 1 and 2 each give up after broadcastTimeout with serf's error texts.

export type LeaveStep =
  | { readonly step: 'intent'; readonly until: number }
  | { readonly step: 'memberlist'; readonly until: number }
  | { readonly step: 'propagate'; readonly until: number };

export type LeaveAdvance =
  | { readonly kind: 'wait' }
  | { readonly kind: 'start-memberlist-leave' }
  | { readonly kind: 'done'; readonly error?: string };

export class LeaveProcess {
  private current: LeaveStep;
  private intentSent = false;

  constructor(
    now: number,
    broadcastIntent: boolean,
    private readonly broadcastTimeoutMs: number,
    private readonly propagateDelayMs: number,
  ) {
    this.current = broadcastIntent
      ? { step: 'intent', until: now + broadcastTimeoutMs }
      : { step: 'memberlist', until: now + broadcastTimeoutMs };
  }

  /** True when step 2 must be started right away (no intent to wait for). */
  startsWithMemberlist(): boolean {
    return this.current.step === 'memberlist';
  }

  /** The intent's broadcast was retired (sent as often as memberlist allows). */
  intentFinished(): void {
    this.intentSent = true;
  }

  deadline(): number {
    if (this.current.step === 'intent' && this.intentSent) return 0;
    return this.current.until;
  }

  advance(now: number, memberlistLeaveSent: boolean): LeaveAdvance {
    switch (this.current.step) {
      case 'intent':
        if (this.intentSent) {
          this.current = { step: 'memberlist', until: now + this.broadcastTimeoutMs };
          return { kind: 'start-memberlist-leave' };
        }
        if (now >= this.current.until) return { kind: 'done', error: 'timeout while waiting for graceful leave' };
        return { kind: 'wait' };
      case 'memberlist':
        if (memberlistLeaveSent) {
          this.current = { step: 'propagate', until: now + this.propagateDelayMs };
          return this.advance(now, memberlistLeaveSent);
        }
        if (now >= this.current.until) return { kind: 'done', error: 'timeout waiting for leave broadcast' };
        return { kind: 'wait' };
      case 'propagate':
        return now >= this.current.until ? { kind: 'done' } : { kind: 'wait' };
    }
  }
}
