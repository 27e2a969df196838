// The anchor for the gossip scale runs: what HashiCorp publishes about how fast a memberlist/serf
// cluster converges, as formulas, evaluated for our parameters.
//
// (1) Dissemination: serf's convergence simulator (serf.io/docs/internals/simulator.html; its
//     model is website/source/assets/javascripts/_simulator.js, convergenceAtRound). An epidemic
//     (logistic) model in gossip rounds of GossipInterval:
//        contact  = (fanout / N) * (1 - packetLoss) * (1 - nodeFail) * 0.5
//        infected = N / (1 + (N + 1) * e^(-contact * N * round))
//     Its graph is drawn until 99.99% of the nodes have the news (maxConverge = 0.9999), which for
//     N <= 5,000 is within half a node of all of them: "seen by all" is that point. We solve the
//     curve for it exactly instead of reading it off the graph's whole rounds.
// (2) Failure detection: memberlist's documented timing (config.go comments on ProbeInterval,
//     ProbeTimeout, SuspicionMult, SuspicionMaxTimeoutMult; suspicion.go) on top of SWIM's
//     expected first-detection time (Das et al. 2002, §3.1). A crashed member is
//       - first probed after W: N-1 members each probe one member per ProbeInterval, in shuffled
//         round-robin order and unsynchronised, so probes of the victim arrive at a rate of about
//         one per ProbeInterval: W ~ Exp(mean ProbeInterval) (SWIM §3.1: 1/(1 - e^-1) intervals
//         when every member probes at the same instant);
//       - suspected when that probe's interval ends with no ack (direct ping, ProbeTimeout, then
//         IndirectChecks indirect pings and the TCP fallback, all within one ProbeInterval);
//       - declared dead by that first suspecter after the suspicion timeout. config.go:
//         "SuspicionTimeout = SuspicionMult * log(N+1) * ProbeInterval" (util.go computes
//         log10(N)), starting at SuspicionMaxTimeoutMult times that and "if everything is
//         working properly, confirmations from other nodes will accelerate suspicion timers in a
//         manner which will cause the timeout to reach the base SuspicionTimeout": so the base;
//       - and that "dead" then spreads as in (1).
//     failure seen by all = W + ProbeInterval + SuspicionTimeout + dissemination.
// The model knows nothing of our code: it takes only the configuration (Consul's LAN defaults,
// which are memberlist's DefaultLANConfig) and N.
import { suspicionTimeoutMs } from '../../../src/core/gossip/memberlist/scaling.js';
import type { MemberlistTiming } from '../../../src/core/gossip/memberlist/types.js';

/** serf's simulator draws its curve up to this fraction of the cluster. */
export const SERF_MAX_CONVERGE = 0.9999;

export interface DisseminationParams {
  readonly nodes: number;
  readonly fanout: number;
  readonly gossipIntervalMs: number;
  /** Fraction of packets lost, [0, 1). */
  readonly packetLoss: number;
  /** Fraction of nodes failed, [0, 1). */
  readonly nodeFail?: number;
}

/** serf's convergenceAtRound: the fraction of nodes that have the news after `round` rounds. */
export function serfConvergedFraction(p: DisseminationParams, round: number): number {
  const contact = (p.fanout / p.nodes) * (1 - p.packetLoss) * (1 - (p.nodeFail ?? 0)) * 0.5;
  const infected = p.nodes / (1 + (p.nodes + 1) * Math.exp(-contact * p.nodes * round));
  return infected / p.nodes;
}

/** Rounds until serf's curve reaches `fraction` (solved from the formula, not sampled). */
export function serfRoundsTo(p: DisseminationParams, fraction = SERF_MAX_CONVERGE): number {
  const rate = p.fanout * (1 - p.packetLoss) * (1 - (p.nodeFail ?? 0)) * 0.5;
  return Math.log((p.nodes + 1) / (1 / fraction - 1)) / rate;
}

/** Milliseconds until the news has reached everyone, by serf's model. */
export function serfConvergenceMs(p: DisseminationParams): number {
  return serfRoundsTo(p) * p.gossipIntervalMs;
}

export interface ModelPrediction {
  /** Join seen by all (the model is deterministic: one figure). */
  readonly joinMs: number;
  /** Failure seen by all: median and 99th percentile (the first probe's wait is exponential). */
  readonly failP50Ms: number;
  readonly failP99Ms: number;
  /** The parts of the failure figure, for the report. */
  readonly parts: { readonly suspicionMs: number; readonly probeIntervalMs: number; readonly disseminationMs: number };
  /** No member may declare the failure earlier than this after the crash: the base suspicion timeout. */
  readonly failFloorMs: number;
}

/** The model's figures for `nodes` members with `timing`, at `packetLoss`. */
export function predict(timing: MemberlistTiming, nodes: number, packetLoss: number): ModelPrediction {
  const spread = serfConvergenceMs({ nodes, fanout: timing.gossipNodes, gossipIntervalMs: timing.gossipIntervalMs, packetLoss });
  const suspicionMs = suspicionTimeoutMs(timing.suspicionMult, nodes, timing.probeIntervalMs);
  const fixed = timing.probeIntervalMs + suspicionMs + spread;
  // W ~ Exp(mean = ProbeInterval): median ln 2, 99th percentile ln 100 intervals.
  return {
    joinMs: spread,
    failP50Ms: timing.probeIntervalMs * Math.LN2 + fixed,
    failP99Ms: timing.probeIntervalMs * Math.log(100) + fixed,
    parts: { suspicionMs, probeIntervalMs: timing.probeIntervalMs, disseminationMs: spread },
    failFloorMs: suspicionMs,
  };
}
