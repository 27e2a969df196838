// The gossip simulator's scenarios, one function per property checked. Each takes a seed, builds a
// GossipSim with a seed-chosen network profile, runs it, and returns ok or an error text naming
// the seed and how to replay it. Used by the *.test.ts files and by run.ts.
import { NodeStateKind } from '../../../src/core/gossip/memberlist/messages.js';
import { LAN_TIMING } from '../../../src/core/gossip/memberlist/profiles.js';
import { suspicionTimeoutMs } from '../../../src/core/gossip/memberlist/scaling.js';
import type { MemberlistTiming } from '../../../src/core/gossip/memberlist/types.js';
import { SeededRng } from '../../../src/core/support/rng.js';
import { GossipSim } from './gossip-sim.js';
import type { NetProfile, SimStats } from './sim-types.js';

export type ScenarioName = 'converge' | 'lossy' | 'partition' | 'crash' | 'leave';
export const SCENARIOS: readonly ScenarioName[] = ['converge', 'lossy', 'partition', 'crash', 'leave'];

export interface ScenarioResult {
  readonly scenario: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly stats: SimStats;
  /** Scenario-specific numbers (convergence times and the like), for the CLI's --verbose. */
  readonly details: Record<string, number>;
  readonly trace?: readonly string[];
}

export interface ScenarioOptions {
  readonly trace?: boolean;
  /** Cluster size where the scenario allows a choice. */
  readonly nodes?: number;
}

export function replayHint(scenario: string, seed: number, nodes?: number): string {
  const size = nodes === undefined ? '' : ` --nodes=${nodes}`;
  return `replay: SEED=${seed} node <outDir>/test/sim/gossip/run.js --scenario=${scenario}${size} --trace`;
}

class ScenarioFailure extends Error {
  override name = 'ScenarioFailure';
}

function fail(msg: string): never {
  throw new ScenarioFailure(msg);
}

/** A network profile drawn from the seed: delays, jitter (reordering) and duplication vary. */
function netFor(rng: SeededRng, lossRate: number): NetProfile {
  return {
    lossRate,
    dupRate: rng.int(3) / 100,
    minDelayMs: 1,
    maxDelayMs: 2 + rng.int(25),
    streamFailRate: 0,
  };
}

function run(
  scenario: ScenarioName,
  seed: number,
  opts: ScenarioOptions,
  lossRate: number,
  reconnectIntervalMs: number,
  body: (sim: GossipSim, details: Record<string, number>) => void,
  timing: MemberlistTiming = LAN_TIMING,
): ScenarioResult {
  const profileRng = new SeededRng(seed ^ 0x5bd1e995);
  const sim = new GossipSim({
    seed,
    timing,
    net: netFor(profileRng, lossRate),
    reconnectIntervalMs,
    trace: opts.trace === true,
  });
  const details: Record<string, number> = {};
  const base = { scenario, seed, stats: sim.stats, details, ...(opts.trace === true ? { trace: sim.trace } : {}) };
  try {
    body(sim, details);
    return { ...base, ok: true };
  } catch (e) {
    if (!(e instanceof ScenarioFailure)) throw e;
    const error = `gossip sim ${scenario} seed ${seed} failed at t=${sim.now} ms: ${e.message}\n${replayHint(scenario, seed, opts.nodes)}`;
    return { ...base, ok: false, error };
  }
}

/**
 * Start n nodes at staggered times, each joining through n0, and wait until all see all alive.
 * Gossip alone usually converges in a second or two, but broadcasts are transmit-limited (in a
 * 9-node view only 4 sends each), so a node can miss one and catch up only at its next push/pull:
 * the bound allows two push/pull intervals (the first one is staggered by up to one interval).
 */
function startCluster(sim: GossipSim, n: number, details: Record<string, number>): number[] {
  const boundMs = 2 * sim.options.timing.pushPullIntervalMs + 5000;
  const all: number[] = [];
  for (let i = 0; i < n; i++) all.push(sim.addNode());
  sim.start(0);
  for (let i = 1; i < n; i++) {
    const at = 10 + sim.rng.int(1500);
    sim.at(at, () => sim.start(i, [0]));
  }
  sim.runFor(1600);
  const t0 = sim.now;
  if (!sim.runUntil(() => sim.everyoneSees(all, NodeStateKind.Alive), boundMs)) {
    fail(`${n} nodes did not converge to all-alive within ${boundMs} ms of the last start:\n${sim.describeViews()}`);
  }
  details['convergeMs'] = sim.now - t0 + 1600;
  for (let i = 1; i < n; i++) {
    const joins = sim.joinsOf(i);
    const j = joins[0];
    if (j === undefined || j.contacted !== 1) fail(`n${i}'s join through n0 did not succeed: ${JSON.stringify(joins)}`);
  }
  return all;
}

/** No up, reachable node may ever have been declared failed by anyone. */
function assertNoFalseFailures(sim: GossipSim, from = 0): void {
  for (const e of sim.observed) {
    if (e.at < from || e.kind !== 'leave' || e.state !== NodeStateKind.Dead) continue;
    if (e.subjectUp && !e.partitioned) fail(`${e.observer} declared live node ${e.subject} failed at t=${e.at}`);
  }
}

