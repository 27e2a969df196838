// The server side of the full stack, above each simulated Raft node: what src/core/raft/driver.ts
// and src/core/server/server.ts do with client requests, re-enacted deterministically.
//   writes   propose on the leader; the future settles when the entry at its index is applied:
//            same term -> the FSM's answer, another term -> lost; rejected (outcome unknown) when
//            the server stops leading; gone with the server on a crash.
//   reads    'consistent': ReadIndex, then serve once the FSM applied the read index.
//            'default': a leader within its lease (driver.isLeaderWithLease: the role as of the
//            last processed Ready, hasLease cached for one tick) serves from its store at once.
//            With leaseReadsWaitForCommit (the driver as it is) the lease counts only once the
//            leader has applied its term's first entry; before that a read takes ReadIndex.
//   routing  a follower forwards the request to the leader it knows (one hop, like Consul's RPC
//            forwarding); no leader known -> refused ("No cluster leader").
// A `mutation` plants a known bug, so tests can show the checker catches it.

import { encodeCommand } from '../../src/core/fsm/commands.js';
import type { FsmResult } from '../../src/core/fsm/fsm.js';
import { RaftError, type Entry, type NodeId, type ReadState, type Ready, type Role } from '../../src/core/raft/core/index.js';
import { kvsGet } from '../../src/core/state/kvs.js';
import type { KvOutput } from './checkers/kv-register.js';
import type { ClusterObserver, SimCluster, SimNode } from './cluster.js';
import type { FsmMachine } from './fsm-app.js';
import type { ClientOp, KvHistory } from './kv-history.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Deliberate bugs for self-tests of the pipeline (never on in a normal run). */
export type ServerMutation =
  /** Follower reads answered from the local store at once, with no ReadIndex (Consul's ?stale). */
  | 'stale-follower-reads'
  /** A put is acknowledged as soon as it is proposed, before it commits. */
  | 'ack-before-commit';

export interface ServerModel {
  readonly leaseReadsWaitForCommit: boolean;
  readonly mutation?: ServerMutation;
}

/** Volatile per-server state: lost on a crash, rebuilt empty on restart. */
class Frontend {
  readonly writes = new Map<number, { readonly term: number; readonly op: ClientOp }>();
  /** Reads waiting for their ReadState, by context. */
  readonly reads = new Map<string, ClientOp>();
  /** Reads with a read index, waiting for the FSM to apply it. */
  waiters: { readonly index: number; readonly op: ClientOp }[] = [];
  role: Role = 'follower';
  /** driver.leaseFloor: the last index when this node became leader (lease reads wait for it). */
  leaseFloor = Number.POSITIVE_INFINITY;
  leader: NodeId = '';
  leaseTick = -1;
  leaseValid = false;
}

export class KvServers implements ClusterObserver<FsmMachine> {
  private readonly fronts = new Map<NodeId, Frontend>();
  /** The FSM's answer for each applied command, by index (the same on every server). */
  private readonly results = new Map<number, { readonly term: number; readonly result: FsmResult }>();
  private readSeq = 0;
  stats = { leaseReads: 0, readIndexReads: 0, followerReads: 0, writes: 0 };

  constructor(
    private readonly c: SimCluster<FsmMachine>,
    private readonly history: KvHistory,
    private readonly model: ServerModel,
  ) {}

  private front(node: SimNode<FsmMachine>): Frontend {
    let f = this.fronts.get(node.id);
    if (f === undefined) this.fronts.set(node.id, (f = new Frontend()));
    return f;
  }

  // ---- what the cluster reports --------------------------------------------------------------

  applied(node: SimNode<FsmMachine>, e: Entry, result: unknown): void {
    if (e.kind === 'command' && !this.results.has(e.index)) this.results.set(e.index, { term: e.term, result: result as FsmResult });
    const f = this.front(node);
    const w = f.writes.get(e.index);
    if (w === undefined) return;
    f.writes.delete(e.index);
    if (w.term === e.term && e.kind === 'command') this.history.complete(w.op, toOutput(w.op, result as FsmResult), this.c.now);
    else this.history.fail(w.op, `entry ${e.index} applied with term ${e.term}, proposed in ${w.term}`);
  }

  readState(node: SimNode<FsmMachine>, rs: ReadState): void {
    const f = this.front(node);
    const op = f.reads.get(rs.context);
    if (op === undefined) return;
    f.reads.delete(rs.context);
    f.waiters.push({ index: rs.index, op });
  }

  readyDone(node: SimNode<FsmMachine>, rd: Ready): void {
    const f = this.front(node);
    if (rd.softState !== undefined) {
      const wasLeader = f.role === 'leader';
      if (!wasLeader && rd.softState.role === 'leader' && node.raw !== undefined) f.leaseFloor = node.raw.status().lastIndex;
      f.role = rd.softState.role;
      f.leader = rd.softState.leader;
      f.leaseTick = -1;
      if (wasLeader && f.role !== 'leader') {
        // The entries may still commit under the next leader; this server can no longer tell.
        for (const { op } of f.writes.values()) this.history.giveUp(op, 'leadership lost');
        f.writes.clear();
        for (const op of f.reads.values()) this.history.fail(op, 'leadership lost');
        f.reads.clear();
      }
    }
    if (f.waiters.length === 0) return;
    const ready = f.waiters.filter((w) => w.index <= node.appliedIndex);
    f.waiters = f.waiters.filter((w) => w.index > node.appliedIndex);
    for (const w of ready) this.history.complete(w.op, readKey(node, w.op.key), this.c.now);
  }

