// An in-memory RaftStorage with the write methods a driver needs (like etcd's MemoryStorage).
// Used by the simulator, the unit tests, and `-dev` servers without a data dir.
//
// MUST: ents[0] is a dummy entry at the compaction point (snapshot index and term), so term() of
// the snapshot index answers and firstIndex() = ents[0].index + 1.
//
// Bounded memory (hashicorp/raft keeps only a small log cache too): a driver that has the log on
// disk may evict() applied entries. An evicted entry keeps its index and term (term() still
// answers, so log matching needs no disk) but drops its data. entries() over an evicted range is
// served from the `loaded` window the driver filled from disk (supplyLoaded), else it records the
// range (takeLoadRequests) and throws RaftError('notLoaded'): the leader skips that append and
// retries once the driver has read the entries (RawNode.retryAppends). The core stays pure: it
// never waits for the disk, it only sends later.

import { invariant } from '../../support/assert.js';
import { EMPTY_CONF, encodeConfState, normalizeConf } from './conf.js';
import { RaftError, type ConfState, type Entry, type HardState, type NodeId, type RaftStorage, type Snapshot } from './types.js';

const EMPTY = new Uint8Array(0);

function dummy(index: number, term: number): Entry {
  return { index, term, kind: 'noop', data: EMPTY };
}

export class MemoryStorage implements RaftStorage {
  private hardState: HardState = { term: 0, vote: '', commit: 0 };
  private snap: Snapshot = { meta: { index: 0, term: 0, conf: EMPTY_CONF }, data: EMPTY };
  private ents: Entry[] = [dummy(0, 0)];
  /** Entries <= this index hold no data (see evict); always >= the compaction point. */
  private evictedTo = 0;
  /** Consecutive evicted entries read back from disk by the driver (at most one window). */
  private loaded: Entry[] = [];
  /** Evicted ranges [lo, hi) that entries() was asked for and could not serve. */
  private loadRequests: { lo: number; hi: number }[] = [];