/** (a) n nodes joining through one seed converge to everyone-alive-in-everyone's-view. */
export function convergeScenario(seed: number, opts: ScenarioOptions = {}): ScenarioResult {
  const n = opts.nodes ?? 20;
  return run('converge', seed, opts, 0, 0, (sim, details) => {
    startCluster(sim, n, details);
    assertNoFalseFailures(sim);
    // Stay converged through a few push/pull rounds.
    sim.runFor(35_000);
    if (!sim.everyoneSees(sim.upNodes(), NodeStateKind.Alive)) fail(`views diverged after converging:\n${sim.describeViews()}`);
    assertNoFalseFailures(sim);
  });
}

/**
 * (b) 5% packet loss (with duplication and reordering): nobody is ever declared failed. At 5% the
 * indirect probes and the TCP fallback ping make suspicion rare, so a middle phase ("storm": 20%
 * loss, 20% of streams failing) forces suspicions, which get refuted. At that loss memberlist can
 * (like Go's) leave a peer holding a stale suspicion when every copy of the refutation to it is
 * lost; it then declares the node failed, and push/pull repairs it. So the storm only has to heal:
 * back at 5% everyone converges to all-alive, and from then on nobody is declared failed again.
 */
export function lossyScenario(seed: number, opts: ScenarioOptions = {}): ScenarioResult {
  const n = opts.nodes ?? 20;
  return run('lossy', seed, opts, 0.05, 0, (sim, details) => {
    const all = startCluster(sim, n, details);
    sim.runFor(60_000);
    assertNoFalseFailures(sim);
    const calm = { ...sim.net };
    const before = { suspicions: sim.stats.suspicions, refutations: sim.stats.refutations, failures: sim.stats.failuresDeclared };
    sim.net = { ...calm, lossRate: 0.2, streamFailRate: 0.2 };
    sim.runFor(60_000);
    sim.net = calm;
    details['stormSuspicions'] = sim.stats.suspicions - before.suspicions;
    details['stormRefutations'] = sim.stats.refutations - before.refutations;
    details['stormFailures'] = sim.stats.failuresDeclared - before.failures;
    if (details['stormSuspicions'] > 0 && details['stormRefutations'] === 0) fail('suspicions during the storm were never refuted');
    const boundMs = 2 * sim.options.timing.pushPullIntervalMs + 5000;
    if (!sim.runUntil(() => sim.everyoneSees(all, NodeStateKind.Alive), boundMs)) {
      fail(`views did not return to all-alive after the loss storm:\n${sim.describeViews()}`);
    }
    const healedAt = sim.now;
    sim.runFor(30_000);
    assertNoFalseFailures(sim, healedAt);
    if (!sim.everyoneSees(all, NodeStateKind.Alive)) fail(`views diverged again at 5% loss:\n${sim.describeViews()}`);
  });
}

/** Not alive in the observer's view: failed, or already forgotten. */
function seenGone(sim: GossipSim, observer: number, subject: number): boolean {
  const s = sim.view(observer)?.get(sim.nameOf(subject));
  return s === undefined || s === NodeStateKind.Dead || s === NodeStateKind.Left;
}

/** (c) a partition: each side declares the other failed; after healing plus rejoins, all alive. */
export function partitionScenario(seed: number, opts: ScenarioOptions = {}): ScenarioResult {
  const n = opts.nodes ?? 10;
  return run('partition', seed, opts, 0, 10_000, (sim, details) => {
    const all = startCluster(sim, n, details);
    const shuffled = [...all];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = sim.rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
    }
    const cut = 1 + sim.rng.int(n - 1);
    const a = shuffled.slice(0, cut);
    const b = shuffled.slice(cut);
    const splitAt = sim.now;
    sim.partition([a, b]);
    const split = (): boolean =>
      a.every((x) => b.every((y) => seenGone(sim, x, y))) && b.every((y) => a.every((x) => seenGone(sim, y, x)));
    // A minority side (possibly one node) gets no confirmations and no nacks: Lifeguard stretches
    // its probe interval up to awarenessMax times, and it must probe every peer itself.
    const t = sim.options.timing;
    const minMs = suspicionTimeoutMs(t.suspicionMult, n, t.probeIntervalMs);
    const splitBoundMs = n * t.probeIntervalMs * t.awarenessMaxMultiplier + t.suspicionMaxTimeoutMult * minMs + 10_000;
    if (!sim.runUntil(split, splitBoundMs)) fail(`sides ${fmt(a)} / ${fmt(b)} did not declare each other failed:\n${sim.describeViews()}`);
    details['splitDetectedMs'] = sim.now - splitAt;
    assertNoFalseFailures(sim);
    const healAt = sim.now;
    sim.heal();
    if (!sim.runUntil(() => sim.everyoneSees(all, NodeStateKind.Alive), 120_000)) {
      fail(`cluster did not reconverge after the partition healed:\n${sim.describeViews()}`);
    }
    details['healedMs'] = sim.now - healAt;
  });
}

