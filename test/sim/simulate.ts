// One simulation run per seed: a safety phase (faults + workload, checkers after every step), then
// a liveness phase (heal everything; a leader must emerge and every live member must converge),
// then the workload's final checks (for the KV stack: linearizability of the client history).
// runSeed() is the Raft stack (toy KV); kv-simulate.ts runs the full stack through runPhases().

import { seededRng, type SeededRng } from '../../src/core/support/rng.js';
import { SafetyChecker } from './checkers/safety.js';
import { SimCluster, type SimNode } from './cluster.js';
import { heal, injectFaults } from './faults.js';
import { drawProfile, leaseAssumptionsHold, type SimProfile } from './profile.js';
import { RaftWorkload } from './raft-workload.js';
import type { SimStateMachine } from './state-machine.js';
import { toyKvApp } from './toy-kv.js';

export type StackName = 'raft' | 'kv';

export interface SimOptions {
  readonly trace?: boolean;
  /** Overrides the profile's fault-phase length (sim time units). */
  readonly faultUnits?: number;
}

export interface SimResult {
  readonly stack: StackName;
  readonly seed: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly profile: SimProfile;
  readonly stats: Record<string, number>;
  /** One-line description of stack-specific settings (e.g. the KV workload's). */
  readonly details?: string;
  readonly trace?: readonly string[];
}

/** What a stack runs on top of the cluster. */
export interface StackWorkload {
  /** Each step of the safety phase. */
  act(): void;
  /** Each step of the liveness phase (no new work; outstanding work may finish). */
  liveStep(): void;
  /** Checked every 10 units of the liveness phase. */
  converged(): boolean;
  /** After convergence: checks over the whole run. Throws on a violation. */
  finish(): void;
  describe(): string;
  stats(): Record<string, number>;
}

export function replayHint(seed: number, stack: StackName = 'raft'): string {
  return `SEED=${seed} (replay: SEED=${seed} npm run sim -- --stack=${stack}; add --trace for an event log)`;
}

export function runSeed(seed: number, opts: SimOptions = {}): SimResult {
  const rng = seededRng(seed);
  const profile = drawProfile(rng);
  const c = new SimCluster(profile, rng.fork(), opts.trace === true, toyKvApp);
  const w = new RaftWorkload(c, rng.fork());
  return runPhases('raft', seed, c, rng, w, opts);
}

/** The safety phase, the liveness phase and the final checks, for any stack. */
export function runPhases<S extends SimStateMachine>(
  stack: StackName,
  seed: number,
  c: SimCluster<S>,
  rng: SeededRng,
  w: StackWorkload,
  opts: SimOptions,
  details?: string,
): SimResult {
  const profile = c.profile;
  let phase = 'safety';
  const base = { stack, seed, profile, ...(details === undefined ? {} : { details }) };
  const withTrace = c.trace === undefined ? {} : { trace: c.trace };
  try {
    const faultUnits = opts.faultUnits ?? profile.faultUnits;
    for (; c.now < faultUnits; c.now++) {
      step(c);
      w.act();
      injectFaults(c, rng);
      checkEveryStep(c);
    }
    phase = 'liveness';
    heal(c);
    const healEnd = c.now + profile.healUnits;
    let converged = false;
    for (; c.now < healEnd && !converged; c.now++) {
      step(c);
      w.liveStep();
      if (rng.chance(profile.compactRate)) c.compact(rng.pick([...c.nodes.values()]));
      checkEveryStep(c);
      if (c.now % 10 === 0) converged = w.converged();
    }
    if (!converged) throw new Error(`liveness: no convergence within ${profile.healUnits} units after healing (${w.describe()})`);
    finalChecks(c);
    phase = 'final';
    w.finish();
  } catch (err) {
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return {
      ...base, ok: false, stats: statsOf(c, w),
      error: `${stack} sim failed in ${phase} phase at t=${c.now}: ${msg}\n  ${replayHint(seed, stack)}`,
      ...withTrace,
    };
  }
  return { ...base, ok: true, stats: statsOf(c, w), ...withTrace };
}

function statsOf<S extends SimStateMachine>(c: SimCluster<S>, w: StackWorkload): Record<string, number> {
  return {
    ...c.stats,
    terms: c.checker.leaderCount(),
    committed: c.checker.maxCommitEver,
    ...w.stats(),
    messages: c.net.sent,
    dropped: c.net.dropped,
  };
}

/** One unit of virtual time for the cluster: ticks, deliveries, driver work. */
export function step<S extends SimStateMachine>(c: SimCluster<S>): void {
  c.tickNodes();
  c.deliver();
  c.drivers();
}

/** Election Safety after every step, and the lease check where its assumptions hold. */
function checkEveryStep<S extends SimStateMachine>(c: SimCluster<S>): void {
  const lease = leaseAssumptionsHold(c.profile);
  for (const { node, st } of c.liveStatuses()) {
    if (st.role !== 'leader') continue;
    c.checker.leader(node.id, st.term);
    if (lease && st.hasLease && st.commit < c.checker.maxCommitEver) {
      throw new Error(`lease: ${node.id} holds a lease at term ${st.term} with commit ${st.commit} < ${c.checker.maxCommitEver}`);
    }
  }
}

function finalChecks<S extends SimStateMachine>(c: SimCluster<S>): void {
  const nodes = [...c.nodes.values()].filter((n) => !n.removed);
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) SafetyChecker.compareLogs(nodes[i] as SimNode<S>, nodes[j] as SimNode<S>);
  }
}
