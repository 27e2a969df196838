// Each seed draws its own fault profile (TigerBeetle VOPR style): the same seed drives both the
// workload and the faults, so a failing seed replays exactly.

import type { SeededRng } from '../../src/core/support/rng.js';

export interface SimProfile {
  readonly voters: number; // initial voters (3 or 5); one spare node can join later
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly maxInflight: number;
  readonly maxSizePerMsg: number;
  /** Sim time units per tick for a normal node; skewed nodes tick faster or slower. */
  readonly tickUnits: number;
  readonly skew: boolean;
  readonly dropRate: number;
  readonly dupRate: number;
  readonly maxDelayUnits: number;
  readonly partitionRate: number;
  readonly crashRate: number;
  readonly crashBeforeSendRate: number;
  /** Crashes aimed at the current leader (the schedules of Raft Figure 8). */
  readonly leaderCrashRate: number;
  /** Probability that a node's driver processes a Ready in a given step (persistence latency). */
  readonly readyProb: number;
  readonly proposeRate: number;
  readonly transferRate: number;
  readonly compactRate: number;
  readonly readRate: number;
  readonly confRate: number;
  readonly faultUnits: number;
  readonly healUnits: number;
}

export function drawProfile(rng: SeededRng): SimProfile {
  const p = drawAny(rng);
  // One seed in six runs where the leader lease is sound, so lease reads get checked too.
  if (!rng.chance(1 / 6)) return p;
  return leaseProfile(p);
}

/** The profile with the faults that break the lease's assumptions taken out (partitions stay). */
export function leaseProfile(p: SimProfile): SimProfile {
  return {
    ...p, checkQuorum: true, skew: false, crashRate: 0, crashBeforeSendRate: 0, leaderCrashRate: 0,
    readyProb: 1, maxDelayUnits: Math.min(p.maxDelayUnits, 5), transferRate: 0,
    partitionRate: Math.max(p.partitionRate, 0.002),
  };
}

function drawAny(rng: SeededRng): SimProfile {
  return {
    voters: rng.pick([3, 5]),
    preVote: rng.chance(0.7),
    checkQuorum: rng.chance(0.7),
    electionTicks: 10,
    heartbeatTicks: rng.pick([1, 2, 3]),
    maxInflight: rng.range(1, 8),
    maxSizePerMsg: rng.pick([0, 16, 256, 1 << 20]),
    tickUnits: 10,
    skew: rng.chance(0.3),
    dropRate: rng.pick([0, 0.01, 0.05, 0.15]),
    dupRate: rng.pick([0, 0.02, 0.1]),
    maxDelayUnits: rng.pick([1, 5, 15, 40]),
    partitionRate: rng.pick([0, 0.001, 0.004]),
    crashRate: rng.pick([0, 0.0005, 0.002]),
    crashBeforeSendRate: rng.pick([0, 0.001]),
    leaderCrashRate: rng.pick([0, 0.002, 0.006]),
    readyProb: rng.pick([0.3, 0.7, 1]),
    proposeRate: rng.pick([0.03, 0.1, 0.25]),
    transferRate: rng.pick([0, 0.001, 0.004]),
    compactRate: rng.pick([0, 0.005, 0.02]),
    readRate: rng.pick([0, 0.01, 0.03]),
    confRate: rng.pick([0, 0.002, 0.006]),
    faultUnits: 4000,
    healUnits: 6000,
  };
}

/** Lease reads are only sound when clocks agree, delays stay under a heartbeat and nobody crashes. */
export function leaseAssumptionsHold(p: SimProfile): boolean {
  return p.checkQuorum && !p.skew && p.crashRate === 0 && p.crashBeforeSendRate === 0 && p.leaderCrashRate === 0 && p.readyProb === 1 &&
    p.maxDelayUnits < p.heartbeatTicks * p.tickUnits && p.transferRate === 0;
}
