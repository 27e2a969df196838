// The server role: Raft + FSM + state store, and the endpoints that write through them
// (Consul: agent/consul/server.go, kvs_endpoint.go, txn_endpoint.go, catalog_endpoint.go).
//
// Every write is a typed command proposed to Raft; the handler's answer comes from the FSM's
// result after the entry is committed, fsynced and applied. Reads are served from the local
// state store after the consistency check the caller asked for.
import { CoordinateUpdates, DEFAULT_COORDINATE_UPDATES } from './coordinate-updates.js';
import path from 'node:path';
import { measuredApply } from '../telemetry/index.js';
import type { RuntimeConfig } from '../config/index.js';
import { Errors, HttpError } from '../errors.js';
import { encodeCommand, type FsmCommand } from '../fsm/commands.js';
import { Fsm, type FsmResult } from '../fsm/fsm.js';
import { RaftDriver, RaftError } from '../raft/index.js';
import { RpcRaftTransport } from '../raft/rpc-transport.js';
import { RpcError, type RpcClient, type RpcServer } from '../rpc/index.js';
import { DEFAULT_AUTOPILOT, ServerCluster } from './cluster.js';
import { forwardToLeader, type LeaderTarget } from './leader-forward.js';
import { StateStore } from '../state/store.js';
import type { Logger } from '../support/logger.js';
import { readArchive, writeArchive } from '../snapshot/index.js';
import { registerSelf } from './leader.js';
import { ServerOperator } from './operator.js';
import { TombstoneGc } from './tombstone-gc.js';
import { CONSUL_API_VERSION, REVISION } from '../version.js';
import { Reconciler, type ReconcileMember } from './reconcile.js';
import { LockDelays } from './lock-delay.js';
import { SessionTimers } from './session-ttl.js';
import { lastContactMs, lastContactStat } from './last-contact.js';
import { sessionList } from '../state/sessions.js';
import { monotonicMs } from '../support/clock.js';
import { ConnectCaRoutine } from './connect-ca.js';
import { AclLeaderRoutine } from './acl-leader.js';

export type Consistency = 'default' | 'stale' | 'consistent';

export interface ServerOptions {
  readonly config: RuntimeConfig;
  readonly nodeId: string;
  readonly logger: Logger;
  /** The server port's listener and the pool of connections to other servers. */
  readonly rpcServer: RpcServer;
  readonly rpcClient: RpcClient;
}

/** RPC methods servers call on each other. */
export const SERVER_RPC = {
  apply: 'Server.Apply',
  raftState: 'Status.RaftState',
} as const;

const TICK_MS = 100;

export class Server {
  readonly store = new StateStore();
  readonly fsm = new Fsm(this.store);
  private readonly raft: RaftDriver<FsmResult>;
  private readonly transport: RpcRaftTransport;
  /** Servers of this datacenter (from gossip) and the membership logic around Raft. */
  readonly cluster: ServerCluster;
  /** Autopilot settings (operator autopilot set-config changes them). */
  readonly autopilot = { ...DEFAULT_AUTOPILOT };
  /** The /v1/operator/raft and /autopilot endpoints' view of this server. */
  readonly operator: ServerOperator;
  private autopilotTimer: NodeJS.Timeout | undefined;
  /** Leader: reaps KV tombstones older than 15 minutes (Consul's TombstoneTTL). */
  private readonly tombstones: TombstoneGc;
  private readonly selfAddr: string;
  private readonly log: Logger;
  /** Wall-clock lock-delays of invalidated sessions' keys (see lock-delay.ts). */
  readonly lockDelays = new LockDelays();
  /** Agents' coordinate reports, written to Raft in batches (coordinate-updates.ts). */
  readonly coordinateUpdates: CoordinateUpdates;
  /** Session TTL timers; armed only while this server leads (see session-ttl.ts). */
  readonly sessionTimers = new SessionTimers((id) => this.expireSession(id));

  /** The LAN members, for the leader's catalog reconciliation (set by the agent's gossip). */
  private memberSource: (() => readonly ReconcileMember[]) | undefined;
  private readonly reconciler: Reconciler;
  private reconcileChain: Promise<void> = Promise.resolve();
  private reconcileTimer: NodeJS.Timeout | undefined;
  /** Leader: the Connect CA (root creation, signing, rotation; see connect-ca.ts). */
  readonly connectCA: ConnectCaRoutine;
  /** Leader: the built-in ACL policy and tokens (see acl-leader.ts). */
  private readonly aclLeader: AclLeaderRoutine;