function fmt(nodes: readonly number[]): string {
  return `[${nodes.map((i) => `n${i}`).join(',')}]`;
}

/**
 * (d) a crashed node is declared failed by every other node within the Lifeguard bound: the first
 * probe reaches it within one round of the round robin, then the suspicion timeout runs between
 * its min and max; nobody may declare it before min. Then it restarts and is alive again.
 */
export function crashScenario(seed: number, opts: ScenarioOptions = {}): ScenarioResult {
  const n = opts.nodes ?? 10;
  const t = LAN_TIMING;
  return run('crash', seed, opts, 0.01, 0, (sim, details) => {
    const all = startCluster(sim, n, details);
    sim.runFor(sim.rng.int(t.probeIntervalMs));
    const victim = 1 + sim.rng.int(n - 1);
    const others = all.filter((i) => i !== victim);
    const crashAt = sim.now;
    sim.crash(victim);
    const minMs = suspicionTimeoutMs(t.suspicionMult, n, t.probeIntervalMs);
    const maxMs = t.suspicionMaxTimeoutMult * minMs;
    // Worst case for the first probe: a full round robin (awareness may stretch it, so 2x), plus
    // the probe itself; then the longest suspicion, then a few gossip rounds to spread "dead".
    const boundMs = 2 * n * t.probeIntervalMs + maxMs + 5000;
    if (!sim.runUntil(() => others.every((o) => seenGone(sim, o, victim)), boundMs, 50)) {
      fail(`crashed n${victim} was not declared failed by all within ${boundMs} ms:\n${sim.describeViews()}`);
    }
    const deaths = sim.observed.filter((e) => e.subject === sim.nameOf(victim) && e.kind === 'leave' && e.at >= crashAt);
    const first = Math.min(...deaths.map((e) => e.at));
    const last = Math.max(...deaths.map((e) => e.at));
    if (first - crashAt < minMs) fail(`n${victim} declared failed ${first - crashAt} ms after the crash, before the suspicion minimum ${minMs} ms`);
    if (deaths.some((e) => e.state !== NodeStateKind.Dead)) fail(`n${victim} was seen as left, not failed`);
    details['firstFailedMs'] = first - crashAt;
    details['allFailedMs'] = last - crashAt;
    assertNoFalseFailures(sim);

    // Restart with the same name and address: it must refute its death and be alive everywhere
    // (by gossip, or for a node that missed it, by its next push/pull).
    const restartAt = sim.now;
    sim.start(victim, [others[sim.rng.int(others.length)] as number]);
    if (!sim.runUntil(() => sim.everyoneSees(all, NodeStateKind.Alive), 2 * t.pushPullIntervalMs + 5000)) {
      fail(`restarted n${victim} was not seen alive by all:\n${sim.describeViews()}`);
    }
    details['rejoinedMs'] = sim.now - restartAt;
  });
}

/** (e) a graceful leave is seen as "left" (never "failed") by all, and stays that way. */
export function leaveScenario(seed: number, opts: ScenarioOptions = {}): ScenarioResult {
  const n = opts.nodes ?? 10;
  return run('leave', seed, opts, 0.01, 0, (sim, details) => {
    const all = startCluster(sim, n, details);
    const leaver = 1 + sim.rng.int(n - 1);
    const others = all.filter((i) => i !== leaver);
    const leaveAt = sim.now;
    sim.leave(leaver);
    const seenLeft = (): boolean => others.every((o) => sim.view(o)?.get(sim.nameOf(leaver)) === NodeStateKind.Left);
    if (!sim.runUntil(seenLeft, 10_000, 20)) fail(`n${leaver}'s leave was not seen as left by all:\n${sim.describeViews()}`);
    details['allLeftMs'] = sim.now - leaveAt;
    sim.runFor(20_000);
    if (sim.statusOf(leaver) !== 'left') fail(`n${leaver} did not finish leaving (leaveSent never true)`);
    const wrong = sim.observed.find((e) => e.subject === sim.nameOf(leaver) && e.kind === 'leave' && e.state !== NodeStateKind.Left);
    if (wrong !== undefined) fail(`${wrong.observer} saw n${leaver} as failed instead of left at t=${wrong.at}`);
    for (const o of others) {
      const s = sim.view(o)?.get(sim.nameOf(leaver));
      if (s !== undefined && s !== NodeStateKind.Left) fail(`n${o} sees the departed n${leaver} as ${s}`);
    }
    assertNoFalseFailures(sim);
  });
}

export function runScenario(name: ScenarioName, seed: number, opts: ScenarioOptions = {}): ScenarioResult {
  switch (name) {
    case 'converge':
      return convergeScenario(seed, opts);
    case 'lossy':
      return lossyScenario(seed, opts);
    case 'partition':
      return partitionScenario(seed, opts);
    case 'crash':
      return crashScenario(seed, opts);
    case 'leave':
      return leaveScenario(seed, opts);
  }
}
