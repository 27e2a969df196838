// The full-stack simulation of one seed: Raft + the real FSM and state store on every server,
// KV clients with a recorded history, the same faults and operator actions as the Raft stack, and
// at the end a linearizability check of every key's history (checkers/linearizability.ts).
// After the cluster converged, one ReadIndex read per key closes the history, so a write that was
// acknowledged and then lost cannot go unnoticed.

import { seededRng, type SeededRng } from '../../src/core/support/rng.js';
import { SimCluster } from './cluster.js';
import { ClusterOps } from './cluster-ops.js';
import { fsmApp, type FsmMachine } from './fsm-app.js';
import { KvClients } from './kv-clients.js';
import { KvHistory, type ClientOp, type SlotFate } from './kv-history.js';
import { describeKvProfile, drawKvProfiles, type KvProfile } from './kv-profile.js';
import { KvServers, toOutput, type ServerMutation } from './kv-servers.js';
import { runPhases, type SimOptions, type SimResult, type StackWorkload } from './simulate.js';

export interface KvSimOptions extends SimOptions {
  /** Search steps per key before the checker answers 'unknown'. */
  readonly maxCheckSteps?: number;
  /** Model lease reads with the proposed fix (wait for the FSM to apply the commit index). */
  readonly leaseReadsWaitForCommit?: boolean;
  /** Plant a known bug (self-tests only). */
  readonly mutation?: ServerMutation;
}

/**
 * How src/core/raft/driver.ts serves default-consistency reads: a leader reads under its lease only
 * once it has applied the last index it had when it became leader (its term's first entry, which
 * commits everything the previous leader acknowledged); before that a read takes a ReadIndex round.
 * Seeds 233, 697 and 1399 found the stale read without the wait (kv-servers.ts isLeaderWithLease).
 */
export const DRIVER_LEASE_READS_WAIT_FOR_COMMIT = true;

export function runKvSeed(seed: number, opts: KvSimOptions = {}): SimResult {
  const rng = seededRng(seed);
  const { raft, kv } = drawKvProfiles(rng);
  const c = new SimCluster(raft, rng.fork(), opts.trace === true, fsmApp, kv.applyLagUnits);
  const w = new KvWorkload(c, kv, rng.fork(), opts);
  return runPhases('kv', seed, c, rng, w, opts, describeKvProfile(kv));
}

class KvWorkload implements StackWorkload {
  private readonly history: KvHistory;
  private readonly servers: KvServers;
  private readonly clients: KvClients;
  private readonly ops: ClusterOps<FsmMachine>;
  private finalReads: Map<string, ClientOp> | undefined;

  private readonly maxCheckSteps: number;

  constructor(private readonly c: SimCluster<FsmMachine>, kv: KvProfile, rng: SeededRng, opts: KvSimOptions) {
    this.maxCheckSteps = opts.maxCheckSteps ?? 2_000_000;
    this.history = new KvHistory(c.trace === undefined ? undefined : (line) => c.log(line));
    this.servers = new KvServers(c, this.history, {
      leaseReadsWaitForCommit: opts.leaseReadsWaitForCommit ?? DRIVER_LEASE_READS_WAIT_FOR_COMMIT,
      ...(opts.mutation === undefined ? {} : { mutation: opts.mutation }),
    });
    c.observer = this.servers;
    this.clients = new KvClients(c, this.servers, this.history, kv, rng.fork());
    this.ops = new ClusterOps(c, rng.fork());
  }

  act(): void {
    this.clients.act(true);
    this.ops.act();
  }

  liveStep(): void {
    this.clients.act(false);
  }

  /** The cluster converged and one final ReadIndex read per key was answered. */
  converged(): boolean {
    if (!this.ops.converged()) return false;
    const [leader] = this.ops.leaders();
    if (leader === undefined) return false;
    this.finalReads ??= new Map();
    let done = true;
    for (const key of this.clients.keys()) {
      const prev = this.finalReads.get(key);
      if (prev?.status === 'ok') continue;
      done = false;
      if (prev?.status === 'pending' && this.c.now - Math.floor(prev.call) < 200) continue;
      if (prev?.status === 'pending') {
        this.history.giveUp(prev, 'final read timeout');
        this.servers.forget(prev);
      }
      const op = this.history.invoke(this.c.now, 'final', key, { f: 'get' }, 'final', leader.id);
      if (!this.servers.readIndex(leader, op)) this.history.fail(op, 'refused');
      this.finalReads.set(key, op);
    }
    return done;
  }

  finish(): void {
    this.history.check((slot) => this.fate(slot), this.maxCheckSteps);
  }

  /** What the log says about a slot: the checker saw every entry applied anywhere. */
  private fate(slot: { index: number; term: number }): SlotFate {
    const term = this.c.checker.appliedTerm(slot.index);
    if (term === undefined) return { kind: 'unknown' };
    if (term !== slot.term) return { kind: 'lost' };
    const at = this.servers.resultAt(slot.index);
    const op = this.history.ops.find((o) => o.slot?.index === slot.index && o.slot.term === slot.term);
    if (at === undefined || op === undefined) return { kind: 'unknown' };
    return { kind: 'applied', output: toOutput(op, at.result) };
  }

  describe(): string {
    return this.ops.describe();
  }

  stats(): Record<string, number> {
    return {
      ...this.history.counts(),
      ...this.servers.stats,
      refused: this.clients.refused,
      transfers: this.ops.transfers,
      confChanges: this.ops.confChanges,
    };
  }
}