  constructor(private readonly opts: ServerOptions) {
    const { config, nodeId } = opts;
    this.log = opts.logger.named('server');
    this.selfAddr = `${config.advertiseAddr}:${config.ports.server}`;
    Object.assign(this.autopilot, config.autopilot);
    const raftLog = this.log.named('raft');
    this.transport = new RpcRaftTransport({
      client: opts.rpcClient,
      resolve: (id) => this.addressOf(id),
      logger: raftLog,
    });
    this.raft = new RaftDriver<FsmResult>({
      id: nodeId,
      dir: config.dataDir ? path.join(config.dataDir, 'raft') : undefined,
      fsm: {
        apply: (index, data) => this.fsm.apply(index, data),
        snapshot: () => this.fsm.snapshot().data,
        restore: (data, index) => this.fsm.restore(data, index),
      },
      transport: this.transport,
      logger: raftLog,
      addressOf: (id) => this.addressOf(id),
      tickMs: TICK_MS,
      // hashicorp/raft: 1s heartbeat and election timeouts, scaled by raft_multiplier.
      electionTicks: 10 * config.raftMultiplier,
      heartbeatTicks: Math.max(1, Math.floor(config.raftMultiplier)),
      snapshotThreshold: config.raftSnapshotThreshold,
      trailingLogs: config.raftTrailingLogs,
      applyTimeoutMs: 30_000,
      snapshotIntervalMs: config.raftSnapshotIntervalMs,
    });
    this.cluster = new ServerCluster({
      selfId: nodeId,
      datacenter: config.datacenter,
      bootstrapExpect: config.bootstrap ? 1 : config.bootstrapExpect,
      raft: {
        hasState: () => this.raft.hasState(),
        bootstrap: (voters) => this.raft.bootstrap(voters),
        isLeader: () => this.raft.isLeader(),
        voters: () => this.raft.status().conf.voters,
        learners: () => this.raft.status().conf.learners,
        addLearner: (id) => this.raft.addLearner(id),
        addVoter: (id) => this.raft.addVoter(id),
        removeServer: (id) => this.raft.removeServer(id),
        peerHealth: (id) => this.peerHealth(id),
      },
      peerHasState: async (addr) => {
        const r = (await opts.rpcClient.call(addr, SERVER_RPC.raftState, {}, { timeoutMs: 5000 })) as { hasState?: unknown };
        return r.hasState === true;
      },
      logger: opts.logger,
      autopilot: this.autopilot,
    });
    this.tombstones = new TombstoneGc({
      ttlMs: 15 * 60_000,
      granularityMs: 30_000,
      appliedIndex: () => this.raft.appliedIndex,
      reap: async (index) => {
        if (this.isLeader()) await this.raft.propose(encodeCommand({ t: 'tombstone-reap', v: 1, index }));
      },
      log: (msg) => this.log.warn(msg),
    });
    this.operator = new ServerOperator({
      selfId: nodeId,
      selfName: config.nodeName,
      voters: () => this.raft.status().conf.voters,
      learners: () => this.raft.status().conf.learners,
      leaderId: () => this.raft.leaderId(),
      isLeader: () => this.raft.isLeader(),
      term: () => this.raft.status().term,
      lastIndex: () => this.raft.status().lastIndex,
      configIndex: () => 0,
      addressOf: (id) => this.addressOf(id),
      server: (id) => this.cluster.byId(id),
      peerHealth: (id) => this.peerHealth(id),
      removeServer: (id) => this.raft.removeServer(id),
      transferLeadership: (to) => this.raft.transferLeadership(to),
      autopilot: this.autopilot,
      build: `${CONSUL_API_VERSION}:${REVISION}`,
    });

    this.transport.attach(opts.rpcServer, (m) => this.raft.step(m));
    opts.rpcServer.handle(SERVER_RPC.raftState, () => ({ hasState: this.raft.hasState(), peers: this.peers() }));
    opts.rpcServer.handle(SERVER_RPC.apply, async (body) => {
      const cmd = (body as { cmd?: FsmCommand } | null)?.cmd;
      if (!cmd || typeof cmd !== 'object' || typeof cmd.t !== 'string') throw new Error('invalid command');
      return this.apply(cmd);
    });
    this.connectCA = new ConnectCaRoutine(this, config.datacenter, this.log.named('connect.ca'));
    this.aclLeader = new AclLeaderRoutine(this, config.acl, this.log.named('acl'));
    this.coordinateUpdates = new CoordinateUpdates(
      config.devMode ? { ...DEFAULT_COORDINATE_UPDATES, periodMs: 100 } : DEFAULT_COORDINATE_UPDATES,
      (cmd) => this.apply(cmd),
      this.log.named('coordinate'),
    );
    this.reconciler = new Reconciler({ server: this, datacenter: config.datacenter, nodeName: config.nodeName, logger: this.log });
    this.store.onLockDelay((notes) => this.lockDelays.record(notes));
    this.raft.onLeadershipChange((isLeader) => {
      if (!isLeader) {
        this.sessionTimers.clearAll();
        this.stopReconcileLoop();
        this.tombstones.stop();
        this.connectCA.stop();
        this.aclLeader.stop();
        return;
      }
      this.tombstones.start();
      this.connectCA.start();
      this.aclLeader.start();
      this.log.info(`cluster leadership acquired`);
      this.armSessionTimers();
      registerSelf(this, opts.config, opts.nodeId)
        .catch((err: unknown) => this.log.warn(`failed to register this server in the catalog: ${(err as Error).message}`))
        .finally(() => this.startReconcileLoop());
    });
  }