  /** A fresh store holding a bootstrapped configuration (see bootstrapStorage). */
  static bootstrap(voters: readonly NodeId[]): MemoryStorage {
    const s = new MemoryStorage();
    bootstrapStorage(s, voters);
    return s;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.meta.conf };
  }

  private offset(): number {
    return (this.ents[0] as Entry).index;
  }

  entries(lo: number, hi: number, maxBytes = Number.POSITIVE_INFINITY): Entry[] {
    if (lo <= this.offset()) throw new RaftError('compacted', `entry ${lo} is compacted`);
    if (hi > this.lastIndex() + 1) throw new RaftError('unavailable', `entry ${hi - 1} is beyond the last index`);
    if (lo <= this.evictedTo) return this.fromLoaded(lo, Math.min(hi, this.evictedTo + 1), maxBytes);
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.ents[i - this.offset()] as Entry;
      size += e.data.length;
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  term(i: number): number {
    if (i < this.offset()) throw new RaftError('compacted', `term of ${i}: compacted`);
    if (i > this.lastIndex()) throw new RaftError('unavailable', `term of ${i}: beyond the last index`);
    return (this.ents[i - this.offset()] as Entry).term;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Evicted entries from the loaded window (fewer than asked when the window ends first). */
  private fromLoaded(lo: number, hi: number, maxBytes: number): Entry[] {
    const first = this.loaded[0]?.index ?? 0;
    const end = first + this.loaded.length;
    if (this.loaded.length === 0 || lo < first || lo >= end) {
      if (!this.loadRequests.some((r) => r.lo === lo)) this.loadRequests.push({ lo, hi });
      throw new RaftError('notLoaded', `entries from ${lo} are on disk only`);
    }
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < Math.min(hi, end); i++) {
      const e = this.loaded[i - first] as Entry;
      size += e.data.length;
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  // ---- bounded memory (driver side) ------------------------------------------------------------

  /** The highest index whose data was dropped from memory (0: none). */
  evictedIndex(): number {
    return this.evictedTo;
  }

  /**
   * Drops the data of entries <= index from memory; they MUST be durable in the driver's log
   * store and applied (so never truncated), and the driver MUST serve takeLoadRequests().
   */
  evict(index: number): void {
    const to = Math.min(index, this.lastIndex());
    if (to <= this.evictedTo) return;
    for (let i = Math.max(this.evictedTo, this.offset()) + 1; i <= to; i++) {
      const e = this.ents[i - this.offset()] as Entry;
      this.ents[i - this.offset()] = { index: e.index, term: e.term, kind: e.kind, data: EMPTY };
    }
    this.evictedTo = to;
  }

  hasLoadRequests(): boolean {
    return this.loadRequests.length > 0;
  }

  /** The evicted ranges asked for since the last call (the driver reads them from disk). */
  takeLoadRequests(): { lo: number; hi: number }[] {
    const out = this.loadRequests;
    this.loadRequests = [];
    return out;
  }

  /** Entries read back from disk: they replace the previous window (consecutive, evicted ones). */
  supplyLoaded(entries: readonly Entry[]): void {
    const usable: Entry[] = [];
    for (const e of entries) {
      if (e.index <= this.offset() || e.index > this.evictedTo) continue;
      const prev = usable[usable.length - 1];
      invariant(prev === undefined || e.index === prev.index + 1, 'supplyLoaded: entries are not consecutive');
      invariant(e.term === this.term(e.index), () => `supplyLoaded: entry ${e.index} has term ${e.term}, the log says ${this.term(e.index)}`);
      usable.push(e);
    }
    this.loaded = usable;
  }

  // ---- writes (driver side) ------------------------------------------------------------------

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  hardStateNow(): HardState {
    return this.hardState;
  }

  /** The initial configuration of a store that has no snapshot yet. */
  setConfState(cs: ConfState): void {
    this.snap = { meta: { ...this.snap.meta, conf: normalizeConf(cs) }, data: this.snap.data };
  }

  /** Appends entries; an entry at an existing index replaces it and everything after it. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    invariant(first.index <= this.lastIndex() + 1, () => `storage append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    // Entries already covered by the compaction point are dropped (they are committed and equal).
    const skip = Math.max(0, this.offset() + 1 - first.index);
    if (skip >= entries.length) return;
    const start = first.index + skip;
    invariant(start > this.evictedTo, () => `storage append at ${start} would replace evicted (applied) entries up to ${this.evictedTo}`);
    this.ents.length = start - this.offset();
    for (let i = skip; i < entries.length; i++) this.ents.push(entries[i] as Entry);
  }

  /** Replaces the whole log by a snapshot received from the leader. */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index <= this.snap.meta.index) {
      throw new RaftError('compacted', `snapshot ${snap.meta.index} is older than ${this.snap.meta.index}`);
    }
    this.snap = snap;
    this.ents = [dummy(snap.meta.index, snap.meta.term)];
    this.evictedTo = snap.meta.index;
    this.loaded = [];
  }

  /** Records a snapshot of the FSM at `index` (<= applied); does not compact. */
  createSnapshot(index: number, conf: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.meta.index) {
      throw new RaftError('compacted', `snapshot at ${index} is not newer than ${this.snap.meta.index}`);
    }
    invariant(index <= this.lastIndex(), () => `snapshot at ${index} beyond last index ${this.lastIndex()}`);
    this.snap = { meta: { index, term: this.term(index), conf: normalizeConf(conf) }, data };
    return this.snap;
  }

  /** Drops entries <= index, keeping the term of `index` as the compaction point. */
  compact(index: number): void {
    if (index <= this.offset()) return;
    invariant(index <= this.lastIndex(), () => `compact ${index} beyond last index ${this.lastIndex()}`);
    invariant(index <= this.snap.meta.index, () => `compact ${index} beyond the snapshot ${this.snap.meta.index}`);
    const cut = index - this.offset();
    const rest = this.ents.slice(cut + 1);
    this.ents = [dummy(index, (this.ents[cut] as Entry).term), ...rest];
    this.evictedTo = Math.max(this.evictedTo, index);
    this.loaded = this.loaded.filter((e) => e.index > index);
  }
}

/**
 * Makes a brand-new store the first member(s) of a cluster, like etcd's Bootstrap: a committed
 * config entry at index 1, term 1. A single bootstrapped voter then elects itself on campaign()
 * or after an election timeout. Every initial voter must be bootstrapped with the same list.
 */
export function bootstrapStorage(storage: MemoryStorage, voters: readonly NodeId[]): void {
  invariant(storage.lastIndex() === 0 && storage.firstIndex() === 1, 'bootstrap: storage is not empty');
  invariant(voters.length > 0, 'bootstrap: need at least one voter');
  const conf = normalizeConf({ voters, learners: [] });
  storage.append([{ index: 1, term: 1, kind: 'config', data: encodeConfState(conf) }]);
  storage.setHardState({ term: 1, vote: '', commit: 1 });
  storage.setConfState(conf);
}
