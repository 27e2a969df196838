// The Raft driver: owns the clock, the disk and the network around the pure core (core/).
//
// Loop, per Ready (see core/types.ts): persist (one synced LevelDB batch: group commit) ->
// send -> apply to the FSM -> advance. Proposals that arrive while a batch is being fsynced
// pile up in the core and go out together in the next Ready, so the fsync rate bounds batches,
// not proposals.
//
// MUST: a proposal's promise resolves only after its entry was persisted and applied, so an
// acknowledged write survives kill -9. Only this file and transport.ts touch timers.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { bootstrapStorage, MemoryStorage, RawNode } from './core/index.js';
import type { Entry, Message, NodeId, Ready, Rng, Status } from './core/types.js';
import { RaftError } from './core/types.js';
import { LevelLogStore } from './storage/level-log.js';
import { FileSnapshotStore } from './storage/snapshot-store.js';
import type { Transport } from './transport.js';

export interface RaftFsm<R> {
  apply(index: number, data: Uint8Array): R;
  snapshot(): Uint8Array;
  restore(data: Uint8Array, index: number): void;
}

export interface RaftLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface RaftDriverOptions<R> {
  readonly id: NodeId;
  /** `<data-dir>/raft`; undefined keeps everything in memory (dev mode without -data-dir). */
  readonly dir: string | undefined;
  readonly fsm: RaftFsm<R>;
  readonly transport: Transport;
  readonly logger: RaftLogger;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Take a snapshot once this many entries were applied since the last one. */
  readonly snapshotThreshold: number;
  /** Entries kept in the log behind a snapshot, for followers that lag a little. */
  readonly trailingLogs: number;
  /** A proposal not applied within this time fails (the client sees an error, Consul: apply timeout). */
  readonly applyTimeoutMs: number;
}

interface Pending<R> {
  readonly term: number;
  resolve(result: R): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
}

const cryptoRng: Rng = { int: (n) => randomInt(n) };

export class RaftDriver<R> {
  private readonly storage = new MemoryStorage();
  private log: LevelLogStore | undefined;
  private snapshots: FileSnapshotStore | undefined;
  private node!: RawNode;
  private ticker: NodeJS.Timeout | undefined;
  private processing = false;
  private stopped = false;
  private readonly pending = new Map<number, Pending<R>>();
  private readonly reads = new Map<string, { resolve(): void; reject(e: Error): void }>();
  private readonly readWaiters: { index: number; resolve(): void }[] = [];
  private readCounter = 0;
  private applied = 0;
  private lastSnapshotIndex = 0;
  private readonly leaderListeners: ((isLeader: boolean) => void)[] = [];
  private wasLeader = false;

  constructor(private readonly opts: RaftDriverOptions<R>) {}

  /** Load persisted state (or bootstrap a new cluster with `bootstrapVoters`) and start ticking. */
  async start(bootstrapVoters: readonly NodeId[] | undefined): Promise<void> {
    const { dir } = this.opts;
    let hasState = false;
    if (dir) {
      this.snapshots = new FileSnapshotStore(path.join(dir, 'snapshots'));
      const snap = await this.snapshots.loadLatest();
      if (snap) {
        this.storage.applySnapshot(snap);
        this.opts.fsm.restore(snap.data, snap.meta.index);
        this.applied = this.lastSnapshotIndex = snap.meta.index;
        hasState = true;
      }
      this.log = new LevelLogStore(path.join(dir, 'log'));
      const loaded = await this.log.open();
      const after = loaded.entries.filter((e) => e.index > this.applied);
      if (after.length > 0) this.storage.append(after);
      if (loaded.hardState) this.storage.setHardState(loaded.hardState);
      if (loaded.confState && !snap) this.storage.setConfState(loaded.confState);
      hasState ||= loaded.entries.length > 0 || loaded.hardState !== undefined;
    }
    if (!hasState && bootstrapVoters && bootstrapVoters.length > 0) {
      bootstrapStorage(this.storage, [...bootstrapVoters]);
      const first = this.storage.firstIndex();
      const entries = this.storage.entries(first, this.storage.lastIndex() + 1);
      await this.log?.save(entries, this.storage.initialState().hardState, true);
      this.opts.logger.info(`raft: bootstrapped cluster with voters [${bootstrapVoters.join(', ')}]`);
    }
    this.node = new RawNode({
      id: this.opts.id,
      storage: this.storage,
      rng: cryptoRng,
      electionTicks: this.opts.electionTicks,
      heartbeatTicks: this.opts.heartbeatTicks,
      preVote: true,
      checkQuorum: true,
      maxSizePerMsg: 1 << 20,
      maxInflight: 256,
      applied: this.applied,
    });
    const conf = this.node.status().conf;
    // A lone voter need not wait out an election timeout to lead (a dev agent is up at once).
    if (conf.voters.length === 1 && conf.voters[0] === this.opts.id) this.node.campaign();
    this.ticker = setInterval(() => {
      this.tickCount++;
      this.node.tick();
      this.kick();
    }, this.opts.tickMs);
    this.kick();
  }

