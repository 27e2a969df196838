// Operator actions every stack runs during the safety phase (leadership transfers, snapshots with
// log compaction, membership changes), and the liveness check run after healing.

import { RaftError } from '../../src/core/raft/core/index.js';
import type { SeededRng } from '../../src/core/support/rng.js';
import type { SimCluster, SimNode } from './cluster.js';
import type { SimStateMachine } from './state-machine.js';

/** Expected refusals (not leader, transfer in progress, change pending) are part of the workload. */
export function tolerate(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof RaftError)) throw err;
  }
}

export class ClusterOps<S extends SimStateMachine> {
  transfers = 0;
  confChanges = 0;
  private marker: { index: number; term: number } | undefined;

  constructor(private readonly c: SimCluster<S>, private readonly rng: SeededRng) {}

  leaders(): SimNode<S>[] {
    return this.c.live().filter((n) => n.raw?.status().role === 'leader');
  }

  act(): void {
    const p = this.c.profile;
    if (this.rng.chance(p.transferRate)) this.transfer();
    if (this.rng.chance(p.compactRate)) this.c.compact(this.rng.pick([...this.c.nodes.values()]));
    if (this.rng.chance(p.confRate)) this.changeMembership();
  }

  private transfer(): void {
    const [leader] = this.leaders();
    if (leader?.raw === undefined) return;
    const voters = leader.raw.status().conf.voters.filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    const to = this.rng.pick(voters);
    this.c.log(`transfer ${leader.id} -> ${to}`);
    this.transfers++;
    tolerate(() => leader.raw?.transferLeader(to));
  }

  private changeMembership(): void {
    const [leader] = this.leaders();
    if (leader?.raw === undefined) return;
    const { voters, learners } = leader.raw.status().conf;
    const candidates = [...this.c.nodes.values()].filter((n) => !n.removed && !voters.includes(n.id) && !learners.includes(n.id));
    const spare = candidates[0];
    const learner = learners[0];
    let cc: Parameters<NonNullable<SimNode['raw']>['proposeConfChange']>[0];
    if (learner !== undefined) cc = { type: 'addVoter', id: learner }; // promote once caught up
    else if (spare !== undefined && this.rng.chance(0.7)) cc = { type: 'addLearner', id: spare.id };
    else if (voters.length > 3) cc = { type: this.rng.chance(0.8) ? 'remove' : 'demote', id: this.rng.pick(voters) };
    else return;
    this.c.log(`${leader.id} proposes ${cc.type} ${cc.id}`);
    tolerate(() => {
      leader.raw?.proposeConfChange(cc);
      this.confChanges++;
    });
  }

  /** Liveness: one leader known to every live member, and everyone applied a fresh marker entry. */
  converged(): boolean {
    const { voters, learners } = this.c.latestConf.conf;
    const members = [...this.c.nodes.values()].filter((n) => !n.removed && (voters.includes(n.id) || learners.includes(n.id)));
    if (members.some((n) => n.raw === undefined)) return false;
    const leaders = this.leaders();
    if (leaders.length !== 1) return false;
    const leader = leaders[0] as SimNode<S>;
    const st = leader.raw?.status();
    if (st === undefined) return false;
    if (this.marker !== undefined) {
      const applied = this.c.checker.appliedTerm(this.marker.index);
      // Lost (another entry won its index) or its leader is gone before it committed: retry.
      if (applied !== undefined ? applied !== this.marker.term : this.marker.term !== st.term) this.marker = undefined;
    }
    if (this.marker === undefined) {
      try {
        const [r] = leader.raw?.propose([this.c.app.marker(this.c.now)]) ?? [];
        if (r !== undefined) this.marker = r;
      } catch (err) {
        if (!(err instanceof RaftError)) throw err;
      }
      return false;
    }
    const target = st.commit;
    if (target < this.marker.index) return false;
    for (const n of members) {
      const s = n.raw?.status();
      if (s === undefined || s.leader !== leader.id || s.term !== st.term || n.appliedIndex < target) return false;
    }
    const reference = leader.sm.fingerprint();
    for (const n of members) {
      if (n.appliedIndex === leader.appliedIndex && n.sm.fingerprint() !== reference) {
        throw new Error(`state machine divergence: ${n.id} and ${leader.id} differ at applied index ${n.appliedIndex}`);
      }
    }
    return true;
  }

  describe(): string {
    return this.c.liveStatuses()
      .map(({ node, st }) => `${node.id}:${st.role}@${st.term} lead=${st.leader || '-'} commit=${st.commit} applied=${node.appliedIndex} last=${st.lastIndex}`)
      .join('; ');
  }
}