  async start(): Promise<void> {
    const { config, nodeId } = this.opts;
    const single = config.bootstrap || config.bootstrapExpect === 1;
    await this.raft.start(single ? [nodeId] : undefined);
    if (!this.raft.hasState() && config.bootstrapExpect > 1) {
      this.log.info(`waiting for ${config.bootstrapExpect} servers (bootstrap_expect) to bootstrap the cluster`);
    }
    this.autopilotTimer = setInterval(() => void this.cluster.autopilotStep(monotonicMs()), 500);
    this.autopilotTimer.unref();
  }

  /**
   * Before a graceful leave (Consul: Server.Leave): a leader with other voters hands leadership
   * over, so the rest of the cluster keeps a leader; the new leader removes us once gossip says
   * we left.
   */
  async prepareLeave(): Promise<void> {
    const voters = this.raft.status().conf.voters;
    if (!this.isLeader() || voters.length <= 1) return;
    try {
      await this.raft.transferLeadership(undefined, 5_000);
      this.log.info('leadership transferred before leaving');
    } catch (err) {
      this.log.warn(`failed to transfer leadership before leaving: ${(err as Error).message}`);
    }
  }

  /** After leaving gossip: wait (bounded) until the leader has removed us from the configuration. */
  async waitRemoved(timeoutMs: number): Promise<void> {
    const deadline = monotonicMs() + timeoutMs;
    const id = this.opts.nodeId;
    while (monotonicMs() < deadline) {
      const conf = this.raft.status().conf;
      if (!conf.voters.includes(id) && !conf.learners.includes(id)) return;
      if (conf.voters.length <= 1 && conf.learners.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.log.warn('timed out waiting to be removed from the Raft configuration');
  }

  /** The RPC address of a server by node ID: ourselves, gossip, or what peers.json said. */
  private addressOf(id: string): string | undefined {
    if (id === this.opts.nodeId) return this.selfAddr;
    return this.cluster.address(id) ?? this.raft.recoveredPeers.find((p) => p.id === id)?.address;
  }

  private peerHealth(id: string): { lagEntries: number; lastContactMs: number } | undefined {
    const st = this.raft.status();
    const p = st.progress[id];
    if (!p) return undefined;
    return { lagEntries: Math.max(0, st.lastIndex - p.match), lastContactMs: this.raft.lastContactMs(id) ?? Infinity };
  }

  /** Where the leader reads gossip membership from (the agent's LAN pool). */
  setMemberSource(source: () => readonly ReconcileMember[]): void {
    this.memberSource = source;
    if (this.isLeader()) this.reconcileAll();
  }

  /** A member changed state: the leader brings the catalog in line (Consul: reconcileCh). */
  memberEvent(members: readonly ReconcileMember[]): void {
    if (!this.isLeader()) return;
    for (const m of members) this.enqueueReconcile(() => this.reconciler.reconcileMember(m));
  }

  private enqueueReconcile(step: () => Promise<void>): void {
    this.reconcileChain = this.reconcileChain
      .then(step)
      .catch((err: unknown) => this.log.warn(`failed to reconcile member: ${(err as Error).message}`));
  }

  private reconcileAll(): void {
    const source = this.memberSource;
    if (!source) return;
    this.enqueueReconcile(() => (this.isLeader() ? this.reconciler.reconcileAll(source()) : Promise.resolve()));
  }

  /** Full reconciliation on taking leadership, then every 60 s (Consul's ReconcileInterval). */
  private startReconcileLoop(): void {
    if (!this.isLeader()) return;
    this.stopReconcileLoop();
    this.reconcileAll();
    this.reconcileTimer = setInterval(() => this.reconcileAll(), 60_000);
    this.reconcileTimer.unref();
  }

  private stopReconcileLoop(): void {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = undefined;
  }

  /** Resolves once everything committed before now is applied here (leader duties start after it). */
  barrier(): Promise<void> {
    return this.raft.readBarrier();
  }

  async stop(): Promise<void> {
    this.connectCA.stop();
    this.coordinateUpdates.stop();
    if (this.autopilotTimer) clearInterval(this.autopilotTimer);
    this.tombstones.stop();
    this.stopReconcileLoop();
    this.sessionTimers.clearAll();
    await this.raft.stop();
  }

  /** A new leader re-arms every TTL session once it has applied all it committed before. */
  private armSessionTimers(): void {
    this.raft
      .readBarrier()
      .then(() => {
        if (this.isLeader()) this.sessionTimers.initialize(sessionList(this.store));
      })
      .catch((err: unknown) => this.log.warn(`failed to arm session timers: ${(err as Error).message}`));
  }

  private async expireSession(id: string): Promise<void> {
    const result = await this.apply({ t: 'session', v: 1, op: 'destroy', id });
    if (result.t === 'error') throw new Error(result.message);
    this.log.debug(`session TTL expired: ${id}`);
  }

  isLeader(): boolean {
    return this.raft.isLeader();
  }

  knownLeader(): boolean {
    return this.raft.leaderId() !== '';
  }

  /** Consul: time since raft.LastContact(), which keeps growing while there is no leader. */
  lastContactMs(): number {
    return lastContactMs(this.raft.isLeader(), this.raft.lastLeaderContactMs());
  }

  leaderAddr(): string {
    const leader = this.raft.leaderId();
    return leader === '' ? '' : (this.addressOf(leader) ?? '');
  }

  /** Every server in the Raft configuration (Consul's Status.Peers: voters and non-voters). */
  peers(): string[] {
    const conf = this.raft.status().conf;
    return [...conf.voters, ...conf.learners].map((id) => this.addressOf(id) ?? id);
  }

  /** Wait (up to the RPC hold timeout) for this server to lead; otherwise "No cluster leader". */
  private async waitForLeadership(): Promise<void> {
    const deadline = monotonicMs() + this.opts.config.rpcHoldTimeoutMs;
    while (!this.isLeader()) {
      if (monotonicMs() >= deadline) throw Errors.noLeader();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** rpc_hold_timeout: how long a forwarded call waits out an election. */
  get rpcHoldTimeoutMs(): number {
    return this.opts.config.rpcHoldTimeoutMs;
  }

  /** Where the leader is right now (no waiting): this server, another server's address, or unknown. */
  leaderTarget(): LeaderTarget {
    if (this.isLeader()) return { self: true };
    const leader = this.raft.leaderId();
    const addr = leader === '' ? undefined : this.addressOf(leader);
    return addr === undefined ? undefined : { self: false, addr };
  }

  /** Propose a command and return the FSM's answer; a follower forwards it to the leader. */
  async apply(cmd: FsmCommand): Promise<FsmResult> {
    for (let attempt = 0; ; attempt++) {
      let forwarded: FsmResult | undefined;
      try {
        forwarded = await forwardToLeader({
          leader: () => this.leaderTarget(),
          call: async (addr) => (await this.opts.rpcClient.call(addr, SERVER_RPC.apply, { cmd }, { timeoutMs: 60_000 })) as FsmResult,
          isRead: false,
          holdTimeoutMs: this.rpcHoldTimeoutMs,
        });
      } catch (err) {
        if (err instanceof RpcError) throw new HttpError(500, err.kind === 'remote' ? err.message : `rpc error making call: ${err.message}`);
        throw err;
      }
      if (forwarded !== undefined) return forwarded;
      try {
        return await measuredApply(cmd.t, () => this.raft.propose(encodeCommand(cmd)));
      } catch (err) {
        // Not the leader when proposing: nothing was proposed, so forwarding it again is safe.
        if (err instanceof RaftError && err.code === 'notLeader' && attempt < 2) continue;
        if (err instanceof RaftError && err.code === 'notLeader') throw Errors.noLeader();
        // Proposed, then leadership was lost: the entry may still commit under the next leader.
        // Consul answers raft's ErrLeadershipLost as is; never "No cluster leader", which
        // forwarders retry, and never again ourselves (the write would apply twice).
        if (err instanceof RaftError && err.code === 'leadershipLost') throw new HttpError(500, err.message);
        // hashicorp/raft answers the write with the store's error (its leader then steps down).
        if (err instanceof RaftError && err.code === 'storageFault') throw new HttpError(500, err.message);
        throw err;
      }
    }
  }

  /**
   * The consistency check before a read (Consul: consistentRead / blocking query setup).
   * Returns undefined when the read may proceed at once (stale, or a leader within its lease:
   * the hot path stays synchronous), else a promise to wait on.
   */
  readCheck(mode: Consistency): Promise<void> | undefined {
    if (mode === 'stale') return undefined;
    if (mode === 'default' && this.raft.isLeaderWithLease()) return undefined;
    return this.slowReadCheck(mode);
  }

  private async slowReadCheck(mode: Consistency): Promise<void> {
    await this.waitForLeadership();
    // Default mode trusts the leader lease; `consistent` confirms leadership with a quorum round.
    if (mode === 'consistent' || !this.raft.isLeaderWithLease()) {
      try {
        await this.raft.readBarrier();
      } catch (err) {
        if (err instanceof RaftError) throw Errors.noLeader();
        throw err;
      }
    }
  }

  /** GET /v1/snapshot: the current state as a verified archive. */
  async snapshotArchive(stale: boolean): Promise<{ archive: Buffer; index: number }> {
    await this.readCheck(stale ? 'stale' : 'default');
    const { index, data } = this.fsm.snapshot();
    const status = this.raft.status();
    const archive = await writeArchive(
      {
        ID: `${status.term}-${index}-${Date.now()}`,
        Size: data.length,
        Index: index,
        Term: status.term,
        Version: 1,
        Configuration: { Servers: status.conf.voters.map((id) => ({ ID: id, Address: this.addressOf(id) ?? id, Suffrage: 0 })) },
        ConfigurationIndex: 0,
      },
      data,
    );
    return { archive, index: Math.max(index, 1) };
  }

  /** PUT /v1/snapshot: verify the whole archive first; only then replace the state everywhere. */
  async restoreArchive(data: Uint8Array): Promise<void> {
    const { state } = await readArchive(data);
    // Decoding once here refuses a corrupt state.bin before it reaches the log.
    new Fsm(new StateStore()).restore(state, 0);
    await this.apply({ t: 'restore', v: 1, state });
  }

  raftStats(): Record<string, string> {
    const s = this.raft.status();
    return {
      state: s.role === 'leader' ? 'Leader' : s.role === 'follower' ? 'Follower' : 'Candidate',
      term: String(s.term),
      commit_index: String(s.commit),
      applied_index: String(this.raft.appliedIndex),
      last_log_index: String(s.lastIndex),
      num_peers: String(Math.max(0, s.conf.voters.length - 1)),
      last_contact: lastContactStat(s.role === 'leader', this.raft.lastLeaderContactMs()),
      protocol_version: '3',
      protocol_version_max: '3',
      protocol_version_min: '0',
      latest_configuration: `[${[
        ...s.conf.voters.map((id) => `{Suffrage:Voter ID:${id} Address:${this.addressOf(id) ?? id}}`),
        ...s.conf.learners.map((id) => `{Suffrage:Nonvoter ID:${id} Address:${this.addressOf(id) ?? id}}`),
      ].join(' ')}]`,
    };
  }
}