  /** Hand a message from a peer to the core. */
  step(msg: Message): void {
    if (this.stopped) return;
    this.node.step(msg);
    this.kick();
  }

  /** Propose a command; resolves with the FSM's result once it is committed, persisted and applied. */
  propose(data: Uint8Array): Promise<R> {
    if (this.stopped) return Promise.reject(new RaftError('notLeader', 'raft is shutdown'));
    const [slot] = this.node.propose([data]);
    if (!slot) return Promise.reject(new RaftError('proposalDropped', 'proposal dropped'));
    this.kick();
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(slot.index);
        reject(new Error('timed out enqueuing operation'));
      }, this.opts.applyTimeoutMs);
      this.pending.set(slot.index, { term: slot.term, resolve, reject, timer });
    });
  }

  /** Linearizable read barrier (ReadIndex): resolves once this server has applied everything
   * committed at the time of the call, as confirmed by a quorum. */
  readBarrier(): Promise<void> {
    const context = `r${++this.readCounter}`;
    return new Promise<void>((resolve, reject) => {
      // The core drops reads it cannot answer (e.g. leadership lost): time them out here.
      const timer = setTimeout(() => {
        this.reads.delete(context);
        reject(new RaftError('unavailable', 'timed out waiting for a read index'));
      }, this.opts.applyTimeoutMs);
      const done = { resolve: () => (clearTimeout(timer), resolve()), reject: (e: Error) => (clearTimeout(timer), reject(e)) };
      try {
        this.node.readIndex(context);
      } catch (err) {
        done.reject(err as Error);
        return;
      }
      this.reads.set(context, done);
      this.kick();
    });
  }

  status(): Status {
    return this.node.status();
  }

  // Cheap views of the soft state for per-request checks (status() builds a whole object).
  private role: Status['role'] = 'follower';
  private leader = '';

  isLeader(): boolean {
    return this.role === 'leader';
  }

  leaderId(): string {
    return this.leader;
  }

  /**
   * Leader whose lease (a quorum heard from within the election timeout) is still valid.
   * Cached for at most one tick: the core's lease window already ends a heartbeat interval
   * (>= 1 tick) before followers may elect someone else, so a one-tick-old answer is still safe.
   */
  isLeaderWithLease(): boolean {
    if (this.role !== 'leader') return false;
    if (this.leaseCheckedAtTick !== this.tickCount) {
      this.leaseCheckedAtTick = this.tickCount;
      this.leaseValid = this.node.status().hasLease;
    }
    return this.leaseValid;
  }

  private tickCount = 0;
  private leaseCheckedAtTick = -1;
  private leaseValid = false;

  get appliedIndex(): number {
    return this.applied;
  }

  onLeadershipChange(fn: (isLeader: boolean) => void): void {
    this.leaderListeners.push(fn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    while (this.processing) await new Promise((r) => setTimeout(r, 5));
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RaftError('notLeader', 'raft is shutdown'));
    }
    this.pending.clear();
    for (const r of this.reads.values()) r.reject(new RaftError('notLeader', 'raft is shutdown'));
    this.reads.clear();
    await this.log?.close();
  }

  private kick(): void {
    if (this.processing || this.stopped) return;
    this.processing = true;
    setImmediate(() => {
      this.process()
        .catch((err: unknown) => {
          // A failed fsync means our durable state is unknown: stop rather than diverge.
          this.opts.logger.error(`raft: fatal storage error: ${(err as Error).stack ?? String(err)}`);
          process.exit(1);
        })
        .finally(() => {
          this.processing = false;
          if (!this.stopped && this.node.hasReady()) this.kick();
        });
    });
  }

  private async process(): Promise<void> {
    while (!this.stopped && this.node.hasReady()) {
      const rd = this.node.ready();
      await this.persist(rd);
      for (const m of rd.messages) this.opts.transport.send(m);
      if (rd.snapshot) {
        this.opts.fsm.restore(rd.snapshot.data, rd.snapshot.meta.index);
        this.applied = this.lastSnapshotIndex = rd.snapshot.meta.index;
      }
      for (const e of rd.committedEntries) this.applyEntry(e);
      for (const rs of rd.readStates) this.onReadState(rs.context, rs.index);
      this.node.advance(rd);
      if (rd.softState) this.onSoftState();
      this.releaseReads();
      await this.maybeSnapshot();
    }
  }

  private async persist(rd: Ready): Promise<void> {
    if (rd.snapshot) {
      await this.snapshots?.save(rd.snapshot);
      await this.log?.reset();
      this.storage.applySnapshot(rd.snapshot);
    }
    await this.log?.save(rd.entries, rd.hardState, rd.mustSync);
    if (rd.entries.length > 0) this.storage.append([...rd.entries]);
    if (rd.hardState) this.storage.setHardState(rd.hardState);
  }

  private applyEntry(e: Entry): void {
    let result: R | undefined;
    if (e.kind === 'command') result = this.opts.fsm.apply(e.index, e.data);
    this.applied = e.index;
    const p = this.pending.get(e.index);
    if (!p) return;
    this.pending.delete(e.index);
    clearTimeout(p.timer);
    if (p.term === e.term && result !== undefined) p.resolve(result);
    else p.reject(new RaftError('proposalDropped', 'leadership lost while committing log'));
  }

  private onReadState(context: string, index: number): void {
    const r = this.reads.get(context);
    if (!r) return;
    this.reads.delete(context);
    this.readWaiters.push({ index, resolve: r.resolve });
  }

  private releaseReads(): void {
    for (let i = this.readWaiters.length - 1; i >= 0; i--) {
      const w = this.readWaiters[i] as { index: number; resolve(): void };
      if (w.index <= this.applied) {
        this.readWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private onSoftState(): void {
    const st = this.node.status();
    this.role = st.role;
    this.leader = st.leader;
    this.leaseCheckedAtTick = -1;
    const isLeader = st.role === 'leader';
    if (isLeader === this.wasLeader) return;
    this.wasLeader = isLeader;
    this.opts.logger.info(isLeader ? 'raft: entering leader state' : 'raft: entering follower state');
    if (!isLeader) {
      for (const r of this.reads.values()) r.reject(new RaftError('notLeader', 'leadership lost'));
      this.reads.clear();
    }
    for (const fn of this.leaderListeners) fn(isLeader);
  }

  private async maybeSnapshot(): Promise<void> {
    if (this.applied - this.lastSnapshotIndex < this.opts.snapshotThreshold) return;
    await this.snapshotNow();
  }

  /** Snapshot the FSM at the applied index and compact the log behind it. */
  async snapshotNow(): Promise<void> {
    const index = this.applied;
    if (index <= this.lastSnapshotIndex) return;
    const snap = this.storage.createSnapshot(index, this.node.status().conf, this.opts.fsm.snapshot());
    await this.snapshots?.save(snap);
    this.lastSnapshotIndex = index;
    const compactTo = index - this.opts.trailingLogs;
    if (compactTo > this.storage.firstIndex()) {
      this.storage.compact(compactTo);
      await this.log?.compact(compactTo);
    }
    this.opts.logger.info(`raft: snapshot complete up to index ${index}`);
  }
}
