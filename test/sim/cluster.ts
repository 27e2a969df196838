// Simulated servers: each runs a RawNode over a MemoryStorage and a state machine (the toy KV or
// the real FSM, see state-machine.ts), with a driver that follows the Ready contract exactly:
// persist -> send -> apply -> advance. A crash drops the RawNode and every unpersisted thing with
// it; a restart rebuilds from storage only (the FSM from the snapshot, then the log replays).
// With applyLagUnits > 0 a Ready is taken at once but finished (persisted, sent, applied) that
// much later, as the real driver awaits its fsync while the core keeps ticking and stepping.

import {
  EMPTY_CONF,
  MemoryStorage,
  RawNode,
  bootstrapStorage,
  decodeConfState,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type ReadState,
  type Ready,
  type Status,
} from '../../src/core/raft/core/index.js';
import type { SeededRng } from '../../src/core/support/rng.js';
import { SafetyChecker } from './checkers/safety.js';
import { SimNetwork } from './network.js';
import type { SimProfile } from './profile.js';
import type { SimApp, SimStateMachine } from './state-machine.js';

/** What the layer above Raft (the simulated server front end and its clients) hears about. */
export interface ClusterObserver<S extends SimStateMachine> {
  /** An entry was applied on `node`; `result` is the state machine's answer (undefined unless a command). */
  applied?(node: SimNode<S>, e: Entry, result: unknown): void;
  readState?(node: SimNode<S>, rs: ReadState): void;
  /** A Ready was fully handled (persisted, sent, applied, advanced): reads may be served now. */
  readyDone?(node: SimNode<S>, rd: Ready): void;
  /** Everything volatile on `node` is gone (crash or decommission). */
  lost?(node: SimNode<S>): void;
}

export interface SimNode<S extends SimStateMachine = SimStateMachine> {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  raw: RawNode | undefined;
  /** Incremented on every crash, so late snapshot reports never reach a new incarnation. */
  epoch: number;
  tickUnits: number;
  nextTickAt: number;
  downUntil: number;
  /** Removed from the configuration and shut down for good. */
  removed: boolean;
  sm: S;
  appliedIndex: number;
  conf: ConfState;
  /** Ticks since the current incarnation started (the driver's tick counter). */
  ticks: number;
  /** A Ready taken from the core whose persistence has not finished yet (applyLagUnits > 0). */
  inFlight: { rd: Ready; dueAt: number; sent: boolean; applied: number } | undefined;
}

export class SimCluster<S extends SimStateMachine = SimStateMachine> {
  readonly nodes = new Map<NodeId, SimNode<S>>();
  readonly net: SimNetwork;
  readonly checker = new SafetyChecker();
  now = 0;
  /** The newest committed configuration seen applied anywhere. */
  latestConf: { index: number; conf: ConfState };
  /** Read requests in flight: context -> the commit index they must cover. */
  readonly pendingReads = new Map<string, number>();
  private readonly everMembers = new Set<NodeId>();
  readonly trace: string[] | undefined;
  stats = { crashes: 0, restarts: 0, snapshotsSent: 0, snapshotsInstalled: 0, reads: 0, readsServed: 0, compactions: 0 };
  observer: ClusterObserver<S> = {};

  constructor(
    readonly profile: SimProfile,
    private readonly rng: SeededRng,
    trace: boolean,
    readonly app: SimApp<S>,
    readonly applyLagUnits = 0,
  ) {
    this.trace = trace ? [] : undefined;
    this.net = new SimNetwork(rng.fork(), {
      dropRate: profile.dropRate,
      dupRate: profile.dupRate,
      maxDelayUnits: profile.maxDelayUnits,
    });
    const voters = Array.from({ length: profile.voters }, (_, i) => `n${i + 1}`);
    const spare = `n${profile.voters + 1}`;
    for (const id of [...voters, spare]) {
      const storage = new MemoryStorage();
      if (id !== spare) bootstrapStorage(storage, voters);
      const tickUnits = profile.skew && rng.chance(0.5) ? rng.range(6, 14) : profile.tickUnits;
      const node: SimNode<S> = {
        id, storage, raw: undefined, epoch: 0, tickUnits, nextTickAt: rng.int(tickUnits) + 1,
        downUntil: 0, removed: false, sm: app.restore(new Uint8Array(0), 0), appliedIndex: 0, conf: EMPTY_CONF,
        ticks: 0, inFlight: undefined,
      };
      this.nodes.set(id, node);
      this.start(node);
    }
    this.latestConf = { index: 1, conf: { voters, learners: [] } };
    for (const id of voters) this.everMembers.add(id);
  }

  log(line: string): void {
    this.trace?.push(`[${this.now}] ${line}`);
  }

