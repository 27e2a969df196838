// Leader behaviour: replication (Raft §5.3) with pipelining and batching, commit (§5.4.2),
// heartbeats, snapshots to lagging followers (§7), ReadIndex (thesis §6.4), leadership transfer
// (thesis §3.10) and CheckQuorum (thesis §6.2).

import { invariant } from '../../support/assert.js';
import { hasQuorum } from './quorum.js';
import type { Raft } from './raft.js';
import { RaftError, type Entry, type Message, type NodeId } from './types.js';
import type { ReadRequest } from './read-only.js';

type Msg<T extends Message['type']> = Extract<Message, { type: T }>;

/** Sends the next append to `to` if flow control allows. Returns whether a message went out. */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.prs.get(to);
  if (pr === undefined || to === r.id || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const last = r.log.lastIndex();
  invariant(prevIndex <= last, () => `progress of ${to}: next ${pr.next} beyond last ${last}`);
  if (prevIndex < r.log.firstIndex() - 1) return sendSnapshot(r, to);
  const prevTerm = r.log.term(prevIndex);
  let entries: Entry[] = [];
  try {
    if (pr.next <= last) entries = r.log.slice(pr.next, last + 1, r.cfg.maxSizePerMsg);
  } catch (err) {
    // The storage evicted these (applied, on disk) entries from memory and has noted the range:
    // send nothing now; the driver reads them back and calls retryAppends().
    if (err instanceof RaftError && err.code === 'notLoaded') return false;
    throw err;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ type: 'append', to, prevIndex, prevTerm, entries, commit: r.log.committed });
  pr.sentEntries(entries.length, prevIndex + entries.length);
  return true;
}

/** Raft §7: the entries this follower needs are compacted; send the latest snapshot instead. */
function sendSnapshot(r: Raft, to: NodeId): boolean {
  const pr = r.prs.get(to);
  if (pr === undefined) return false;
  const snapshot = r.log.snapshot();
  invariant(snapshot.meta.index >= r.log.firstIndex() - 1,
    () => `storage snapshot ${snapshot.meta.index} older than the compaction point ${r.log.firstIndex() - 1}`);
  r.send({ type: 'snapshot', to, snapshot });
  pr.becomeSnapshot(snapshot.meta.index);
  return true;
}

/** Fills the pipeline of every follower that is behind (after evicted entries were loaded). */
export function retryAppends(r: Raft): void {
  for (const [id, pr] of r.prs) {
    if (id === r.id || pr.match >= r.log.lastIndex()) continue;
    while (maybeSendAppend(r, id, false)) { /* up to maxInflight messages of maxSizePerMsg */ }
  }
}

/** Sends new entries (or at least the commit index) to everyone, filling each pipeline. */
export function bcastAppend(r: Raft): void {
  for (const id of r.prs.keys()) {
    if (id === r.id || !maybeSendAppend(r, id, true)) continue;
    while (maybeSendAppend(r, id, false)) { /* up to maxInflight messages of maxSizePerMsg */ }
  }
}

export function bcastHeartbeat(r: Raft, context = r.readOnly.lastPendingContext()): void {
  for (const [id, pr] of r.prs) {
    if (id === r.id) continue;
    // A follower may not hold entries up to our commit yet; never tell it more than it matches.
    r.send({ type: 'heartbeat', to: id, commit: Math.min(pr.match, r.log.committed), context });
  }
}

/** Commits what a quorum holds; on the first commit of the term, serves reads that waited. */
export function leaderMaybeCommit(r: Raft): boolean {
  if (!r.maybeCommit()) return false;
  if (r.pendingReads.length > 0 && r.committedInCurrentTerm()) {
    const waiting = r.pendingReads;
    r.pendingReads = [];
    for (const req of waiting) leaderReadIndex(r, req.context, req.from);
  }
  return true;
}

export function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.send({ type: 'timeoutNow', to });
}

