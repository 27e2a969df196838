// Membership: encoding of a config entry's payload and single-server changes.
//
// MUST: a config entry carries the FULL new ConfState (not a delta), so applying it is idempotent
// and a node that restores from a snapshot never needs the history of changes (Raft thesis §4.1,
// one server at a time; hashicorp/raft semantics: addVoter/addLearner(nonvoter)/demote/remove).

import { invariant } from '../../support/assert.js';
import { RaftError, type ConfChange, type ConfState, type NodeId } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const EMPTY_CONF: ConfState = Object.freeze({ voters: Object.freeze([]), learners: Object.freeze([]) });

/** Stable encoding: JSON of sorted voters and learners, UTF-8. */
export function encodeConfState(cs: ConfState): Uint8Array {
  const voters = [...cs.voters].sort();
  const learners = [...cs.learners].sort();
  return encoder.encode(JSON.stringify({ voters, learners }));
}

export function decodeConfState(data: Uint8Array): ConfState {
  const parsed: unknown = JSON.parse(decoder.decode(data));
  invariant(typeof parsed === 'object' && parsed !== null, 'config entry: not an object');
  const voters = (parsed as { voters?: unknown }).voters;
  const learners = (parsed as { learners?: unknown }).learners;
  invariant(isIdList(voters) && isIdList(learners), 'config entry: voters/learners must be string arrays');
  return normalizeConf({ voters, learners });
}

function isIdList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Sorted, de-duplicated, and a voter is never also a learner. */
export function normalizeConf(cs: ConfState): ConfState {
  const voters = [...new Set(cs.voters)].sort();
  const voterSet = new Set(voters);
  const learners = [...new Set(cs.learners)].filter((id) => !voterSet.has(id)).sort();
  return { voters, learners };
}

export function confEquals(a: ConfState, b: ConfState): boolean {
  const x = normalizeConf(a);
  const y = normalizeConf(b);
  return x.voters.join('\u0000') === y.voters.join('\u0000') && x.learners.join('\u0000') === y.learners.join('\u0000');
}

export function isVoter(cs: ConfState, id: NodeId): boolean {
  return cs.voters.includes(id);
}

export function isMember(cs: ConfState, id: NodeId): boolean {
  return cs.voters.includes(id) || cs.learners.includes(id);
}

/**
 * The configuration after one single-server change. addVoter on a learner promotes it (the usual
 * path: add as learner, let it catch up, then promote, so a slow new voter never stalls commits).
 * Throws RaftError('unavailable') for a change that would leave no voter.
 */
export function applyConfChange(cs: ConfState, cc: ConfChange): ConfState {
  invariant(typeof cc.id === 'string' && cc.id !== '', 'conf change: id must be a non-empty string');
  const voters = cs.voters.filter((id) => id !== cc.id);
  const learners = cs.learners.filter((id) => id !== cc.id);
  switch (cc.type) {
    case 'addVoter':
      voters.push(cc.id);
      break;
    case 'addLearner':
      // hashicorp/raft AddNonvoter on an existing voter is a no-op rather than a demotion.
      if (cs.voters.includes(cc.id)) voters.push(cc.id);
      else learners.push(cc.id);
      break;
    case 'demote':
      if (cs.voters.includes(cc.id) || cs.learners.includes(cc.id)) learners.push(cc.id);
      break;
    case 'remove':
      break;
  }
  if (voters.length === 0) {
    throw new RaftError('unavailable', `conf change ${cc.type} ${cc.id} would leave no voter`);
  }
  return normalizeConf({ voters, learners });
}
