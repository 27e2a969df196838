// Fault injection for one step of the safety phase (partitions, asymmetric cuts, crashes, leader
// crashes) and the repair that starts the liveness phase. Shared by every stack.

import type { NodeId } from '../../src/core/raft/core/index.js';
import type { SeededRng } from '../../src/core/support/rng.js';
import type { SimCluster } from './cluster.js';
import type { SimStateMachine } from './state-machine.js';

export function injectFaults<S extends SimStateMachine>(c: SimCluster<S>, rng: SeededRng): void {
  const p = c.profile;
  const ids = [...c.nodes.keys()];
  if (rng.chance(p.partitionRate)) {
    if (c.net.hasPartitions() && rng.chance(0.5)) {
      c.net.healPartitions();
      c.log('partitions healed');
    } else if (rng.chance(0.5)) {
      const shuffled = [...ids];
      const cut = rng.range(1, ids.length - 1);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j] as NodeId, shuffled[i] as NodeId];
      }
      const a = shuffled.slice(0, cut);
      c.net.partition(a, shuffled.slice(cut));
      c.log(`partition ${a.join(',')} | ${shuffled.slice(cut).join(',')}`);
    } else {
      const from = rng.pick(ids);
      const to = rng.pick(ids.filter((x) => x !== from));
      c.net.block(from, to);
      c.log(`asymmetric cut ${from} -> ${to}`);
    }
  }
  const live = c.live();
  if (live.length > 0 && rng.chance(p.crashRate)) c.crash(rng.pick(live), 'fault');
  if (rng.chance(p.leaderCrashRate)) {
    const leaders = live.filter((n) => n.raw !== undefined && n.raw.status().role === 'leader');
    if (leaders.length > 0) c.crash(rng.pick(leaders), 'leader fault');
  }
}

/** Liveness phase: no partitions, no loss, short delays, every server that is not removed up. */
export function heal<S extends SimStateMachine>(c: SimCluster<S>): void {
  c.net.healPartitions();
  c.net.faults = { dropRate: 0, dupRate: 0, maxDelayUnits: Math.min(c.profile.maxDelayUnits, 5) };
  for (const node of c.nodes.values()) {
    if (node.raw === undefined && !node.removed) c.restart(node);
  }
  c.log('heal: network repaired, all servers up');
}
