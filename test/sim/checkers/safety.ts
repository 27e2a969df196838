// Raft's safety properties (Raft §5.4, Figure 3), checked while the simulation runs:
//   Election Safety      at most one leader per term
//   Log Matching         same index and term => same entry and same history before it
//   Leader Completeness  a committed entry is in the log of every later leader
//   State Machine Safety no two nodes apply different entries at one index
// plus ReadIndex linearizability (a read point covers every commit made before the read began).

import type { Entry, MemoryStorage, NodeId } from '../../../src/core/raft/core/index.js';

export class SafetyViolation extends Error {
  constructor(readonly property: string, detail: string) {
    super(`${property}: ${detail}`);
    this.name = 'SafetyViolation';
  }
}

const dec = new TextDecoder();

function entryKey(e: Entry): string {
  return `${e.kind}:${dec.decode(e.data)}`;
}

export class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** "index:term" -> the entry and the term of its predecessor. */
  private readonly logIndex = new Map<string, { key: string; prevTerm: number | undefined }>();
  /** index -> the entry every node applied there. */
  private readonly appliedAt = new Map<number, { term: number; key: string; by: NodeId }>();
  private readonly completenessChecked = new Set<string>();
  maxCommitEver = 0;
  leaderChecks = 0;

  /** Election Safety (Raft §5.2). */
  leader(id: NodeId, term: number): void {
    const prev = this.leaderOfTerm.get(term);
    if (prev === undefined) this.leaderOfTerm.set(term, id);
    else if (prev !== id) throw new SafetyViolation('election safety', `term ${term} has two leaders: ${prev} and ${id}`);
  }

  leaderCount(): number {
    return this.leaderOfTerm.size;
  }

  /** Log Matching (Raft §5.3), checked on every persisted entry against every other node's. */
  persisted(node: NodeId, entries: readonly Entry[], storage: MemoryStorage): void {
    for (const e of entries) {
      const prevIdx = e.index - 1;
      const prevTerm = prevIdx >= storage.firstIndex() - 1 ? storage.term(prevIdx) : undefined;
      const k = `${e.index}:${e.term}`;
      const seen = this.logIndex.get(k);
      if (seen === undefined) {
        this.logIndex.set(k, { key: entryKey(e), prevTerm });
        continue;
      }
      if (seen.key !== entryKey(e)) {
        throw new SafetyViolation('log matching', `${node} persisted a different entry at index ${e.index} term ${e.term}`);
      }
      if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
        throw new SafetyViolation('log matching',
          `${node}: entry ${e.index}@${e.term} follows term ${prevTerm}, elsewhere term ${seen.prevTerm}`);
      }
      if (seen.prevTerm === undefined && prevTerm !== undefined) this.logIndex.set(k, { key: seen.key, prevTerm });
    }
  }

  /** State Machine Safety (Raft §5.4.3). */
  applied(node: NodeId, e: Entry): void {
    const seen = this.appliedAt.get(e.index);
    const key = entryKey(e);
    if (seen === undefined) this.appliedAt.set(e.index, { term: e.term, key, by: node });
    else if (seen.term !== e.term || seen.key !== key) {
      throw new SafetyViolation('state machine safety',
        `${node} applied ${e.index}@${e.term} (${key}) but ${seen.by} applied ${e.index}@${seen.term} (${seen.key})`);
    }
    this.maxCommitEver = Math.max(this.maxCommitEver, e.index);
  }

  commit(index: number): void {
    this.maxCommitEver = Math.max(this.maxCommitEver, index);
  }

  appliedTerm(index: number): number | undefined {
    return this.appliedAt.get(index)?.term;
  }

  /**
   * Leader Completeness (Raft §5.4): called once per (leader, term) right after the leader's
   * Ready was persisted, when its storage holds its whole log.
   */
  leaderComplete(id: NodeId, term: number, storage: MemoryStorage): void {
    const k = `${id}:${term}`;
    if (this.completenessChecked.has(k)) return;
    this.completenessChecked.add(k);
    this.leaderChecks++;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    for (const [index, a] of this.appliedAt) {
      if (index < first) continue; // covered by the leader's snapshot
      if (index > last) {
        throw new SafetyViolation('leader completeness', `leader ${id} (term ${term}) lacks committed entry ${index} (its last is ${last})`);
      }
      const t = storage.term(index);
      if (t !== a.term) {
        throw new SafetyViolation('leader completeness', `leader ${id} (term ${term}) has ${index}@${t}, committed was ${index}@${a.term}`);
      }
    }
  }

  /** ReadIndex (thesis §6.4): the read point covers every commit known before the request. */
  readPoint(node: NodeId, context: string, index: number, minIndex: number): void {
    if (index < minIndex) {
      throw new SafetyViolation('linearizable read', `${node}: read ${context} got index ${index}, but ${minIndex} was committed before it began`);
    }
  }

  /** Full Log Matching over stable logs: from the highest common (index, term) down, all equal. */
  static compareLogs(a: { id: NodeId; storage: MemoryStorage }, b: { id: NodeId; storage: MemoryStorage }): void {
    const lo = Math.max(a.storage.firstIndex(), b.storage.firstIndex());
    const hi = Math.min(a.storage.lastIndex(), b.storage.lastIndex());
    let matched = false;
    for (let i = hi; i >= lo; i--) {
      const ta = a.storage.term(i);
      const tb = b.storage.term(i);
      if (!matched && ta === tb) matched = true;
      if (matched) {
        const [ea] = a.storage.entries(i, i + 1);
        const [eb] = b.storage.entries(i, i + 1);
        if (ta !== tb || ea === undefined || eb === undefined || entryKey(ea) !== entryKey(eb)) {
          throw new SafetyViolation('log matching', `${a.id} and ${b.id} share a later entry but differ at index ${i}`);
        }
      }
    }
  }
}
