// Gossip at scale in the seeded simulator: a cluster of N memberlist cores in virtual time, and
// how long a join takes to be seen by every member, and a crash to be declared by every member,
// at each packet-loss rate asked for. The figures go beside convergence-model.ts's prediction.
//
// One run (one seed):
//   1. bootstrap N-1 members: one starts every 20 ms and joins a random earlier one (a join storm
//      of 1,000 in a second would only measure the storm), until every member lists all alive;
//   2. per loss rate: set the loss, settle, then `trials` times
//        - join: a fresh member joins through a random one, making N alive; the figure is the
//          time from its join call to the last other member's join event for it;
//        - crash: a random earlier member stops dead; the figure is the time from the crash to
//          the last survivor's "failed" event for it (and the first, which the suspicion minimum
//          bounds from below).
// Times come from the simulator's event timestamps, so they are exact, not polled.
// MUST: every choice comes from the seed; the same seed replays the same figures.
import { NodeStateKind } from '../../../src/core/gossip/memberlist/messages.js';
import { LAN_TIMING } from '../../../src/core/gossip/memberlist/profiles.js';
import type { MemberlistTiming } from '../../../src/core/gossip/memberlist/types.js';
import { SeededRng } from '../../../src/core/support/rng.js';
import { predict } from './convergence-model.js';
import { GossipSim } from './gossip-sim.js';
import type { ObservedEvent, SimStats } from './sim-types.js';

export interface ScaleOptions {
  readonly seed: number;
  /** Members alive when a join or crash is measured. */
  readonly nodes: number;
  readonly lossRates: readonly number[];
  /** Joins and crashes measured per loss rate. */
  readonly trials: number;
  readonly timing?: MemberlistTiming;
  readonly progress?: (line: string) => void;
}

export interface Trial {
  readonly loss: number;
  readonly joinMs: number;
  readonly failFirstMs: number;
  readonly failAllMs: number;
}

export interface ScaleRun {
  readonly seed: number;
  readonly nodes: number;
  readonly trials: Trial[];
  /** Virtual ms the bootstrap took to converge, and the wall ms it cost. */
  readonly bootstrapMs: number;
  readonly bootstrapWallMs: number;
  readonly wallMs: number;
  /** Live, reachable members declared failed by someone (must be 0). */
  readonly falseFailures: number;
  readonly errors: string[];
  readonly stats: SimStats;
}

const BOOTSTRAP_GAP_MS = 20;
const SETTLE_MS = 10_000;

/** Who has seen `subject` reach `kind` (join, or leave as dead) since the watch began. */
interface Watch {
  readonly subject: string;
  readonly kind: 'join' | 'dead';
  readonly seen: Set<string>;
  first: number;
  last: number;
}

export function replayScale(seed: number, nodes: number, trials: number): string {
  return `replay: npm run build && SEED=${seed} node dist/bench/gossip-scale.js --n=${nodes} --trials=${trials}`;
}