  lost(node: SimNode<FsmMachine>): void {
    const f = this.fronts.get(node.id);
    if (f === undefined) return;
    this.fronts.delete(node.id);
    for (const { op } of f.writes.values()) this.history.giveUp(op, `${node.id} crashed`);
    for (const op of f.reads.values()) this.history.fail(op, `${node.id} crashed`);
    for (const { op } of f.waiters) this.history.fail(op, `${node.id} crashed`);
  }

  // ---- client requests -----------------------------------------------------------------------

  /** The server that handles a request sent to `node`: itself if it leads, else its leader. */
  route(node: SimNode<FsmMachine>): SimNode<FsmMachine> | undefined {
    const f = this.front(node);
    if (f.role === 'leader') return node;
    const to = f.leader === '' ? undefined : this.c.nodes.get(f.leader);
    if (to?.raw === undefined) return undefined;
    return this.front(to).role === 'leader' ? to : undefined;
  }

  /** Proposes a write on `node` (a leader). False if refused (the op then did nothing). */
  write(node: SimNode<FsmMachine>, op: ClientOp): boolean {
    const raw = node.raw;
    if (raw === undefined || op.input.f === 'get') return false;
    const st = raw.status();
    // Backpressure: a server stops taking writes while too much is uncommitted.
    if (st.lastIndex - st.commit > 64) return false;
    const value = op.input.f === 'delete' ? new Uint8Array(0) : enc.encode(op.input.value);
    const index = op.input.f === 'cas' ? op.casIndex ?? 0 : 0;
    const kvsOp = op.input.f === 'put' ? 'set' : op.input.f;
    const data = encodeCommand({ t: 'kvs', v: 1, req: { op: kvsOp, key: op.key, value, flags: 0, session: '', index } });
    let slot: { index: number; term: number } | undefined;
    try {
      [slot] = raw.propose([data]);
    } catch (err) {
      if (err instanceof RaftError) return false;
      throw err;
    }
    if (slot === undefined) return false;
    op.slot = slot;
    // Like the driver's futures map, a newer proposal at a reused index replaces the old waiter
    // (whose client then times out).
    this.front(node).writes.set(slot.index, { term: slot.term, op });
    this.stats.writes++;
    if (this.model.mutation === 'ack-before-commit' && op.input.f === 'put') this.history.complete(op, { f: 'ok' }, this.c.now);
    return true;
  }

  /** Default consistency on a leader within its lease: served from the local store at once. */
  leaseRead(node: SimNode<FsmMachine>, op: ClientOp): boolean {
    if (!this.isLeaderWithLease(node) || node.raw === undefined) return false;
    this.stats.leaseReads++;
    this.history.complete(op, readKey(node, op.key), this.c.now);
    return true;
  }

  /** ReadIndex on `node` (the leader; or a follower, which the core forwards to its leader). */
  readIndex(node: SimNode<FsmMachine>, op: ClientOp): boolean {
    const raw = node.raw;
    if (raw === undefined) return false;
    if (this.model.mutation === 'stale-follower-reads' && op.path === 'followerRead') {
      this.stats.followerReads++;
      this.history.complete(op, readKey(node, op.key), this.c.now);
      return true;
    }
    const ctx = `kv-read-${this.readSeq++}`;
    try {
      raw.readIndex(ctx);
    } catch (err) {
      if (err instanceof RaftError) return false;
      throw err;
    }
    this.front(node).reads.set(ctx, op);
    if (op.path === 'followerRead') this.stats.followerReads++;
    else this.stats.readIndexReads++;
    return true;
  }

  /** The client stopped waiting: forget the op (the driver's timers drop their futures too). */
  forget(op: ClientOp): void {
    const f = this.fronts.get(op.node);
    if (f === undefined) return;
    if (op.slot !== undefined && f.writes.get(op.slot.index)?.op === op) f.writes.delete(op.slot.index);
    for (const [ctx, o] of f.reads) if (o === op) f.reads.delete(ctx);
    f.waiters = f.waiters.filter((w) => w.op !== op);
  }

  /** The FSM's answer at `index` if a command with that term was applied there anywhere. */
  resultAt(index: number): { term: number; result: FsmResult } | undefined {
    return this.results.get(index);
  }

  /** driver.isLeaderWithLease(): the role of the last processed Ready, hasLease cached per tick. */
  isLeaderWithLease(node: SimNode<FsmMachine>): boolean {
    const f = this.front(node);
    if (f.role !== 'leader' || node.raw === undefined) return false;
    if (f.leaseTick !== node.ticks) {
      f.leaseTick = node.ticks;
      f.leaseValid = node.raw.status().hasLease;
    }
    if (!this.model.leaseReadsWaitForCommit) return f.leaseValid;
    return f.leaseValid && node.appliedIndex >= f.leaseFloor;
  }
}

function readKey(node: SimNode<FsmMachine>, key: string): KvOutput {
  const { entry } = kvsGet(node.sm.store, key);
  return entry === undefined ? { f: 'get', value: null, modifyIndex: 0 } : { f: 'get', value: dec.decode(entry.Value), modifyIndex: entry.ModifyIndex };
}

export function toOutput(op: ClientOp, result: FsmResult): KvOutput {
  if (result.t !== 'bool') throw new Error(`FSM answered ${JSON.stringify(result)} to kvs ${op.input.f} on ${op.key}`);
  if (op.input.f === 'cas') return { f: 'cas', ok: result.value };
  if (!result.value) throw new Error(`FSM refused kvs ${op.input.f} on ${op.key}`);
  return { f: 'ok' };
}
