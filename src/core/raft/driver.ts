// The Raft driver: owns the clock, the disk and the network around the pure core (core/).
//
// Loop, per Ready (see core/types.ts): persist (one synced LevelDB batch: group commit) ->
// send -> apply to the FSM -> advance. Proposals that arrive while a batch is being fsynced
// pile up in the core and go out together in the next Ready, so the fsync rate bounds batches,
// not proposals.
//
// MUST: a proposal's promise resolves only after its entry was persisted and applied, so an
// acknowledged write survives kill -9. Every piece of work that touches storage (the Ready loop,
// snapshots, bootstrap) runs under one mutex (`exclusive`), never two at once. Only this file and
// the transports touch timers.
//
// Membership: a server started with no state and no bootstrap voters has an empty configuration
// and never campaigns; it waits for bootstrap() or for a leader that added it (it accepts appends
// and snapshots from any leader). Futures of proposals and configuration changes are rejected as
// soon as this server stops leading or is removed, not at their timeout.
import { randomInt } from 'node:crypto';
import { measured, metrics } from '../telemetry/index.js';
import { bootstrapStorage, confEquals, EMPTY_CONF, isMember, MemoryStorage, RawNode } from './core/index.js';
import type { ConfChange, ConfState, Entry, Message, NodeId, Ready, Rng, Status } from './core/types.js';
import { RaftError } from './core/types.js';
import type { ConfigurationListener, PeerProgress, RaftDriverOptions } from './driver-types.js';
import { loadDurableState } from './durable-state.js';
import { ElectionLog } from './election-log.js';
import { ProposalFutures } from './futures.js';
import { LeaderTransfer } from './leader-transfer.js';
import { ReadBarriers } from './read-barriers.js';
import { describeWriteRefusal, isWriteRefusal, rebuildFromDisk } from './storage-fault.js';
import type { RecoveredPeer } from './peers-json.js';
import type { LevelLogStore } from './storage/level-log.js';
import type { FileSnapshotStore } from './storage/snapshot-store.js';
import type { TransportReporter } from './transport.js';
import { monotonicMs } from '../support/clock.js';

export type { ConfigurationListener, PeerProgress, RaftDriverOptions, RaftFsm, RaftLogger } from './driver-types.js';

/** Consul wraps its log store in a raft.LogCache of raftLogCacheSize = 512 (agent/consul/server.go). */
const DEFAULT_LOG_CACHE_ENTRIES = 512;
/** Evicted entries read back from disk in one go, for one follower (bounded memory). */
const LOAD_WINDOW_BYTES = 4 << 20;
/** How far behind the cache a follower in contact can keep entries in memory (see evictApplied). */
const MAX_PINNED_ENTRIES = 8192;

const cryptoRng: Rng = { int: (n) => randomInt(n) };

export class RaftDriver<R> implements TransportReporter {
  private storage = new MemoryStorage();
  /** Set while the disk refuses writes (storage-fault.ts): the error proposals get. */
  private fault: RaftError | undefined;
  private log: LevelLogStore | undefined;
  private snapshots: FileSnapshotStore | undefined;
  private node: RawNode | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  /** Tail of the mutex chain: every storage-touching task is appended here. */
  private queue: Promise<void> = Promise.resolve();
  private scheduled = false;
  private stopped = false;
  /** While bootstrap() swaps the core, incoming messages and ticks are dropped. */
  private suspended = false;
  private snapshotDue = false;
  private readonly proposals = new ProposalFutures<R>();
  private readonly confChanges = new ProposalFutures<void>();
  private readonly reads = new ReadBarriers();
  private applied = 0;
  private lastSnapshotIndex = 0;
  private stateLoaded = false;
  private recovered: readonly RecoveredPeer[] = [];
  private readonly leaderListeners: ((isLeader: boolean) => void)[] = [];
  private readonly confListeners: ConfigurationListener[] = [];
  private lastConf: ConfState = EMPTY_CONF;
  private wasLeader = false;
  private readonly transfer = new LeaderTransfer();
  /** monotonicMs() of the last message received from each peer. */
  private readonly contact = new Map<NodeId, number>();
  /** monotonicMs() of the last append, heartbeat or snapshot (only a leader sends them). */
  private leaderContactAt: number | undefined;

