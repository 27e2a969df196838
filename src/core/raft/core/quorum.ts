// Majority arithmetic over the voters (learners never count: Raft thesis §4.2.1).

import type { NodeId } from './types.js';

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The largest index that a majority of voters have matched (Raft §5.3/§5.4.2 commit candidate). */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[quorumSize(voters.length) - 1] as number;
}

export type VoteResult = 'won' | 'lost' | 'pending';

/** Tally of an election: granted/rejected votes counted only from current voters. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  const q = quorumSize(voters.length);
  if (granted >= q) return 'won';
  if (rejected >= q || voters.length - rejected < q) return 'lost';
  return 'pending';
}

/** Whether `ids` include a majority of the voters. */
export function hasQuorum(voters: readonly NodeId[], ids: ReadonlySet<NodeId>): boolean {
  let n = 0;
  for (const id of voters) if (ids.has(id)) n++;
  return n >= quorumSize(voters.length);
}