  /** Starts (or restarts) a node from its storage: FSM from the snapshot, then the log replays. */
  start(node: SimNode<S>): void {
    const snap = node.storage.snapshot();
    node.sm = this.app.restore(snap.data, snap.meta.index);
    node.appliedIndex = snap.meta.index;
    node.ticks = 0;
    node.inFlight = undefined;
    node.conf = snap.meta.conf;
    const p = this.profile;
    node.raw = new RawNode({
      id: node.id,
      storage: node.storage,
      rng: this.rng.fork(),
      electionTicks: p.electionTicks,
      heartbeatTicks: p.heartbeatTicks,
      preVote: p.preVote,
      checkQuorum: p.checkQuorum,
      maxSizePerMsg: p.maxSizePerMsg,
      maxInflight: p.maxInflight,
      applied: snap.meta.index,
    });
  }

  crash(node: SimNode<S>, why: string): void {
    if (node.raw === undefined) return;
    node.raw = undefined;
    node.inFlight = undefined; // its fsync never finished: nothing of it is durable
    node.epoch++;
    this.observer.lost?.(node);
    node.downUntil = this.now + this.rng.range(20, 600);
    this.stats.crashes++;
    this.log(`${node.id} crashes (${why})`);
  }

  restart(node: SimNode<S>): void {
    this.start(node);
    this.stats.restarts++;
    this.log(`${node.id} restarts (term ${node.storage.initialState().hardState.term}, last ${node.storage.lastIndex()}, snap ${node.storage.snapshot().meta.index})`);
  }

  live(): SimNode<S>[] {
    return [...this.nodes.values()].filter((n) => n.raw !== undefined);
  }

  liveStatuses(): { node: SimNode<S>; raw: RawNode; st: Status }[] {
    const out: { node: SimNode<S>; raw: RawNode; st: Status }[] = [];
    for (const node of this.nodes.values()) if (node.raw !== undefined) out.push({ node, raw: node.raw, st: node.raw.status() });
    return out;
  }

  // ---- one step of virtual time -------------------------------------------------------------

  tickNodes(): void {
    for (const node of this.nodes.values()) {
      if (node.raw === undefined) {
        if (!node.removed && node.downUntil <= this.now && node.downUntil > 0) this.restart(node);
        continue;
      }
      while (node.nextTickAt <= this.now) {
        node.raw.tick();
        node.ticks++;
        node.nextTickAt += node.tickUnits;
      }
    }
  }

  deliver(): void {
    const { deliver, lost } = this.net.due(this.now);
    for (const f of lost) this.onLost(f.msg, f.senderEpoch);
    for (const f of deliver) {
      const to = this.nodes.get(f.msg.to);
      if (to === undefined || to.raw === undefined) {
        this.onLost(f.msg, f.senderEpoch);
        continue;
      }
      to.raw.step(f.msg);
      if (f.msg.type === 'snapshot') {
        const from = this.nodes.get(f.msg.from);
        if (from?.raw !== undefined && from.epoch === f.senderEpoch) from.raw.reportSnapshot(f.msg.to, true);
      }
    }
  }

  private onLost(m: Message, senderEpoch: number): void {
    const from = this.nodes.get(m.from);
    if (from?.raw === undefined || from.epoch !== senderEpoch) return;
    if (m.type === 'snapshot') from.raw.reportSnapshot(m.to, false);
    else if (m.type === 'append' && this.net.isBlocked(m.from, m.to)) from.raw.reportUnreachable(m.to);
  }

  /** Runs the driver of each live node once, with probability readyProb (persistence latency). */
  drivers(force = false): void {
    for (const node of this.nodes.values()) {
      if (node.raw === undefined) continue;
      if (node.inFlight !== undefined) {
        if (node.inFlight.dueAt <= this.now) this.finishReady(node, node.raw, node.inFlight.rd, node.inFlight.sent, node.inFlight.applied);
        continue;
      }
      if (!node.raw.hasReady()) continue;
      if (!force && !this.rng.chance(this.profile.readyProb)) continue;
      const rd = node.raw.ready();
      if (this.applyLagUnits === 0) this.finishReady(node, node.raw, rd);
      else {
        // The driver's leader sends before its fsync (driver.ts canSendBeforePersist): the
        // messages leave now, the persistence finishes later, and a crash in between loses it.
        const early = this.canSendBeforePersist(node, node.raw, rd);
        if (early) this.send(node, rd);
        // ...and applies the committed entries it had already persisted while the fsync runs.
        let applied = 0;
        if (rd.snapshot === undefined) {
          const durable = node.storage.lastIndex();
          while (applied < rd.committedEntries.length && (rd.committedEntries[applied] as Entry).index <= durable) {
            this.apply(node, rd.committedEntries[applied] as Entry);
            applied++;
          }
        }
        node.inFlight = { rd, dueAt: this.now + this.applyLagUnits, sent: early, applied };
      }
    }
  }

  private canSendBeforePersist(node: SimNode<S>, raw: RawNode, rd: Ready): boolean {
    if (raw.status().role !== 'leader' || rd.softState !== undefined || rd.snapshot !== undefined || rd.messages.length === 0) return false;
    if (rd.hardState === undefined) return true;
    const prev = node.storage.initialState().hardState;
    return rd.hardState.term === prev.term && rd.hardState.vote === prev.vote;
  }