  private readonly elections: ElectionLog;

  constructor(private readonly opts: RaftDriverOptions<R>) {
    opts.transport.bindReporter?.(opts.id, this);
    this.elections = new ElectionLog(opts.id, opts.logger, opts.addressOf ?? (() => undefined));
  }

  /** Load persisted state (or bootstrap a new cluster with `bootstrapVoters`) and start ticking.
   * Applies `<dir>/peers.json` if present (outage recovery); a malformed one fails the start. */
  async start(bootstrapVoters: readonly NodeId[] | undefined): Promise<void> {
    const { logger, fsm } = this.opts;
    const loaded = await loadDurableState(this.opts.dir, this.storage, fsm, logger);
    this.log = loaded.log;
    this.snapshots = loaded.snapshots;
    this.applied = loaded.applied;
    this.lastSnapshotIndex = loaded.lastSnapshotIndex;
    this.stateLoaded = loaded.hasState;
    this.recovered = loaded.recovered?.peers ?? [];
    if (!this.stateLoaded && bootstrapVoters && bootstrapVoters.length > 0) await this.writeBootstrap(bootstrapVoters);
    this.node = this.newNode();
    this.tickBaseMs = monotonicMs();
    this.ticker = setInterval(() => {
      if (this.suspended || !this.node) {
        this.tickBaseMs = monotonicMs() - this.tickCount * this.opts.tickMs;
        return;
      }
      // Ticks missed while the process did not run (SIGSTOP, a long stall) happen now: a leader
      // paused past its lease must not serve lease reads on resume as if no time had passed
      // (found by the netns partition test: a default read after SIGCONT returned an
      // overwritten value). Capped: enough for check-quorum and elections to see the gap.
      const due = Math.floor((monotonicMs() - this.tickBaseMs) / this.opts.tickMs) - this.tickCount;
      const cap = 2 * this.opts.electionTicks + 1;
      const n = Math.max(1, Math.min(cap, due));
      const lastLeader = this.leader;
      for (let i = 0; i < n; i++) {
        this.tickCount++;
        this.elections.tick(this.node.tick(), lastLeader);
      }
      if (due > cap || due < 1) this.tickBaseMs = monotonicMs() - this.tickCount * this.opts.tickMs;
      this.kick();
    }, this.opts.tickMs);
    this.scheduleSnapshotCheck();
    // Replay the committed tail of the log before returning, so the FSM and status().conf are
    // current when the caller looks (the core rebuilds the configuration as entries apply).
    await this.exclusive(() => this.process());
    if (this.node) this.campaignIfLoneVoter(this.node);
    this.kick();
  }

  /** Whether this server has Raft state: loaded from disk, bootstrapped, recovered, or received
   * from a leader since (hashicorp HasExistingState: any log, term or configuration). */
  hasState(): boolean {
    if (this.stateLoaded) return true;
    if (!this.node) return false;
    const st = this.node.status();
    return st.term > 0 || st.lastIndex > 0 || st.conf.voters.length > 0 || st.conf.learners.length > 0;
  }

  /** Writes the initial configuration of a new cluster (like start(voters) would) and lets this
   * server run elections. Rejects with RaftError('stateExists') if it already has state. */
  async bootstrap(voters: readonly NodeId[]): Promise<void> {
    if (!this.node || this.stopped) throw new RaftError('unavailable', 'raft is not running');
    if (voters.length === 0 || voters.some((v) => v === '')) throw new RaftError('invalid', 'bootstrap needs a non-empty list of server ids');
    await this.exclusive(async () => {
      if (this.hasState()) throw new RaftError('stateExists', 'bootstrap only works on new clusters');
      this.suspended = true;
      try {
        await this.writeBootstrap(voters);
        this.node = this.newNode();
      } finally {
        this.suspended = false;
      }
      this.checkConfiguration();
    });
    this.kick();
  }

