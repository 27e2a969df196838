// Elections: PreVote (thesis §9.6), RequestVote (Raft §5.2) and the vote-granting rules (§5.4.1).

import { invariant } from '../../support/assert.js';
import { voteResult } from './quorum.js';
import type { Raft } from './raft.js';
import type { Message } from './types.js';
import { bcastAppend, leaderMaybeCommit } from './step-leader.js';

type VoteRequest = Extract<Message, { type: 'vote' | 'preVote' }>;

/** Starts an election if this node may: a voter, not leader, no unapplied config change pending. */
export function hup(r: Raft, transfer: boolean): void {
  if (r.role === 'leader') return;
  if (!r.isPromotable()) return;
  // A committed config change we have not applied yet could make us a non-voter (etcd rule).
  if (r.hasPendingConf()) return;
  if (r.cfg.preVote && !transfer) campaign(r, 'preVote', false);
  else campaign(r, 'vote', transfer);
}

export function campaign(r: Raft, kind: 'preVote' | 'vote', transfer: boolean): void {
  let voteTerm: number;
  if (kind === 'preVote') {
    r.becomePreCandidate();
    voteTerm = r.term + 1; // asks "would you vote for me at term+1?" without changing our term
  } else {
    r.becomeCandidate();
    voteTerm = r.term;
  }
  if (poll(r, r.id, true) === 'won') {
    // A single voter wins at once.
    onWin(r);
    return;
  }
  const lastIndex = r.log.lastIndex();
  const lastTerm = r.log.lastTerm();
  for (const id of r.conf.voters) {
    if (id === r.id) continue;
    r.send({ type: kind, to: id, term: voteTerm, lastIndex, lastTerm, transfer });
  }
}

function poll(r: Raft, from: string, granted: boolean): ReturnType<typeof voteResult> {
  if (!r.votes.has(from)) r.votes.set(from, granted);
  return voteResult(r.conf.voters, r.votes);
}

function onWin(r: Raft): void {
  if (r.role === 'preCandidate') {
    campaign(r, 'vote', false);
    return;
  }
  r.becomeLeader();
  leaderMaybeCommit(r);
  bcastAppend(r);
}

/** Candidate and pre-candidate message handling. */
export function stepCandidate(r: Raft, m: Message, asFollower: (m: Message) => void): void {
  const respType = r.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
  switch (m.type) {
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      // Raft §5.2: a leader of our term exists; return to follower and handle its message.
      invariant(m.term === r.term, 'candidate: leader traffic of another term reached the role step');
      r.becomeFollower(r.term, m.from);
      asFollower(m);
      return;
    case 'voteResp':
    case 'preVoteResp': {
      if (m.type !== respType) return;
      const res = poll(r, m.from, !m.reject);
      if (res === 'won') onWin(r);
      else if (res === 'lost') r.becomeFollower(r.term, '');
      return;
    }
    default:
      return; // timeoutNow, reads and stale responses mean nothing to a candidate
  }
}

/** Raft §5.2 / §5.4.1 vote rules, shared by every role (PreVote: thesis §9.6). */
export function handleVoteRequest(r: Raft, m: VoteRequest): void {
  const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
  const canVote =
    r.vote === m.from ||
    (r.vote === '' && r.lead === '') ||
    (m.type === 'preVote' && m.term > r.term);
  if (canVote && r.log.isUpToDate(m.lastIndex, m.lastTerm)) {
    // A granted pre-vote answers in the requested term so the pre-candidate counts it.
    r.send({ type: respType, to: m.from, term: m.term, reject: false });
    if (m.type === 'vote') {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.send({ type: respType, to: m.from, term: r.term, reject: true });
  }
}
