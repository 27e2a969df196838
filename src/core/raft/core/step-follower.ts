// Follower behaviour: AppendEntries (Raft §5.3), heartbeats, InstallSnapshot (§7), TimeoutNow
// (thesis §3.10) and forwarded ReadIndex answers (thesis §6.4).

import type { Raft } from './raft.js';
import type { Message, Snapshot } from './types.js';
import { hup } from './step-candidate.js';

type Msg<T extends Message['type']> = Extract<Message, { type: T }>;

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'append':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppend(r, m);
      return;
    case 'heartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return;
    case 'snapshot':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return;
    case 'timeoutNow':
      // The leader asked us to take over: campaign now, skipping PreVote and the voters' lease.
      hup(r, true);
      return;
    case 'readIndexResp':
      r.readStates.push({ context: m.context, index: m.index });
      return;
    default:
      return;
  }
}

function handleAppend(r: Raft, m: Msg<'append'>): void {
  if (m.prevIndex < r.log.committed) {
    // Everything up to our commit already matches the leader (Log Matching); say so.
    r.send({ type: 'appendResp', to: m.from, index: r.log.committed, reject: false, rejectHint: 0 });
    return;
  }
  const last = r.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
  if (last !== undefined) {
    r.send({ type: 'appendResp', to: m.from, index: last, reject: false, rejectHint: 0 });
    return;
  }
  r.send({ type: 'appendResp', to: m.from, index: m.prevIndex, reject: true, rejectHint: rejectHint(r, m.prevIndex, m.prevTerm) });
}

/**
 * Where the leader should probe next (Raft §5.3, "optimization"): one round trip per conflicting
 * term instead of per entry. p is our last index with term <= prevTerm. If our term at p equals
 * prevTerm we match the leader there (the leader of prevTerm wrote both entries). Otherwise our
 * whole run of term(p) may be absent from the leader's log: retry just before that run.
 */
function rejectHint(r: Raft, prevIndex: number, prevTerm: number): number {
  const p = r.log.findConflictByTerm(Math.min(prevIndex, r.log.lastIndex()), prevTerm);
  const floor = r.log.firstIndex() - 1;
  if (p <= floor || r.log.term(p) === prevTerm) return p;
  return Math.max(floor, r.log.termRunStart(p) - 1);
}

function handleHeartbeat(r: Raft, m: Msg<'heartbeat'>): void {
  r.log.commitTo(m.commit);
  r.send({ type: 'heartbeatResp', to: m.from, context: m.context });
}

function handleSnapshot(r: Raft, m: Msg<'snapshot'>): void {
  if (restore(r, m.snapshot)) {
    r.send({ type: 'appendResp', to: m.from, index: r.log.lastIndex(), reject: false, rejectHint: 0 });
  } else {
    r.send({ type: 'appendResp', to: m.from, index: r.log.committed, reject: false, rejectHint: 0 });
  }
}

/** Installs a snapshot unless our log already covers it. Returns whether the log was replaced. */
function restore(r: Raft, s: Snapshot): boolean {
  if (s.meta.index <= r.log.committed) return false;
  if (r.log.matchTerm(s.meta.index, s.meta.term)) {
    // We hold the snapshot's last entry: by Log Matching everything before it matches too.
    r.log.commitTo(s.meta.index);
    return false;
  }
  r.log.restore(s);
  r.conf = s.meta.conf;
  return true;
}
