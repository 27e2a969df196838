// The Raft stack's workload: raw proposals of toy-KV commands to whoever leads, ReadIndex requests
// checked by the safety checker, plus the shared operator actions (transfers, compaction, membership).

import type { SeededRng } from '../../src/core/support/rng.js';
import type { SimCluster } from './cluster.js';
import { ClusterOps, tolerate } from './cluster-ops.js';
import type { StackWorkload } from './simulate.js';
import type { ToyKv } from './toy-kv.js';

const enc = new TextEncoder();

export class RaftWorkload implements StackWorkload {
  private proposals = 0;
  private readSeq = 0;
  private readonly ops: ClusterOps<ToyKv>;

  constructor(private readonly c: SimCluster<ToyKv>, private readonly rng: SeededRng) {
    this.ops = new ClusterOps(c, rng);
  }

  act(): void {
    const p = this.c.profile;
    if (this.rng.chance(p.proposeRate)) this.propose();
    if (this.rng.chance(p.readRate)) this.read();
    this.ops.act();
  }

  private propose(): void {
    const leaders = this.ops.leaders();
    if (leaders.length === 0) return;
    const leader = this.rng.pick(leaders);
    const st = leader.raw?.status();
    // Client backpressure, as a driver bounds its uncommitted proposals (etcd MaxUncommittedEntriesSize).
    if (st === undefined || st.lastIndex - st.commit > 64) return;
    const n = this.rng.range(1, 4);
    const batch = Array.from({ length: n }, () => enc.encode(`k${this.rng.int(8)}=v${this.c.now}.${this.proposals++}`));
    tolerate(() => leader.raw?.propose(batch));
  }

  private read(): void {
    const live = this.c.live();
    if (live.length === 0) return;
    const node = this.rng.pick(live);
    const ctx = `r${this.readSeq++}`;
    // Every commit observed so far must be covered by this read's index.
    this.c.pendingReads.set(ctx, this.c.checker.maxCommitEver);
    this.c.stats.reads++;
    tolerate(() => node.raw?.readIndex(ctx));
  }

  liveStep(): void {}

  converged(): boolean {
    return this.ops.converged();
  }

  finish(): void {}

  describe(): string {
    return this.ops.describe();
  }

  stats(): Record<string, number> {
    return { proposals: this.proposals, transfers: this.ops.transfers, confChanges: this.ops.confChanges };
  }
}
