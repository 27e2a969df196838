// One simulation run per seed: a safety phase (faults + workload, checkers after every step), then
// a liveness phase (heal everything; a leader must emerge and every live member must converge).

import { RaftError, type NodeId } from '../../src/core/raft/core/index.js';
import { seededRng, type SeededRng } from '../../src/core/support/rng.js';
import { SafetyChecker } from './checkers/safety.js';
import { SimCluster, kvEqual, type SimNode } from './cluster.js';
import { drawProfile, leaseAssumptionsHold, type SimProfile } from './profile.js';

const enc = new TextEncoder();

export interface SimOptions {
  readonly trace?: boolean;
  /** Overrides the profile's fault-phase length (sim time units). */
  readonly faultUnits?: number;
}

export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly profile: SimProfile;
  readonly stats: Record<string, number>;
  readonly trace?: readonly string[];
}

export function replayHint(seed: number): string {
  return `SEED=${seed} (replay: SEED=${seed} npm run sim; add -- --trace for an event log)`;
}

export function runSeed(seed: number, opts: SimOptions = {}): SimResult {
  const rng = seededRng(seed);
  const profile = drawProfile(rng);
  const c = new SimCluster(profile, rng.fork(), opts.trace === true);
  const w = new Workload(c, rng.fork());
  let phase = 'safety';
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
      if (rng.chance(profile.compactRate)) c.compact(rng.pick([...c.nodes.values()]));
      checkEveryStep(c);
      if (c.now % 10 === 0) converged = w.converged();
    }
    if (!converged) throw new Error(`liveness: no convergence within ${profile.healUnits} units after healing (${w.describe()})`);
    finalChecks(c);
  } catch (err) {
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return {
      seed, ok: false, profile, stats: statsOf(c, w),
      error: `sim failed in ${phase} phase at t=${c.now}: ${msg}\n  ${replayHint(seed)}`,
      ...(c.trace === undefined ? {} : { trace: c.trace }),
    };
  }
  return { seed, ok: true, profile, stats: statsOf(c, w), ...(c.trace === undefined ? {} : { trace: c.trace }) };
}

function statsOf(c: SimCluster, w: Workload): Record<string, number> {
  return {
    ...c.stats,
    terms: c.checker.leaderCount(),
    committed: c.checker.maxCommitEver,
    proposals: w.proposals,
    transfers: w.transfers,
    confChanges: w.confChanges,
    messages: c.net.sent,
    dropped: c.net.dropped,
  };
}

function step(c: SimCluster): void {
  c.tickNodes();
  c.deliver();
  c.drivers();
}

/** Election Safety after every step, and the lease check where its assumptions hold. */
function checkEveryStep(c: SimCluster): void {
  const lease = leaseAssumptionsHold(c.profile);
  for (const { node, st } of c.liveStatuses()) {
    if (st.role !== 'leader') continue;
    c.checker.leader(node.id, st.term);
    if (lease && st.hasLease && st.commit < c.checker.maxCommitEver) {
      throw new Error(`lease: ${node.id} holds a lease at term ${st.term} with commit ${st.commit} < ${c.checker.maxCommitEver}`);
    }
  }
}

function injectFaults(c: SimCluster, rng: SeededRng): void {
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

function heal(c: SimCluster): void {
  c.net.healPartitions();
  c.net.faults = { dropRate: 0, dupRate: 0, maxDelayUnits: Math.min(c.profile.maxDelayUnits, 5) };
  for (const node of c.nodes.values()) {
    if (node.raw === undefined && !node.removed) c.restart(node);
  }
  c.log('heal: network repaired, all servers up');
}

function finalChecks(c: SimCluster): void {
  const nodes = [...c.nodes.values()].filter((n) => !n.removed);
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) SafetyChecker.compareLogs(nodes[i] as SimNode, nodes[j] as SimNode);
  }
}

/** Clients: puts to whoever is leader, reads, transfers, compaction and membership changes. */
class Workload {
  proposals = 0;
  transfers = 0;
  confChanges = 0;
  private readSeq = 0;
  private marker: { index: number; term: number } | undefined;

  constructor(private readonly c: SimCluster, private readonly rng: SeededRng) {}

  private leaders(): SimNode[] {
    return this.c.live().filter((n) => n.raw?.status().role === 'leader');
  }

  act(): void {
    const p = this.c.profile;
    if (this.rng.chance(p.proposeRate)) this.propose();
    if (this.rng.chance(p.readRate)) this.read();
    if (this.rng.chance(p.transferRate)) this.transfer();
    if (this.rng.chance(p.compactRate)) this.c.compact(this.rng.pick([...this.c.nodes.values()]));
    if (this.rng.chance(p.confRate)) this.changeMembership();
  }

  private propose(): void {
    const leaders = this.leaders();
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
    const leader = leaders[0] as SimNode;
    const st = leader.raw?.status();
    if (st === undefined) return false;
    if (this.marker !== undefined) {
      const applied = this.c.checker.appliedTerm(this.marker.index);
      // Lost (another entry won its index) or its leader is gone before it committed: retry.
      if (applied !== undefined ? applied !== this.marker.term : this.marker.term !== st.term) this.marker = undefined;
    }
    if (this.marker === undefined) {
      try {
        const [r] = leader.raw?.propose([enc.encode(`__marker__=${this.c.now}`)]) ?? [];
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
    for (const n of members) {
      if (n.appliedIndex === leader.appliedIndex && !kvEqual(n.kv, leader.kv)) {
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

/** Expected refusals (not leader, transfer in progress, change pending) are part of the workload. */
function tolerate(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof RaftError)) throw err;
  }
}
