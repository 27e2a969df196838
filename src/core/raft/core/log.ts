// The Raft log as the core sees it: the driver's stable storage (read-only) followed by the
// unstable tail, plus the commit and apply cursors.
//
// MUST: applied <= applying <= committed <= lastIndex. `applying` is the last index handed out in
// a Ready's committedEntries (or snapshot); `applied` moves on advance(). Committed entries are
// never truncated (Raft §5.4: Leader Completeness makes that impossible for a correct cluster).

import { invariant } from '../../support/assert.js';
import { Unstable } from './unstable.js';
import { RaftError, type Entry, type RaftStorage, type Snapshot } from './types.js';

export class RaftLog {
  readonly unstable: Unstable;
  committed: number;
  applying: number;
  applied: number;

  constructor(readonly storage: RaftStorage) {
    this.unstable = new Unstable(storage.lastIndex() + 1);
    const first = storage.firstIndex();
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The term at i, or 0 when i is compacted away or beyond the end (never matches a real term). */
  term(i: number): number {
    const u = this.unstable.maybeTerm(i);
    if (u !== undefined) return u;
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return 0;
    return this.storage.term(i);
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  matchTerm(i: number, t: number): boolean {
    if (i > this.lastIndex() || i < this.firstIndex() - 1) return false;
    return this.term(i) === t;
  }

  /** Raft §5.4.1: a candidate's log is at least as up-to-date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** The first index of `ents` whose term differs from ours (a conflict or a new entry), else 0. */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`. Terms never decrease along a log, so
   * this is a binary search (fast backtracking, Raft §5.3 "optimization"; etcd findConflictByTerm).
   */
  findConflictByTerm(index: number, term: number): number {
    let lo = this.firstIndex() - 1; // the compaction point: committed, so it always matches
    let hi = Math.min(index, this.lastIndex());
    if (hi <= lo) return Math.max(hi, 0);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.term(mid) <= term) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first index of the run of entries sharing the term of entry `i` (binary search). */
  termRunStart(i: number): number {
    const t = this.term(i);
    let lo = this.firstIndex() - 1;
    let hi = i;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.term(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Follower side of AppendEntries (Raft §5.3): if our entry at prevIndex has prevTerm, drop any
   * conflicting suffix, append the new entries and advance commit. Returns the last index now
   * known to match the leader, or undefined when prevIndex/prevTerm does not match.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      invariant(ci > this.committed, () => `entry ${ci} conflicts with committed entry (commit ${this.committed})`);
      this.append(ents.slice(ci - prevIndex - 1));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  append(ents: readonly Entry[]): number {
    const first = ents[0];
    if (first === undefined) return this.lastIndex();
    invariant(first.index > this.committed, () => `append at ${first.index} would overwrite commit ${this.committed}`);
    invariant(first.index <= this.lastIndex() + 1, () => `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Entries in [lo, hi), at most maxBytes of data (at least one). Throws 'compacted' below firstIndex. */
  slice(lo: number, hi: number, maxBytes = Number.POSITIVE_INFINITY): Entry[] {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) throw new RaftError('compacted', `log entry ${lo} is compacted`);
    invariant(hi <= this.lastIndex() + 1, () => `slice(${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    const uoff = this.unstable.offset;
    let out: Entry[] = [];
    if (lo < uoff) {
      out = this.storage.entries(lo, Math.min(hi, uoff), maxBytes);
      if (out.length < Math.min(hi, uoff) - lo) return out; // the size limit cut it short
    }
    if (hi > uoff) {
      const tail = this.unstable.slice(Math.max(lo, uoff), hi);
      out = out.length === 0 ? tail : out.concat(tail);
    }
    return limitSize(out, maxBytes);
  }

  hasNextCommittedEnts(): boolean {
    return this.committed > Math.max(this.applying, this.firstIndex() - 1);
  }

  nextCommittedEnts(maxBytes: number): Entry[] {
    const lo = Math.max(this.applying + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, maxBytes);
  }

  commitTo(c: number): void {
    if (c <= this.committed) return; // commit never decreases
    invariant(c <= this.lastIndex(), () => `commit ${c} beyond last index ${this.lastIndex()}`);
    this.committed = c;
  }

  /** Raft §5.4.2: only an entry of the leader's current term is committed by counting replicas. */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  acceptApplying(i: number): void {
    invariant(i <= this.committed, () => `applying ${i} beyond commit ${this.committed}`);
    this.applying = Math.max(this.applying, i);
  }

  appliedTo(i: number): void {
    invariant(i <= this.committed, () => `applied ${i} beyond commit ${this.committed}`);
    this.applied = Math.max(this.applied, i);
    this.applying = Math.max(this.applying, this.applied);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Replaces the log by an incoming snapshot (Raft §7, InstallSnapshot). */
  restore(s: Snapshot): void {
    invariant(s.meta.index > this.committed, 'restore of a snapshot behind the commit index');
    this.committed = s.meta.index;
    this.unstable.restore(s);
  }
}

/** Keeps a prefix of at most maxBytes of entry data, but always at least one entry. */
export function limitSize(ents: Entry[], maxBytes: number): Entry[] {
  if (ents.length <= 1 || maxBytes === Number.POSITIVE_INFINITY) return ents;
  let size = (ents[0] as Entry).data.length;
  for (let i = 1; i < ents.length; i++) {
    size += (ents[i] as Entry).data.length;
    if (size > maxBytes) return ents.slice(0, i);
  }
  return ents;
}
