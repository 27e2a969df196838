// An in-memory RaftStorage with the write methods a driver needs (like etcd's MemoryStorage).
// Used by the simulator, the unit tests, and `-dev` servers without a data dir.
//
// MUST: ents[0] is a dummy entry at the compaction point (snapshot index and term), so term() of
// the snapshot index answers and firstIndex() = ents[0].index + 1.

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
