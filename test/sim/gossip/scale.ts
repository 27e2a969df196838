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
  return new ScaleRunner(opts).run();
}

/** One seeded run: the simulator, the event watch, and the figures so far. */
class ScaleRunner {
  private readonly timing: MemberlistTiming;
  private readonly sim: GossipSim;
  private readonly wall0 = performance.now();
  private readonly say: (line: string) => void;
  private readonly errors: string[] = [];
  private readonly trials: Trial[] = [];
  private watch: Watch | undefined;
  private falseFailures = 0;
  private bootstrapMs = 0;
  private bootstrapWallMs = 0;
  /** The next never-started node: the joiners. */
  private fresh: number;

  constructor(private readonly opts: ScaleOptions) {
    this.timing = opts.timing ?? LAN_TIMING;
    this.say = opts.progress ?? ((): void => undefined);
    const profile = new SeededRng(opts.seed ^ 0x2545f491);
    this.sim = new GossipSim({
      seed: opts.seed,
      timing: this.timing,
      net: { lossRate: 0, dupRate: 0, minDelayMs: 1, maxDelayMs: 5 + profile.int(20), streamFailRate: 0 },
      onMemberEvent: (e) => this.onMemberEvent(e),
      recordEvents: false,
    });
    this.fresh = opts.nodes - 1;
  }

  run(): ScaleRun {
    if (this.bootstrap()) {
      for (const loss of this.opts.lossRates) {
        this.sim.net = { ...this.sim.net, lossRate: loss };
        for (let t = 0; t < this.opts.trials; t++) this.trial(loss, t);
      }
    }
    if (this.falseFailures > 0) this.errors.push(`seed ${this.opts.seed}: ${this.falseFailures} live members were declared failed`);
    const { seed, nodes } = this.opts;
    return {
      seed,
      nodes,
      trials: this.trials,
      bootstrapMs: this.bootstrapMs,
      bootstrapWallMs: this.bootstrapWallMs,
      wallMs: performance.now() - this.wall0,
      falseFailures: this.falseFailures,
      errors: this.errors,
      stats: this.sim.stats,
    };
  }

  private onMemberEvent(e: ObservedEvent): void {
    if (e.kind === 'leave' && e.state === NodeStateKind.Dead && e.subjectUp && !e.partitioned) this.falseFailures++;
    const w = this.watch;
    if (w === undefined || e.subject !== w.subject) return;
    const hit = w.kind === 'join' ? e.kind === 'join' : e.kind === 'leave' && e.state === NodeStateKind.Dead;
    if (!hit || w.seen.has(e.observer)) return;
    if (w.seen.size === 0) w.first = e.at;
    w.seen.add(e.observer);
    w.last = e.at;
  }

  /** Start N-1 members, one every BOOTSTRAP_GAP_MS, and wait until all list all alive. */
  private bootstrap(): boolean {
    const { sim, opts } = this;
    const boot = opts.nodes - 1;
    const total = boot + opts.trials * opts.lossRates.length;
    for (let i = 0; i < total; i++) sim.addNode();
    sim.start(0);
    for (let i = 1; i < boot; i++) sim.at(i * BOOTSTRAP_GAP_MS, () => sim.start(i, [sim.rng.int(i)]));
    const allAlive = (): boolean => {
      const up = sim.upNodes();
      return up.every((i) => sim.coreOf(i)?.numAliveMembers() === up.length);
    };
    sim.runFor(boot * BOOTSTRAP_GAP_MS);
    const converged = sim.runUntil(allAlive, 300_000, 1000);
    this.bootstrapMs = sim.now;
    this.bootstrapWallMs = performance.now() - this.wall0;
    this.say(`seed ${opts.seed}: ${boot} members converged at ${(sim.now / 1000).toFixed(1)} s virtual, ${(this.bootstrapWallMs / 1000).toFixed(1)} s wall`);
    if (!converged) this.errors.push(`seed ${opts.seed}: the ${boot}-member bootstrap did not converge within 300 s`);
    return converged;
  }

  private trial(loss: number, t: number): void {
    const model = predict(this.timing, this.opts.nodes, loss);
    this.sim.runFor(SETTLE_MS + this.sim.rng.int(this.timing.probeIntervalMs));
    const joiner = this.fresh++;
    const joinMs = this.measureJoin(joiner, loss, 10 * model.joinMs + 30_000);
    this.sim.runFor(SETTLE_MS + this.sim.rng.int(this.timing.probeIntervalMs));
    const [failFirstMs, failAllMs] = this.measureCrash(joiner, loss, 3 * model.failP99Ms + 30_000);
    const trial = { loss, joinMs, failFirstMs, failAllMs };
    this.trials.push(trial);
    this.say(
      `seed ${this.opts.seed} loss ${loss * 100}% trial ${t + 1}: join seen by all ${fmtS(joinMs)}, ` +
        `crash declared first ${fmtS(failFirstMs)} / by all ${fmtS(failAllMs)} ` +
        `(wall ${((performance.now() - this.wall0) / 1000).toFixed(1)} s)`,
    );
  }

  /** A fresh member joins through a random live one: ms until every other member listed it. */
  private measureJoin(joiner: number, loss: number, maxMs: number): number {
    const sim = this.sim;
    const through = sim.rng.pick(sim.upNodes());
    const joinAt = sim.now;
    const w: Watch = { subject: sim.nameOf(joiner), kind: 'join', seen: new Set(), first: NaN, last: NaN };
    this.watch = w;
    sim.start(joiner, [through]);
    const joined = sim.runUntil(() => w.seen.size >= sim.upNodes().length - 1, maxMs, 50);
    this.watch = undefined;
    if (!joined) this.errors.push(`seed ${this.opts.seed} loss ${loss}: n${joiner}'s join seen by ${w.seen.size} of ${sim.upNodes().length - 1}`);
    return joined ? w.last - joinAt : NaN;
  }

  /** A random earlier member (not the newest) crashes: ms to the first and the last "failed". */
  private measureCrash(newest: number, loss: number, maxMs: number): [number, number] {
    const sim = this.sim;
    const victim = sim.rng.pick(sim.upNodes().filter((i) => i !== newest));
    const crashAt = sim.now;
    const w: Watch = { subject: sim.nameOf(victim), kind: 'dead', seen: new Set(), first: NaN, last: NaN };
    this.watch = w;
    sim.crash(victim);
    const detected = sim.runUntil(() => w.seen.size >= sim.upNodes().length, maxMs, 50);
    this.watch = undefined;
    if (!detected) this.errors.push(`seed ${this.opts.seed} loss ${loss}: n${victim}'s crash declared by ${w.seen.size} of ${sim.upNodes().length}`);
    return detected ? [w.first - crashAt, w.last - crashAt] : [NaN, NaN];
  }
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