export function runScale(opts: ScaleOptions): ScaleRun {
  const timing = opts.timing ?? LAN_TIMING;
  const wall0 = performance.now();
  let watch: Watch | undefined;
  let falseFailures = 0;
  const onMemberEvent = (e: ObservedEvent): void => {
    if (e.kind === 'leave' && e.state === NodeStateKind.Dead && e.subjectUp && !e.partitioned) falseFailures++;
    if (watch === undefined || e.subject !== watch.subject) return;
    const hit = watch.kind === 'join' ? e.kind === 'join' : e.kind === 'leave' && e.state === NodeStateKind.Dead;
    if (!hit || watch.seen.has(e.observer)) return;
    if (watch.seen.size === 0) watch.first = e.at;
    watch.seen.add(e.observer);
    watch.last = e.at;
  };
  const profile = new SeededRng(opts.seed ^ 0x2545f491);
  const sim = new GossipSim({
    seed: opts.seed,
    timing,
    net: { lossRate: 0, dupRate: 0, minDelayMs: 1, maxDelayMs: 5 + profile.int(20), streamFailRate: 0 },
    onMemberEvent,
    recordEvents: false,
  });
  const say = opts.progress ?? ((): void => undefined);
  const errors: string[] = [];
  const trials: Trial[] = [];

  const total = opts.nodes - 1 + opts.trials * opts.lossRates.length;
  for (let i = 0; i < total; i++) sim.addNode();
  const boot = opts.nodes - 1;
  sim.start(0);
  for (let i = 1; i < boot; i++) sim.at(i * BOOTSTRAP_GAP_MS, () => sim.start(i, [sim.rng.int(i)]));
  const allAlive = (): boolean => {
    const up = sim.upNodes();
    return up.every((i) => sim.coreOf(i)?.numAliveMembers() === up.length);
  };
  sim.runFor(boot * BOOTSTRAP_GAP_MS);
  const converged = sim.runUntil(allAlive, 300_000, 1000);
  const bootstrapMs = sim.now;
  const bootstrapWallMs = performance.now() - wall0;
  say(`seed ${opts.seed}: ${boot} members converged at ${(bootstrapMs / 1000).toFixed(1)} s virtual, ${(bootstrapWallMs / 1000).toFixed(1)} s wall`);
  if (!converged) {
    errors.push(`seed ${opts.seed}: the ${boot}-member bootstrap did not converge within 300 s`);
    return { seed: opts.seed, nodes: opts.nodes, trials, bootstrapMs, bootstrapWallMs, wallMs: performance.now() - wall0, falseFailures, errors, stats: sim.stats };
  }

  let fresh = boot;
  for (const loss of opts.lossRates) {
    sim.net = { ...sim.net, lossRate: loss };
    const model = predict(timing, opts.nodes, loss);
    for (let t = 0; t < opts.trials; t++) {
      sim.runFor(SETTLE_MS + sim.rng.int(timing.probeIntervalMs));
      // Join: a fresh member through a random live one.
      const joiner = fresh++;
      const through = sim.rng.pick(sim.upNodes());
      const joinAt = sim.now;
      watch = { subject: sim.nameOf(joiner), kind: 'join', seen: new Set(), first: NaN, last: NaN };
      const w1 = watch;
      sim.start(joiner, [through]);
      const joined = sim.runUntil(() => w1.seen.size >= sim.upNodes().length - 1, 10 * model.joinMs + 30_000, 50);
      if (!joined) errors.push(`seed ${opts.seed} loss ${loss}: n${joiner}'s join seen by ${w1.seen.size} of ${sim.upNodes().length - 1}`);
      const joinMs = joined ? w1.last - joinAt : NaN;

      sim.runFor(SETTLE_MS + sim.rng.int(timing.probeIntervalMs));
      // Crash: a random earlier member (not the one that just joined).
      const victim = sim.rng.pick(sim.upNodes().filter((i) => i !== joiner));
      const crashAt = sim.now;
      watch = { subject: sim.nameOf(victim), kind: 'dead', seen: new Set(), first: NaN, last: NaN };
      const w2 = watch;
      sim.crash(victim);
      const detected = sim.runUntil(() => w2.seen.size >= sim.upNodes().length, 3 * model.failP99Ms + 30_000, 50);
      if (!detected) errors.push(`seed ${opts.seed} loss ${loss}: n${victim}'s crash declared by ${w2.seen.size} of ${sim.upNodes().length}`);
      watch = undefined;
      const trial = { loss, joinMs, failFirstMs: detected ? w2.first - crashAt : NaN, failAllMs: detected ? w2.last - crashAt : NaN };
      trials.push(trial);
      say(
        `seed ${opts.seed} loss ${loss * 100}% trial ${t + 1}: join seen by all ${fmtS(trial.joinMs)}, ` +
          `crash declared first ${fmtS(trial.failFirstMs)} / by all ${fmtS(trial.failAllMs)} ` +
          `(wall ${((performance.now() - wall0) / 1000).toFixed(1)} s)`,
      );
    }
  }
  if (falseFailures > 0) errors.push(`seed ${opts.seed}: ${falseFailures} live members were declared failed`);
  return { seed: opts.seed, nodes: opts.nodes, trials, bootstrapMs, bootstrapWallMs, wallMs: performance.now() - wall0, falseFailures, errors, stats: sim.stats };
}

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Nearest-rank percentile (p in (0, 100]) of the finite values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))] as number;
}