export function tickLeader(r: Raft): void {
  r.heartbeatElapsed++;
  if (r.leadTransferee !== '') {
    r.transferElapsed++;
    // Thesis §3.10: abort a transfer that did not finish within an election timeout.
    if (r.transferElapsed >= r.cfg.electionTicks) r.abortLeaderTransfer();
  }
  if (r.cfg.checkQuorum && !r.quorumActive()) {
    // CheckQuorum: a leader cut off from a majority steps down instead of serving stale reads.
    r.becomeFollower(r.term, '');
    return;
  }
  if (r.heartbeatElapsed >= r.cfg.heartbeatTicks) {
    r.heartbeatElapsed = 0;
    bcastHeartbeat(r);
  }
}

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case 'appendResp':
      handleAppendResp(r, m);
      return;
    case 'heartbeatResp':
      handleHeartbeatResp(r, m);
      return;
    case 'readIndex':
      leaderReadIndex(r, m.context, m.from);
      return;
    default:
      // append/heartbeat/snapshot at our own term would mean two leaders in one term (§5.2).
      invariant(m.type !== 'append' && m.type !== 'heartbeat' && m.type !== 'snapshot',
        () => `leader ${r.id} got ${m.type} from ${m.from} in its own term ${r.term}`);
  }
}

function handleAppendResp(r: Raft, m: Msg<'appendResp'>): void {
  const pr = r.prs.get(m.from);
  if (pr === undefined) return;
  pr.heardFrom(r.ticks);
  if (m.reject) {
    // Raft §5.3 with the follower's hint: jump back to where its log can match.
    if (pr.maybeDecrTo(m.index, m.rejectHint)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      maybeSendAppend(r, m.from, true);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === 'probe')) return;
  if (pr.state === 'probe') pr.becomeReplicate();
  else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) pr.becomeReplicate();
  else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
  if (leaderMaybeCommit(r)) bcastAppend(r);
  else if (wasPaused) maybeSendAppend(r, m.from, true);
  // Flow control may now allow several messages (probe -> replicate, or freed inflights).
  while (maybeSendAppend(r, m.from, false)) { /* keep filling the pipeline */ }
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from);
}

function handleHeartbeatResp(r: Raft, m: Msg<'heartbeatResp'>): void {
  const pr = r.prs.get(m.from);
  if (pr === undefined) return;
  pr.heardFrom(r.ticks);
  pr.probeSent = false;
  // If every pipelined append was lost, free a slot so replication can resume.
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < r.log.lastIndex()) maybeSendAppend(r, m.from, true);
  if (m.context === '') return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (acks === undefined || !hasQuorum(r.conf.voters, acks)) return;
  for (const req of r.readOnly.advance(m.context)) respondRead(r, req, req.index);
}

/** Thesis §6.4 ReadIndex: record the commit index, then confirm leadership with a quorum round. */
export function leaderReadIndex(r: Raft, context: string, from: NodeId): void {
  const req: ReadRequest = { context, from, index: r.log.committed };
  if (!r.committedInCurrentTerm()) {
    // Our commit index may lag entries committed by earlier leaders until our no-op commits.
    r.pendingReads.push(req);
    return;
  }
  if (r.conf.voters.length === 1 && r.conf.voters[0] === r.id) {
    respondRead(r, req, req.index);
    return;
  }
  if (!r.readOnly.add(req)) return; // duplicate context: the first request answers it
  r.readOnly.recvAck(r.id, context);
  bcastHeartbeat(r, context);
}

function respondRead(r: Raft, req: ReadRequest, index: number): void {
  if (req.from === r.id) r.readStates.push({ context: req.context, index });
  else r.send({ type: 'readIndexResp', to: req.from, context: req.context, index });
}

/** Thesis §3.10: catch the target up, then tell it to start an election at once. */
export function startTransfer(r: Raft, to: NodeId): void {
  if (to === r.id || to === r.leadTransferee) return;
  r.abortLeaderTransfer();
  const pr = r.prs.get(to);
  invariant(pr !== undefined && !pr.isLearner, () => `transfer target ${to} is not a voter`);
  r.leadTransferee = to;
  r.transferElapsed = 0;
  if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, to);
  else maybeSendAppend(r, to, true);
}
