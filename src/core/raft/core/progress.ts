// The leader's view of each follower's log (Raft §5.3 nextIndex/matchIndex) plus flow control.
//
// States (as in etcd): `probe` sends one append at a time until the follower's position is known;
// `replicate` pipelines appends optimistically (at most maxInflight unacknowledged messages);
// `snapshot` sends nothing until the snapshot is reported installed or failed.
// MUST: match < next; match only grows within a term.

import { invariant } from '../../support/assert.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** A bounded FIFO of the last index of each append in flight. */
export class Inflights {
  private readonly buffer: number[] = [];
  private start = 0;
  count = 0;

  constructor(readonly capacity: number) {
    invariant(capacity >= 1, 'maxInflight must be >= 1');
  }

  full(): boolean {
    return this.count >= this.capacity;
  }

  add(last: number): void {
    invariant(!this.full(), 'inflights: add when full');
    this.buffer[(this.start + this.count) % this.capacity] = last;
    this.count++;
  }

  /** Frees every in-flight append whose last index is <= to (acknowledged). */
  freeLE(to: number): void {
    while (this.count > 0 && (this.buffer[this.start] as number) <= to) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  freeFirstOne(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is out and we wait for its answer (or a heartbeat answer). */
  probeSent = false;
  pendingSnapshot = 0;
  /** Tick of the last answer heard from this peer (-Infinity: never in this term). Lease input. */
  lastAckTick = Number.NEGATIVE_INFINITY;
  /** Like lastAckTick but starts at the tick the peer was added (CheckQuorum grace period). */
  activeTick: number;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, public isLearner: boolean, nowTick: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
    this.activeTick = nowTick;
  }

  heardFrom(tick: number): void {
    this.lastAckTick = tick;
    this.activeTick = tick;
  }

  becomeProbe(): void {
    // After a snapshot, resume right after it: the follower now holds everything up to it.
    const floor = this.state === 'snapshot' ? Math.max(this.match, this.pendingSnapshot) : this.match;
    this.state = 'probe';
    this.next = floor + 1;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = snapshotIndex;
    this.probeSent = false;
    this.inflights.reset();
  }

  /** An append was acknowledged up to n. Returns whether match moved. */
  maybeUpdate(n: number): boolean {
    const updated = this.match < n;
    if (updated) {
      this.match = n;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * An append with prevIndex `rejected` was refused; the follower suggests retrying after `hint`.
   * Returns false when the rejection is stale (answers an older probe or a pipelined message
   * already superseded).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    invariant(this.next > this.match, 'progress: next must stay above match');
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  /** Bookkeeping after sending an append carrying `count` entries ending at `last`. */
  sentEntries(count: number, last: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = last + 1;
        this.inflights.add(last);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }
}
