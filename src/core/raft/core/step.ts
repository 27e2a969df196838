// Entry points shared by every role: tick(), step() with the term rules (Raft §5.1, thesis §9.6
// PreVote, §6.2 CheckQuorum lease), and applying a committed configuration.

import { isMember, isVoter } from './conf.js';
import { Progress } from './progress.js';
import type { Raft } from './raft.js';
import type { ConfState, Message } from './types.js';
import { handleVoteRequest, hup, stepCandidate } from './step-candidate.js';
import { stepFollower } from './step-follower.js';
import { bcastAppend, leaderMaybeCommit, stepLeader, tickLeader } from './step-leader.js';

/**
 * What a tick did that an operator should hear about (the driver logs it as hashicorp/raft does):
 *   heartbeatTimeout - a follower stopped hearing from its leader, forgot it and started an election
 *   electionTimeout  - a (pre-)candidate's election timed out and it started another
 *   leaderLost       - a follower that may not campaign (non-voter, pending config) forgot its leader
 */
export type TickEvent = 'none' | 'heartbeatTimeout' | 'electionTimeout' | 'leaderLost';

export function tick(r: Raft): TickEvent {
  r.ticks++;
  if (r.role === 'leader') {
    tickLeader(r);
    return 'none';
  }
  r.electionElapsed++;
  if (!r.pastElectionTimeout()) return 'none';
  // hashicorp/raft runFollower: on a heartbeat timeout the follower forgets its leader first,
  // whether or not it may campaign, so nobody keeps naming (and forwarding to) a dead leader.
  const hadLeader = r.lead !== '';
  const wasFollower = r.role === 'follower';
  r.lead = '';
  if (!r.isPromotable()) return hadLeader ? 'leaderLost' : 'none';
  r.electionElapsed = 0;
  hup(r, false);
  if (r.role === 'follower') return hadLeader ? 'leaderLost' : 'none';
  return wasFollower ? 'heartbeatTimeout' : 'electionTimeout';
}

function isLeaderTraffic(m: Message): boolean {
  return m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
}

export function step(r: Raft, m: Message): void {
  if (m.term > r.term) {
    if (m.type === 'vote' || m.type === 'preVote') {
      // CheckQuorum lease (thesis §6.2 / §4.2.3): while we hear from a leader, a higher-term
      // candidate (e.g. a removed or partitioned server) must not disrupt it. A leadership
      // transfer is the one deliberate exception.
      const inLease = r.cfg.checkQuorum && r.lead !== '' &&
        (r.role === 'leader' || r.electionElapsed < r.cfg.electionTicks);
      if (inLease && !m.transfer) return;
    }
    if (m.type === 'preVote') {
      // PreVote never changes our term (thesis §9.6).
    } else if (m.type === 'preVoteResp' && !m.reject) {
      // A granted pre-vote carries the future term; we move to it only by campaigning.
    } else if (isLeaderTraffic(m)) {
      r.becomeFollower(m.term, m.from);
    } else {
      // Raft §5.2: only hearing from the current leader or granting a vote restarts the election
      // timer; a higher term alone does not. Otherwise a candidate with a stale log and a fast
      // clock (it can never win) keeps resetting everyone's timer and no leader is ever elected.
      const elapsed = r.electionElapsed;
      r.becomeFollower(m.term, '');
      r.electionElapsed = elapsed;
    }
  } else if (m.term < r.term) {
    if ((r.cfg.checkQuorum || r.cfg.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
      // A stale leader that we will never answer would stay leader forever under CheckQuorum or
      // PreVote (it never sees our higher term otherwise). Tell it the current term.
      r.send({ type: 'appendResp', to: m.from, index: 0, reject: false, rejectHint: 0 });
    } else if (m.type === 'preVote') {
      r.send({ type: 'preVoteResp', to: m.from, reject: true });
    }
    return;
  }

  if (m.type === 'vote' || m.type === 'preVote') {
    handleVoteRequest(r, m);
    return;
  }
  switch (r.role) {
    case 'leader':
      stepLeader(r, m);
      return;
    case 'candidate':
    case 'preCandidate':
      stepCandidate(r, m, (msg) => stepFollower(r, msg));
      return;
    case 'follower':
      stepFollower(r, m);
      return;
  }
}

/**
 * Applies a committed configuration (single-server change, thesis §4.1). On the leader it adds and
 * removes progress, may commit more (the quorum changed), and steps down if it is no longer a
 * voter (thesis §4.2.2) after telling the others the new commit index.
 */
export function applyConf(r: Raft, cs: ConfState): void {
  r.conf = cs;
  if (r.role !== 'leader') return;
  for (const id of [...r.prs.keys()]) if (!isMember(cs, id)) r.prs.delete(id);
  const next = r.log.lastIndex() + 1;
  for (const id of [...cs.voters, ...cs.learners]) {
    const pr = r.prs.get(id);
    if (pr === undefined) r.prs.set(id, new Progress(next, r.cfg.maxInflight, !isVoter(cs, id), r.ticks));
    else pr.isLearner = !isVoter(cs, id);
  }
  if (!isVoter(cs, r.id)) {
    bcastAppend(r);
    r.becomeFollower(r.term, '');
    return;
  }
  if (r.leadTransferee !== '' && !isVoter(cs, r.leadTransferee)) r.abortLeaderTransfer();
  leaderMaybeCommit(r);
  bcastAppend(r);
}