  private send(node: SimNode<S>, rd: Ready): void {
    for (const m of rd.messages) {
      if (m.type === 'snapshot') this.stats.snapshotsSent++;
      if (this.net.send(m, this.now, node.epoch) === 'dropped') this.onLost(m, node.epoch);
    }
  }

  private finishReady(node: SimNode<S>, raw: RawNode, rd: Ready, sent = false, appliedEarly = 0): void {
    node.inFlight = undefined;
    // 1. persist: snapshot, entries, hard state (an fsync when rd.mustSync).
    if (rd.snapshot !== undefined) node.storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) node.storage.append(rd.entries);
    if (rd.hardState !== undefined) node.storage.setHardState(rd.hardState);
    this.checkPersisted(node, raw, rd);
    if (this.rng.chance(this.profile.crashBeforeSendRate)) {
      this.crash(node, 'after persist, before send');
      return;
    }
    // 2. send (unless a leader sent them before persisting).
    if (!sent) this.send(node, rd);
    // 3. apply: the snapshot first, then committed entries in order.
    if (rd.snapshot !== undefined) this.restoreSnapshot(node, rd);
    for (let i = appliedEarly; i < rd.committedEntries.length; i++) this.apply(node, rd.committedEntries[i] as Entry);
    for (const rs of rd.readStates) {
      const min = this.pendingReads.get(rs.context);
      if (min === undefined) continue;
      this.pendingReads.delete(rs.context);
      this.checker.readPoint(node.id, rs.context, rs.index, min);
      this.stats.readsServed++;
    }
    for (const rs of rd.readStates) this.observer.readState?.(node, rs);
    // 4. advance.
    raw.advance(rd);
    this.observer.readyDone?.(node, rd);
  }

  private checkPersisted(node: SimNode<S>, raw: RawNode, rd: Ready): void {
    this.checker.persisted(node.id, rd.entries, node.storage);
    if (rd.hardState !== undefined) this.checker.commit(rd.hardState.commit);
    const st = raw.status();
    if (st.role === 'leader') {
      this.checker.leader(node.id, st.term);
      // Every unstable entry was just handed out and persisted: storage is the leader's log.
      this.checker.leaderComplete(node.id, st.term, node.storage);
    }
    if (rd.softState !== undefined) this.log(`${node.id} is ${rd.softState.role} (leader ${rd.softState.leader || '-'}, term ${st.term})`);
  }

  private restoreSnapshot(node: SimNode<S>, rd: Ready): void {
    const snap = rd.snapshot;
    if (snap === undefined) return;
    node.sm = this.app.restore(snap.data, snap.meta.index);
    node.appliedIndex = snap.meta.index;
    node.conf = snap.meta.conf;
    this.stats.snapshotsInstalled++;
    this.log(`${node.id} installs snapshot ${snap.meta.index}@${snap.meta.term}`);
  }

  private apply(node: SimNode<S>, e: Entry): void {
    if (e.index !== node.appliedIndex + 1) {
      throw new Error(`${node.id} applied ${e.index} after ${node.appliedIndex} (gap or repeat)`);
    }
    this.checker.applied(node.id, e);
    node.appliedIndex = e.index;
    const result = e.kind === 'command' ? node.sm.apply(e.index, e.data) : undefined;
    if (e.kind === 'config') {
      node.conf = decodeConfState(e.data);
      if (e.index > this.latestConf.index) {
        this.latestConf = { index: e.index, conf: node.conf };
        this.log(`config ${e.index} committed: voters ${node.conf.voters.join(',')} learners ${node.conf.learners.join(',') || '-'}`);
        this.decommissionRemoved();
      }
    }
    this.observer.applied?.(node, e, result);
  }

  /** A server removed by a committed configuration is shut down for good (as an operator would). */
  private decommissionRemoved(): void {
    const { voters, learners } = this.latestConf.conf;
    for (const id of [...voters, ...learners]) this.everMembers.add(id);
    for (const node of this.nodes.values()) {
      if (node.removed || voters.includes(node.id) || learners.includes(node.id)) continue;
      if (!this.everMembers.has(node.id)) continue; // a spare that never joined
      node.removed = true;
      node.raw = undefined;
      node.inFlight = undefined;
      node.epoch++;
      this.observer.lost?.(node);
      this.log(`${node.id} decommissioned`);
    }
  }

  /** Snapshot the FSM at its applied index and compact the log behind it (keeping a tail). */
  compact(node: SimNode<S>): void {
    const snapIndex = node.storage.snapshot().meta.index;
    // The driver snapshots between Readies, never while one is being persisted.
    if (node.raw === undefined || node.inFlight !== undefined || node.appliedIndex <= snapIndex) return;
    const data = node.sm.snapshot();
    node.storage.createSnapshot(node.appliedIndex, node.conf, data);
    const keep = this.rng.int(6);
    const to = node.appliedIndex - keep;
    if (to > node.storage.firstIndex() - 1) node.storage.compact(to);
    this.stats.compactions++;
    this.log(`${node.id} snapshots at ${node.appliedIndex}, compacts to ${to}`);
  }
}
