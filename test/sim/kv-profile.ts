// The full-stack (KV) seed's own draws, on top of the Raft fault profile: the client workload and
// the driver's fsync latency. Drawn from the same seed, so a failing seed replays exactly.

import type { SeededRng } from '../../src/core/support/rng.js';
import { drawProfile, leaseAssumptionsHold, leaseProfile, type SimProfile } from './profile.js';

export interface KvProfile {
  readonly clients: number;
  readonly keys: number;
  /** A client waits up to this long between getting an answer and sending its next op. */
  readonly thinkUnits: number;
  /** Op mix: cumulative thresholds over [0, 1) for get, put, cas; the rest is delete. */
  readonly mix: { readonly get: number; readonly put: number; readonly cas: number };
  /** Reads sent to a follower that does ReadIndex itself (the core forwards it to the leader). */
  readonly followerReadRate: number;
  /** Default-consistency reads: served by a leader within its lease without a quorum round. */
  readonly leaseReads: boolean;
  /** Time between taking a Ready and finishing it (the driver awaiting its fsync). */
  readonly applyLagUnits: number;
  /** A client gives up on an op after this long: its outcome stays unknown. */
  readonly timeoutUnits: number;
}

export function drawKvProfiles(rng: SeededRng): { raft: SimProfile; kv: KvProfile } {
  let raft = drawProfile(rng);
  // More lease seeds than the Raft stack's one in six: lease reads are where stale reads hide.
  if (!leaseAssumptionsHold(raft) && rng.chance(0.25)) raft = leaseProfile(raft);
  const applyLagUnits = rng.pick([0, 0, 1, 2]);
  const kv: KvProfile = {
    clients: rng.range(2, 6),
    keys: rng.range(1, 3),
    thinkUnits: rng.pick([0, 10, 40]),
    mix: rng.pick([
      { get: 0.4, put: 0.65, cas: 0.95 },
      { get: 0.25, put: 0.45, cas: 0.9 },
      { get: 0.5, put: 0.9, cas: 1 },
    ]),
    followerReadRate: rng.pick([0, 0.3]),
    leaseReads: kvLeaseSound(raft, applyLagUnits) && rng.chance(0.8),
    applyLagUnits,
    timeoutUnits: rng.pick([300, 1000]),
  };
  return { raft, kv };
}

/**
 * The lease argument with a slow fsync: a follower's ack can wait for the Ready in flight and then
 * its own (two lags) before the network delay, and must still arrive within a heartbeat interval.
 */
export function kvLeaseSound(p: SimProfile, applyLagUnits: number): boolean {
  return leaseAssumptionsHold(p) && p.maxDelayUnits + 2 * applyLagUnits < p.heartbeatTicks * p.tickUnits;
}

export function describeKvProfile(k: KvProfile): string {
  return `clients=${k.clients} keys=${k.keys} think<=${k.thinkUnits} mix=${k.mix.get}/${k.mix.put}/${k.mix.cas} ` +
    `followerReads=${k.followerReadRate} leaseReads=${k.leaseReads} lag=${k.applyLagUnits} timeout=${k.timeoutUnits}`;
}