  private async writeBootstrap(voters: readonly NodeId[]): Promise<void> {
    bootstrapStorage(this.storage, [...voters]);
    const entries = this.storage.entries(this.storage.firstIndex(), this.storage.lastIndex() + 1);
    await this.log?.save(entries, this.storage.initialState().hardState, true);
    this.stateLoaded = true;
    this.opts.logger.info(`raft: bootstrapped cluster with voters [${voters.join(', ')}]`);
  }

  private newNode(): RawNode {
    const node = new RawNode({
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
    this.lastConf = node.status().conf;
    this.campaignIfLoneVoter(node);
    return node;
  }

  /**
   * A lone voter need not wait out an election timeout to lead (a dev agent is up at once). On a
   * restart the configuration is only known once the log has replayed, so start() asks again then.
   */
  private campaignIfLoneVoter(node: RawNode): void {
    const st = node.status();
    if (st.role !== 'leader' && st.conf.voters.length === 1 && st.conf.voters[0] === this.opts.id) node.campaign();
  }

  /** Hand a message from a peer to the core. */
  step(msg: Message): void {
    if (this.stopped || this.suspended || !this.node) return;
    const now = monotonicMs();
    this.contact.set(msg.from, now);
    this.node.step(msg);
    // Only the leader of the current term counts (hashicorp/raft ignores an older term before it
    // sets LastContact): a deposed leader's heartbeats must not make a stale server look fresh.
    if ((msg.type === 'append' || msg.type === 'heartbeat' || msg.type === 'snapshot') && msg.term === this.node.term) this.leaderContactAt = now;
    this.kick();
  }

  /** Propose a command; resolves with the FSM's result once it is committed, persisted and applied. */
  propose(data: Uint8Array): Promise<R> {
    if (this.stopped || !this.node) return Promise.reject(new RaftError('notLeader', 'raft is shutdown'));
    if (this.fault) return Promise.reject(this.fault);
    // Proposals that arrive together go to the core as one batch: one append per follower
    // instead of one per request (and as many acks fewer), which is what keeps a busy
    // cluster's message rate, and so its CPU, proportional to the batches, not the writes.
    return new Promise<R>((resolve, reject) => {
      this.proposalQueue.push({ data, resolve, reject });
      this.kick();
    });
  }

  private proposalQueue: { data: Uint8Array; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];

  private flushProposals(node: RawNode): void {
    const queue = this.proposalQueue;
    if (queue.length === 0) return;
    this.proposalQueue = [];
    let slots: ({ index: number; term: number } | undefined)[];
    try {
      slots = node.propose(queue.map((p) => p.data));
    } catch (err) {
      for (const p of queue) p.reject(err as Error);
      return;
    }
    queue.forEach((p, i) => {
      const slot = slots[i];
      if (!slot) return p.reject(new RaftError('proposalDropped', 'proposal dropped'));
      this.proposals.wait(slot, this.opts.applyTimeoutMs, () => new Error('timed out enqueuing operation')).then(p.resolve, p.reject);
    });
  }

  // ---- membership (leader only) ----------------------------------------------------------------

  /** Adds a non-voter that receives the log; resolves once the change is committed and applied. */
  addLearner(id: NodeId): Promise<void> {
    return this.changeConf({ type: 'addLearner', id });
  }

  /** Promotes a learner to voter, or adds a new voter directly. */
  addVoter(id: NodeId): Promise<void> {
    return this.changeConf({ type: 'addVoter', id });
  }

  /** Removes a voter or learner (this leader too: it steps down once the change commits). */
  removeServer(id: NodeId): Promise<void> {
    return this.changeConf({ type: 'remove', id });
  }

  private changeConf(cc: ConfChange): Promise<void> {
    if (this.stopped || !this.node) return Promise.reject(new RaftError('notLeader', 'raft is shutdown'));
    if (cc.id === '') return Promise.reject(new RaftError('invalid', 'server id must not be empty'));
    let slot: { index: number; term: number };
    try {
      slot = this.node.proposeConfChange(cc);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.opts.logger.info(`raft: proposing configuration change ${cc.type} ${cc.id} at index ${slot.index}`);
    this.kick();
    return this.confChanges.wait(slot, this.opts.applyTimeoutMs, () => new RaftError('timeout', `configuration change ${cc.type} ${cc.id} timed out`));
  }

  /**
   * Hands leadership to `to`, or to the most up-to-date other voter. Resolves once another server
   * leads; rejects with RaftError('timeout') after timeoutMs (default two election timeouts).
   */
  transferLeadership(to?: NodeId, timeoutMs?: number): Promise<void> {
    if (this.stopped || !this.node) return Promise.reject(new RaftError('notLeader', 'raft is shutdown'));
    if (this.role !== 'leader') return Promise.reject(new RaftError('notLeader', 'not the leader'));
    if (this.transfer.target !== undefined) return Promise.reject(new RaftError('transferInProgress', `leadership transfer to ${this.transfer.target} in progress`));
    const target = to ?? this.mostUpToDateVoter();
    if (target === undefined) return Promise.reject(new RaftError('unavailable', 'no other voter to transfer leadership to'));
    if (target === this.opts.id) return Promise.reject(new RaftError('invalid', 'cannot transfer leadership to itself'));
    try {
      this.node.transferLeader(target);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.opts.logger.info(`raft: starting leadership transfer to ${target}`);
    const limit = timeoutMs ?? 2 * this.opts.electionTicks * this.opts.tickMs;
    const done = this.transfer.wait(target, limit);
    this.kick();
    return done;
  }

  private mostUpToDateVoter(): NodeId | undefined {
    if (!this.node) return undefined;
    const st = this.node.status();
    let best: NodeId | undefined;
    let bestMatch = -1;
    let bestContact = -1;
    for (const id of st.conf.voters) {
      if (id === this.opts.id) continue;
      const match = st.progress[id]?.match ?? 0;
      const seen = this.contact.get(id) ?? 0;
      if (match > bestMatch || (match === bestMatch && seen > bestContact)) {
        best = id;
        bestMatch = match;
        bestContact = seen;
      }
    }
    return best;
  }

  // ---- reads -----------------------------------------------------------------------------------

  /** Linearizable read barrier (ReadIndex): resolves once this server has applied everything
   * committed at the time of the call, as confirmed by a quorum. */
  readBarrier(): Promise<void> {
    const node = this.node;
    if (this.stopped || !node) return Promise.reject(new RaftError('notLeader', 'raft is shutdown'));
    return this.reads.start(node, this.opts.applyTimeoutMs, () => this.kick());
  }

  // ---- status ----------------------------------------------------------------------------------

  status(): Status {
    if (!this.node) throw new RaftError('unavailable', 'raft is not started');
    return this.node.status();
  }

  /**
   * Leader only (empty otherwise): replication progress of every server in the configuration,
   * this one included (match = its last index, lastContactMs 0). Autopilot: a learner has caught
   * up when match is within N entries of status().lastIndex and lastContactMs is small.
   */
  peerProgress(): ReadonlyMap<NodeId, PeerProgress> {
    const out = new Map<NodeId, PeerProgress>();
    if (!this.node || this.role !== 'leader') return out;
    for (const [id, p] of Object.entries(this.node.status().progress)) {
      out.set(id, { match: p.match, next: p.next, isLearner: p.isLearner, lastContactMs: id === this.opts.id ? 0 : this.lastContactMs(id) });
    }
    return out;
  }

  /** Milliseconds since any message from `peer` arrived (a follower's time since it heard from
   * the leader is lastContactMs(leaderId())); undefined if never since start. */
  lastContactMs(peer: NodeId): number | undefined {
    const t = this.contact.get(peer);
    return t === undefined ? undefined : monotonicMs() - t;
  }

  /**
   * Milliseconds since a leader last sent us its log or a heartbeat (hashicorp/raft LastContact:
   * it keeps growing after the leader dies, across the election); undefined if none ever did.
   */
  lastLeaderContactMs(): number | undefined {
    return this.leaderContactAt === undefined ? undefined : monotonicMs() - this.leaderContactAt;
  }

  /** Index and term of the last entry on stable storage (autopilot's LastIndex/LastTerm). */
  lastLog(): { index: number; term: number } {
    const index = this.storage.lastIndex();
    return { index, term: this.storage.term(index) };
  }

  /** The servers listed in the peers.json applied at start (empty if there was none). */
  get recoveredPeers(): readonly RecoveredPeer[] {
    return this.recovered;
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
    if (this.role !== 'leader' || !this.node) return false;
    if (this.leaseCheckedAtTick !== this.tickCount) {
      this.leaseCheckedAtTick = this.tickCount;
      this.leaseValid = this.node.hasLease();
    }
    // A new leader's lease starts when its first entry commits, which also commits what the
    // previous leader acknowledged; until those entries are applied here, the state store would
    // answer without them (found by the kv simulation, seed 233). So lease reads wait until this
    // leader has applied its term's first entry; later writes are acknowledged only after they
    // are applied here, so from then on the store holds every acknowledged write.
    return this.leaseValid && this.applied >= this.leaseFloor;
  }

  private tickCount = 0;
  /** monotonicMs() of tick 0, so the number of ticks due follows the clock, not the timer. */
  private tickBaseMs = 0;
  /** The last log index when this node became leader (its term's first entry, or later). */
  private leaseFloor = Number.POSITIVE_INFINITY;
  private leaseCheckedAtTick = -1;
  private leaseValid = false;

  get appliedIndex(): number {
    return this.applied;
  }

  onLeadershipChange(fn: (isLeader: boolean) => void): void {
    this.leaderListeners.push(fn);
  }

  /** Called with the new configuration whenever an applied config entry (or an installed
   * snapshot, or bootstrap) changes it. */
  onConfigurationChange(fn: ConfigurationListener): void {
    this.confListeners.push(fn);
  }

  // ---- transport reports -----------------------------------------------------------------------

  reportUnreachable(id: NodeId): void {
    if (this.stopped || this.suspended || !this.node) return;
    this.node.reportUnreachable(id);
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    if (this.stopped || this.suspended || !this.node) return;
    this.node.reportSnapshot(id, ok);
    this.kick();
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    await this.queue;
    const shutdown = (): RaftError => new RaftError('notLeader', 'raft is shutdown');
    this.proposals.rejectAll(shutdown());
    this.confChanges.rejectAll(shutdown());
    for (const p of this.proposalQueue.splice(0)) p.reject(shutdown());
    this.transfer.fail(shutdown());
    this.reads.rejectAsked(shutdown());
    await this.log?.close();
  }

  /** Snapshot the FSM at the applied index and compact the log behind it. */
  snapshotNow(): Promise<void> {
    return this.exclusive(() => this.takeSnapshot());
  }

  // ---- the loop --------------------------------------------------------------------------------

  /** Runs `task` after every task queued before it; the chain itself never rejects. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.exclusive(async () => {
        this.scheduled = false;
        await this.process();
      })
        .catch((err: unknown) => {
          if (isWriteRefusal(err) && this.opts.dir) return this.onWriteRefused(err);
          // Anything else from storage means our durable state is unknown: stop rather than diverge.
          this.opts.logger.error(`raft: fatal storage error: ${(err as Error).stack ?? String(err)}`);
          process.exit(1);
        })
        .finally(() => {
          if (!this.stopped && (this.snapshotDue || this.node?.hasReady())) this.kick();
        });
    });
  }

  /** The disk refused a write (storage-fault.ts): step down, go quiet, retry until it takes writes. */
  private onWriteRefused(err: unknown): void {
    const why = describeWriteRefusal(err);
    this.fault = new RaftError('storageFault', `failed to persist the Raft log: ${why}`);
    this.opts.logger.error(`raft: failed to persist the Raft log, stepping down until the disk takes writes again: ${why}`);
    this.suspended = true;
    for (const p of this.proposalQueue.splice(0)) p.reject(this.fault);
    this.proposals.rejectAll(this.fault);
    this.confChanges.rejectAll(this.fault);
    this.reads.rejectAsked(this.fault);
    this.elections.transition({ role: this.role, leader: this.leader }, { role: 'follower', leader: '' }, this.node?.status().term ?? 0);
    this.role = 'follower';
    this.leader = '';
    if (this.wasLeader) {
      this.wasLeader = false;
      for (const fn of this.leaderListeners) fn(false);
    }
    this.retryAfterFault(1);
  }

  private retryAfterFault(attempt: number): void {
    const timer = setTimeout(() => {
      void this.exclusive(async () => {
        if (this.stopped) return;
        await this.log?.close().catch(() => undefined);
        const rebuilt = await rebuildFromDisk(this.opts.dir as string);
        if (rebuilt.lastIndex < this.applied) {
          this.opts.logger.error(`raft: the log on disk ends at index ${rebuilt.lastIndex}, before the applied index ${this.applied}: acknowledged entries were lost`);
          process.exit(1);
        }
        // The store must take a write again before the core restarts on it.
        await rebuilt.log.save([], rebuilt.storage.initialState().hardState, true);
        this.storage = rebuilt.storage;
        this.log = rebuilt.log;
        this.node = this.newNode();
        this.fault = undefined;
        this.suspended = false;
        this.opts.logger.info('raft: the disk takes writes again; resuming as a follower');
      }).then(
        () => this.kick(),
        (err: unknown) => {
          const why = (err as Error).message.replace(/^Failed to start Raft: /, '');
          if (attempt % 10 === 1) this.opts.logger.warn(`raft: storage still refuses writes: ${why}`);
          this.retryAfterFault(attempt + 1);
        },
      );
    }, Math.min(5_000, 500 * attempt));
    timer.unref();
  }

  private async process(): Promise<void> {
    for (;;) {
      const node = this.node;
      if (this.stopped || this.suspended || !node) return;
      this.flushProposals(node);
      if (node.hasReady()) {
        await this.handleReady(node, node.ready());
        this.evictApplied();
      } else if (this.storage.hasLoadRequests()) {
        await this.loadEvicted(node);
      } else if (this.snapshotDue) {
        this.snapshotDue = false;
        await this.maybeSnapshot();
      } else {
        return;
      }
    }
  }

  private async handleReady(node: RawNode, rd: Ready): Promise<void> {
    // Raft thesis 10.2.1: a leader may replicate in parallel with its own fsync. Its own copy
    // counts towards the commit only inside the core, and nothing that reveals a commit leaves
    // before this Ready is persisted (it goes out with a later Ready), so a crash before the
    // fsync loses only entries nobody was told are committed. Never when the Ready changes
    // term or vote, or the role: those must be durable before anyone hears of them.
    const early = this.canSendBeforePersist(rd);
    if (early) for (const m of rd.messages) this.opts.transport.send(m);
    // Committed entries this node had already made durable (in an earlier Ready) are applied
    // while this Ready's fsync runs (etcd applies in parallel with persisting too): a client's
    // write is then answered one fsync sooner. Entries of this very Ready (a lone leader commits
    // its own at once) wait for the fsync.
    let appliedEarly = 0;
    if (!rd.snapshot) {
      const durable = this.storage.lastIndex();
      while (appliedEarly < rd.committedEntries.length && (rd.committedEntries[appliedEarly] as Entry).index <= durable) {
        this.applyEntry(rd.committedEntries[appliedEarly] as Entry);
        appliedEarly++;
      }
    }
    await this.persist(rd);
    if (!early) for (const m of rd.messages) this.opts.transport.send(m);
    if (rd.snapshot) {
      this.opts.fsm.restore(rd.snapshot.data, rd.snapshot.meta.index);
      this.applied = this.lastSnapshotIndex = rd.snapshot.meta.index;
    }
    for (let i = appliedEarly; i < rd.committedEntries.length; i++) this.applyEntry(rd.committedEntries[i] as Entry);
    for (const rs of rd.readStates) this.reads.onReadState(rs.context, rs.index);
    node.advance(rd);
    if (rd.softState) this.onSoftState(node);
    if (rd.snapshot || rd.committedEntries.some((e) => e.kind === 'config')) this.checkConfiguration();
    this.reads.release(this.applied);
    if (!this.opts.snapshotIntervalMs) await this.maybeSnapshot();
  }

  private canSendBeforePersist(rd: Ready): boolean {
    if (this.role !== 'leader' || rd.softState || rd.snapshot || rd.messages.length === 0) return false;
    if (!rd.hardState) return true;
    const prev = this.storage.initialState().hardState;
    return rd.hardState.term === prev.term && rd.hardState.vote === prev.vote;
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
    if (e.kind === 'command') {
      const value = measured(['raft', 'fsm', 'apply'], () => this.opts.fsm.apply(e.index, e.data));
      this.applied = e.index;
      this.proposals.settle(e.index, e.term, { value });
      this.confChanges.settle(e.index, e.term, undefined);
      return;
    }
    this.applied = e.index;
    this.proposals.settle(e.index, e.term, undefined);
    this.confChanges.settle(e.index, e.term, e.kind === 'config' ? { value: undefined } : undefined);
  }

  private onSoftState(node: RawNode): void {
    const st = node.status();
    this.elections.transition({ role: this.role, leader: this.leader }, { role: st.role, leader: st.leader }, st.term);
    if (st.role === 'leader' && this.role !== 'leader') this.leaseFloor = st.lastIndex;
    if (st.role !== this.role && st.role !== 'preCandidate') metrics.incrCounter(['raft', 'state', st.role]);
    this.role = st.role;
    this.leader = st.leader;
    this.leaseCheckedAtTick = -1;
    if (this.transfer.leaderChanged(st.leader, this.opts.id)) this.opts.logger.info(`raft: leadership transferred to ${st.leader}`);
    const isLeader = st.role === 'leader';
    if (isLeader === this.wasLeader) return;
    this.wasLeader = isLeader;
    if (!isLeader) {
      // hashicorp/raft fails in-flight futures with ErrLeadershipLost: the entries may still
      // commit under the next leader, but this server can no longer tell the client.
      const lost = (): RaftError => new RaftError('leadershipLost', 'leadership lost while committing log');
      this.proposals.rejectAll(lost());
      this.confChanges.rejectAll(lost());
      this.reads.rejectAsked(lost());
    }
    for (const fn of this.leaderListeners) fn(isLeader);
  }

  private checkConfiguration(): void {
    if (!this.node) return;
    const conf = this.node.status().conf;
    if (confEquals(conf, this.lastConf)) return;
    const wasMember = isMember(this.lastConf, this.opts.id);
    this.lastConf = conf;
    this.opts.logger.info(`raft: configuration is now voters [${conf.voters.join(', ')}] learners [${conf.learners.join(', ')}]`);
    if (wasMember && !isMember(conf, this.opts.id)) {
      this.opts.logger.info('raft: this server was removed from the configuration');
      const removed = (): RaftError => new RaftError('leadershipLost', 'this server was removed from the configuration');
      this.proposals.rejectAll(removed());
      this.confChanges.rejectAll(removed());
      this.reads.rejectAsked(removed());
    }
    for (const fn of this.confListeners) fn(conf);
  }

  // ---- bounded log memory (see MemoryStorage.evict) ----------------------------------------------

  /** The highest log index whose data is no longer held in memory (0: all are). */
  evictedIndex(): number {
    return this.storage.evictedIndex();
  }

  /** Drops from memory the data of applied entries older than the log cache (they are on disk). */
  private evictApplied(): void {
    if (!this.log) return;
    const keep = this.opts.logCacheEntries ?? DEFAULT_LOG_CACHE_ENTRIES;
    let to = Math.min(this.applied, this.storage.lastIndex()) - keep;
    if (to <= this.storage.evictedIndex()) return;
    if (this.role === 'leader') to = Math.min(to, this.pinnedByFollowers(to));
    if (to > this.storage.evictedIndex()) this.storage.evict(to);
  }

  /**
   * Entries a follower in contact still needs stay in memory (up to MAX_PINNED_ENTRIES more):
   * under a write burst the slowest follower can trail the applied index by more than the cache,
   * and reading its entries back from disk on every append would stall this loop (the disk read
   * runs in the same queue as the Ready loop). A follower that is down pins nothing.
   */
  private pinnedByFollowers(to: number): number {
    const node = this.node;
    if (!node) return to;
    const contactWindowMs = this.opts.electionTicks * this.opts.tickMs;
    let floor = to;
    for (const [id, p] of Object.entries(node.status().progress)) {
      if (id === this.opts.id || p.match >= floor) continue;
      const since = this.lastContactMs(id);
      if (since !== undefined && since <= contactWindowMs) floor = p.match;
    }
    return Math.max(floor, to - MAX_PINNED_ENTRIES);
  }

  /** Reads back the evicted entries the leader needed for a follower, then sends them. */
  private async loadEvicted(node: RawNode): Promise<void> {
    const req = this.storage.takeLoadRequests()[0];
    if (!req || !this.log) return;
    const entries = await this.log.read(req.lo, req.hi, LOAD_WINDOW_BYTES);
    if (this.node !== node) return;
    this.storage.supplyLoaded(entries);
    node.retryAppends();
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** raft_snapshot_interval: check the threshold every interval plus up to one interval of jitter. */
  private scheduleSnapshotCheck(): void {
    const every = this.opts.snapshotIntervalMs;
    if (!every || every <= 0 || this.stopped) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotDue = true;
      this.kick();
      this.scheduleSnapshotCheck();
    }, every + cryptoRng.int(Math.max(1, Math.floor(every))));
    this.snapshotTimer.unref();
  }

  private async maybeSnapshot(): Promise<void> {
    if (this.applied - this.lastSnapshotIndex < this.opts.snapshotThreshold) return;
    await this.takeSnapshot();
  }

  private async takeSnapshot(): Promise<void> {
    const index = this.applied;
    if (index <= this.lastSnapshotIndex || !this.node || this.stopped) return;
    const snap = this.storage.createSnapshot(index, this.node.status().conf, this.opts.fsm.snapshot());
    try {
      await this.snapshots?.save(snap);
    } catch (err) {
      // hashicorp/raft logs a failed snapshot and keeps serving (runSnapshots): the log still
      // holds everything, so nothing is lost, and the next interval tries again. Only a refused
      // log write steps the server down (onWriteRefused); a full disk is then reported to the
      // write that hits it, not as a lost leader.
      if (!isWriteRefusal(err)) throw err;
      this.opts.logger.error(`raft: failed to take snapshot: ${describeWriteRefusal(err)}`);
      return;
    }
    this.lastSnapshotIndex = index;
    const compactTo = index - this.opts.trailingLogs;
    if (compactTo > this.storage.firstIndex()) {
      this.storage.compact(compactTo);
      try {
        await this.log?.compact(compactTo);
      } catch (err) {
        // As hashicorp/raft's compactLogs: the snapshot stands; the entries stay on disk longer.
        if (!isWriteRefusal(err)) throw err;
        this.opts.logger.error(`raft: failed to compact logs: ${describeWriteRefusal(err)}`);
      }
    }
    this.opts.logger.info(`raft: snapshot complete up to index ${index}`);
  }
}
