// The serf core (hashicorp/serf's Serf) on top of a memberlist core: member states ordered by
// Lamport intents, user events, queries (with internal key and conflict queries), reaping,
// reconnecting and graceful leave. Pure like memberlist: time comes in as `now`, randomness from
// the configured Rng, and all network work leaves through drainOutputs().
// MUST: Serf is memberlist's delegate; memberlist calls back into it synchronously, so anything
//       that calls memberlist from inside a callback (sending an ack or answer, refuting a leave)
//       is deferred to settle(), which runs after the memberlist call returns (Go uses goroutines).
// MUST: every public entry point that takes `now` ends with settle(now).
import { type Address, NodeStateKind, type PacketMessage, type StreamMessage } from '../memberlist/messages.js';
import type { MemberNode, MemberlistCore, MemberlistDelegate } from '../memberlist/types.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { decodeSerfMessage, encodeSerfMessage } from './codec.js';
import { type ResolvedSerfConfig, type SerfConfig, USER_EVENT_SIZE_HARD_LIMIT, resolveSerfConfig } from './config.js';
import { UserEventRing } from './dedupe-rings.js';
import { LamportClock } from './lamport.js';
import { LeaveProcess } from './leave-process.js';
import { checkQueueDepths, pickReconnectTarget } from './maintenance.js';
import { MemberTable, nodeToMember, toSerfMember } from './member-table.js';
import { type JoinMessage, type LeaveMessage, type SerfMessage, SerfMessageType, type UserEventMessage } from './messages.js';
import { QueryEngine, type QueryEngineHost } from './query-engine.js';
import { META_MAX_SIZE, type Tags, encodeTags } from './tags.js';
import {
  type KeyOperation,
  MEMBER_STATUS_CODE,
  type PreviousNode,
  type QueryEvent,
  type QueryParams,
  type SerfEvent,
  type SerfLogLevel,
  type SerfMember,
  type SerfOutput,
  type SerfResult,
  type SerfSnapshotState,
  type SerfState,
} from './types.js';

/** A memberlist join we started: by the application, by the reconnect loop, or to rejoin after a restart. */
type PendingJoin =
  | { readonly kind: 'user'; readonly ignoreOld: boolean }
  | { readonly kind: 'reconnect' }
  | { readonly kind: 'rejoin' };

const ok: SerfResult<void> = { ok: true, value: undefined };
const fail = <T>(error: string): SerfResult<T> => ({ ok: false, error });
const utf8 = new TextEncoder();

export class Serf implements MemberlistDelegate {
  private readonly cfg: ResolvedSerfConfig;
  private readonly ml: MemberlistCore;
  private readonly clock = new LamportClock();
  private readonly eventClock = new LamportClock();
  private readonly queryClock = new LamportClock();
  private readonly table: MemberTable;
  private readonly intentQueue: BroadcastQueue;
  private readonly eventQueue: BroadcastQueue;
  private readonly queryQueue: BroadcastQueue;
  private readonly eventRing: UserEventRing;
  private readonly queryEngine: QueryEngine;
  private tags: Tags;
  private state: SerfState = 'alive';
  private outputs: SerfOutput[] = [];
  private deferred: (() => void)[] = [];
  private readonly pendingJoins = new Map<number, PendingJoin>();
  private leaving: LeaveProcess | undefined;
  /** The last `now` seen, for memberlist callbacks that carry none (notifyConflict). */
  private now = 0;
  private started = false;
  private nextReapAt = 0;
  private nextReconnectAt = 0;
  private nextQueueCheckAt = 0;
  /** What the snapshot records: the newest user event LTime delivered. */
  private lastEventLTime: number;
  private rejoinCandidates: PreviousNode[];

  constructor(config: SerfConfig, createMemberlist: (delegate: MemberlistDelegate) => MemberlistCore) {
    this.cfg = resolveSerfConfig(config);
    this.tags = { ...this.cfg.tags };
    const numNodes = (): number => this.table.members.size;
    this.intentQueue = new BroadcastQueue(this.cfg.retransmitMult, numNodes);
    this.eventQueue = new BroadcastQueue(this.cfg.retransmitMult, numNodes);
    this.queryQueue = new BroadcastQueue(this.cfg.retransmitMult, numNodes);
    this.eventRing = new UserEventRing(this.cfg.eventBuffer);
    this.table = new MemberTable(
      {
        localName: this.cfg.nodeName,
        isLocalAlive: () => this.state === 'alive',
        refuteLeave: (now) => {
          this.deferred.push(() => this.broadcastJoin(this.clock.time(), now));
          this.emit({ kind: 'refuted', accusation: 'leave' });
        },
        emit: (type, member) => this.emit({ kind: 'member', type, members: [member] }),
        log: (l, m) => this.log(l, m),
      },
      {
        reconnectTimeoutMs: this.cfg.reconnectTimeoutMs,
        tombstoneTimeoutMs: this.cfg.tombstoneTimeoutMs,
        recentIntentTimeoutMs: this.cfg.recentIntentTimeoutMs,
        pruneDelayMs: this.cfg.broadcastTimeoutMs + this.cfg.leavePropagateDelayMs,
      },
    );
    // Clocks start at 1 so that the zero LTime of an artificial join never wins over a real one.
    this.clock.increment();
    this.eventClock.increment();
    this.queryClock.increment();
    const prev = this.cfg.previous;
    this.lastEventLTime = prev?.eventClock ?? 0;
    // Whatever the snapshot saw was delivered before the restart.
    this.queryEngine = new QueryEngine(this.queryEngineHost(), prev ? prev.queryClock + 1 : 0, prev?.queryClock ?? 0);
    this.rejoinCandidates = (prev?.alive ?? []).filter((p) => p.name !== this.cfg.nodeName);
    if (prev) {
      this.clock.witness(prev.clock);
      this.eventClock.witness(prev.eventClock);
      this.queryClock.witness(prev.queryClock);
      this.eventRing.minTime = prev.eventClock + 1;
    }
    // Last: memberlist may call back into us (nodeMeta, notifyJoin for itself) while it is built.
    this.ml = createMemberlist(this);
  }

  // --- driving ---------------------------------------------------------------------------------

  /** Run serf's and memberlist's due work: reap, reconnect, queue checks, query timeouts, leave. */
  tick(now: number): void {
    this.now = now;
    if (this.state === 'shutdown') return;
    if (!this.started) {
      this.started = true;
      this.nextReapAt = now + this.cfg.reapIntervalMs;
      this.nextReconnectAt = now + this.cfg.reconnectIntervalMs;
      this.nextQueueCheckAt = now + this.cfg.queueCheckIntervalMs;
      this.rejoinNext(now);
    }
    if (now >= this.nextReapAt) {
      this.table.reap(now);
      this.nextReapAt = now + this.cfg.reapIntervalMs;
    }
    this.table.runDuePrunes(now);
    if (now >= this.nextReconnectAt) {
      this.reconnect(now);
      this.nextReconnectAt = now + this.cfg.reconnectIntervalMs;
    }
    if (now >= this.nextQueueCheckAt) {
      this.checkQueueDepths();
      this.nextQueueCheckAt = now + this.cfg.queueCheckIntervalMs;
    }
    this.queryEngine.expire(now);
    this.ml.tick(now);
    this.settle(now);
  }

  /** The earliest `now` at which tick() has work (0 before the first tick). */
  nextDeadline(): number {
    if (this.state === 'shutdown') return Infinity;
    if (!this.started) return 0;
    return Math.min(
      this.ml.nextDeadline(),
      this.nextReapAt,
      this.nextReconnectAt,
      this.nextQueueCheckAt,
      this.queryEngine.nextDeadline(),
      this.table.nextPruneAt(),
      this.leaving ? this.leaving.deadline() : Infinity,
    );
  }

  drainOutputs(): SerfOutput[] {
    this.pull(this.now);
    const out = this.outputs;
    this.outputs = [];
    return out;
  }

  handlePacket(from: Address, msg: PacketMessage, now: number): void {
    this.now = now;
    if (this.state === 'shutdown') return;
    this.ml.handlePacket(from, msg, now);
    this.settle(now);
  }

  handleStream(from: Address, msg: StreamMessage, now: number): StreamMessage | undefined {
    this.now = now;
    if (this.state === 'shutdown') return undefined;
    const reply = this.ml.handleStream(from, msg, now);
    this.settle(now);
    return reply;
  }

  streamReply(id: number, msg: StreamMessage, now: number): void {
    this.now = now;
    if (this.state === 'shutdown') return;
    this.ml.streamReply(id, msg, now);
    this.settle(now);
  }

  streamFailed(id: number, error: string, now: number): void {
    this.now = now;
    if (this.state === 'shutdown') return;
    this.ml.streamFailed(id, error, now);
    this.settle(now);
  }

  /** The memberlist core underneath (for the driver's read-only needs, e.g. health score). */
  get memberlist(): MemberlistCore {
    return this.ml;
  }

  // --- membership API ----------------------------------------------------------------------------

  /** Push/pull with the seeds; returns memberlist's join id (its 'joined' output reports the result). */
  join(seeds: readonly Address[], ignoreOld: boolean, now: number): SerfResult<number> {
    this.now = now;
    if (this.state !== 'alive') return fail("Serf can't Join after Leave or Shutdown");
    const id = this.ml.join(seeds, now);
    this.pendingJoins.set(id, { kind: 'user', ignoreOld });
    this.settle(now);
    return { ok: true, value: id };
  }

  /** Start a graceful leave; a 'leaveDone' output reports the end. Calling it once left is fine. */
  leave(now: number): SerfResult<void> {
    this.now = now;
    if (this.state === 'left') return ok;
    if (this.state === 'leaving') return fail('Leave already in progress');
    if (this.state === 'shutdown') return fail('Leave called after Shutdown');
    this.state = 'leaving';
    const msg: LeaveMessage = { type: 'leave', ltime: this.clock.time(), node: this.cfg.nodeName, prune: false };
    this.clock.increment();
    this.handleLeaveIntent(msg, now);
    const tellOthers = this.table.hasAliveMembers();
    const process = new LeaveProcess(now, tellOthers, this.cfg.broadcastTimeoutMs, this.cfg.leavePropagateDelayMs);
    this.leaving = process;
    if (tellOthers) this.intentQueue.queue(encodeSerfMessage(msg), () => process.intentFinished());
    else this.ml.leave(now);
    this.settle(now);
    return ok;
  }

  /** True once a graceful leave has completed. */
  leaveDone(): boolean {
    return this.state === 'left';
  }

  getState(): SerfState {
    return this.state;
  }

  /** Stop: no more ticks or message handling. The driver closes sockets. */
  shutdown(): void {
    if (this.state === 'shutdown') return;
    if (this.state !== 'left') this.log('warn', 'serf: Shutdown without a Leave');
    this.state = 'shutdown';
  }

  /**
   * Force-leave: broadcast a leave intent for another (failed) node, which moves it to left;
   * `prune` also erases it from the member list everywhere.
   */
  removeFailedNode(node: string, prune: boolean, now: number): void {
    this.now = now;
    const msg: LeaveMessage = { type: 'leave', ltime: this.clock.time(), node, prune };
    this.clock.increment();
    this.handleLeaveIntent(msg, now);
    if (this.table.hasAliveMembers()) this.intentQueue.queue(encodeSerfMessage(msg));
    this.settle(now);
  }

  setTags(tags: Tags, now: number): SerfResult<void> {
    this.now = now;
    if (encodeTags(tags, this.cfg.protocolVersion).length > META_MAX_SIZE) {
      return fail(`Encoded length of tags exceeds limit of ${META_MAX_SIZE} bytes`);
    }
    this.tags = { ...tags };
    this.ml.updateMeta(now);
    this.settle(now);
    return ok;
  }

  members(): SerfMember[] {
    return [...this.table.members.values()].map(toSerfMember);
  }

  localMember(): SerfMember {
    const m = this.table.get(this.cfg.nodeName);
    if (m) return toSerfMember(m);
    // Before memberlist has reported our own join.
    return { ...nodeToMember(this.ml.localNode(), 'alive'), tags: { ...this.tags } };
  }

  numNodes(): number {
    return this.table.members.size;
  }

  /** serf's Stats() (coordinates are not kept, so no coordinate_resets). */
  stats(): Record<string, string> {
    return {
      members: String(this.table.members.size),
      failed: String(this.table.failed.length),
      left: String(this.table.left.length),
      health_score: String(this.ml.healthScore()),
      member_time: String(this.clock.time()),
      event_time: String(this.eventClock.time()),
      query_time: String(this.queryClock.time()),
      intent_queue: String(this.intentQueue.numQueued()),
      event_queue: String(this.eventQueue.numQueued()),
      query_queue: String(this.queryQueue.numQueued()),
      encrypted: String(this.cfg.keyring !== undefined),
    };
  }

  /** What the agent persists to resume after a restart (serf's snapshot). */
  snapshotState(): SerfSnapshotState {
    const alive = [...this.table.members.values()]
      .filter((m) => m.status === 'alive' && m.name !== this.cfg.nodeName)
      .map((m) => ({ name: m.name, addr: m.addr, port: m.port }));
    return {
      clock: Math.max(0, this.clock.time() - 1),
      eventClock: this.lastEventLTime,
      queryClock: this.queryEngine.lastLTime,
      alive,
    };
  }

  // --- user events -------------------------------------------------------------------------------

  userEvent(name: string, payload: Uint8Array, coalesce: boolean, now: number): SerfResult<void> {
    this.now = now;
    const limit = this.cfg.userEventSizeLimit;
    const sizeBefore = utf8.encode(name).length + payload.length;
    if (sizeBefore > limit) return fail(`user event exceeds configured limit of ${limit} bytes before encoding`);
    if (sizeBefore > USER_EVENT_SIZE_HARD_LIMIT) {
      return fail(`user event exceeds sane limit of ${USER_EVENT_SIZE_HARD_LIMIT} bytes before encoding`);
    }
    const msg: UserEventMessage = { type: 'userEvent', ltime: this.eventClock.time(), name, payload, cc: coalesce };
    const raw = encodeSerfMessage(msg);
    if (raw.length > limit) return fail(`encoded user event exceeds configured limit of ${limit} bytes after encoding`);
    if (raw.length > USER_EVENT_SIZE_HARD_LIMIT) {
      return fail(`encoded user event exceeds sane limit of ${USER_EVENT_SIZE_HARD_LIMIT} bytes before encoding`);
    }
    this.eventClock.increment();
    this.handleUserEvent(msg);
    this.eventQueue.queue(raw);
    this.settle(now);
    return ok;
  }

  private handleUserEvent(msg: UserEventMessage): boolean {
    this.eventClock.witness(msg.ltime);
    const admission = this.eventRing.admit(msg.ltime, msg.name, msg.payload, this.eventClock.time());
    if (admission === 'too-old') {
      this.log('warn', `serf: received old event ${msg.name} from time ${msg.ltime} (current: ${this.eventClock.time()})`);
    }
    if (admission !== 'new') return false;
    this.lastEventLTime = Math.max(this.lastEventLTime, msg.ltime);
    this.emit({ kind: 'user', ltime: msg.ltime, name: msg.name, payload: msg.payload, coalesce: msg.cc });
    return true;
  }

  // --- queries and keys (query-engine.ts) ----------------------------------------------------

  /** serf's DefaultQueryTimeout: GossipInterval * QueryTimeoutMult * ceil(log10(n + 1)). */
  defaultQueryTimeoutMs(): number {
    return this.queryEngine.defaultTimeoutMs();
  }

  /** Start a query; returns its id. Acks, responses and the end arrive as outputs. */
  query(name: string, payload: Uint8Array, params: QueryParams, now: number): SerfResult<number> {
    this.now = now;
    const r = this.queryEngine.appQuery(name, payload, params, now);
    this.settle(now);
    return r;
  }

  /** Answer a query event (serf's Query.Respond); at most once, and only before its deadline. */
  respond(q: QueryEvent, payload: Uint8Array, now: number): SerfResult<void> {
    this.now = now;
    const r = this.queryEngine.respond(q, payload, now);
    this.settle(now);
    return r;
  }

  /** Install a key cluster-wide (base64); a 'keyResult' output with the returned id reports it. */
  installKey(keyBase64: string, now: number, relayFactor = 0): SerfResult<number> {
    return this.keyOperation('install', keyBase64, now, relayFactor);
  }

  useKey(keyBase64: string, now: number, relayFactor = 0): SerfResult<number> {
    return this.keyOperation('use', keyBase64, now, relayFactor);
  }

  removeKey(keyBase64: string, now: number, relayFactor = 0): SerfResult<number> {
    return this.keyOperation('remove', keyBase64, now, relayFactor);
  }

  listKeys(now: number, relayFactor = 0): SerfResult<number> {
    return this.keyOperation('list', '', now, relayFactor);
  }

  private keyOperation(op: KeyOperation, keyBase64: string, now: number, relayFactor: number): SerfResult<number> {
    this.now = now;
    const r = this.queryEngine.keyOperation(op, keyBase64, now, relayFactor);
    this.settle(now);
    return r;
  }

  // --- memberlist delegate -----------------------------------------------------------------------

  nodeMeta(limit: number): Uint8Array {
    const meta = encodeTags(this.tags, this.cfg.protocolVersion);
    if (meta.length > limit) this.log('error', `serf: Node tags exceed length limit of ${limit} bytes`);
    return meta;
  }

  notifyMsg(payload: Uint8Array, now: number): void {
    this.now = now;
    if (payload.length === 0) return;
    const t = payload[0] as number;
    const known = [
      SerfMessageType.Leave,
      SerfMessageType.Join,
      SerfMessageType.UserEvent,
      SerfMessageType.Query,
      SerfMessageType.QueryResponse,
      SerfMessageType.Relay,
    ] as number[];
    if (!known.includes(t)) {
      this.log('warn', `serf: Received message of unknown type: ${t}`);
      return;
    }
    let msg: SerfMessage;
    try {
      msg = decodeSerfMessage(payload);
    } catch (e) {
      this.log('error', `serf: Error decoding message of type ${t}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    let rebroadcast = false;
    let queue = this.intentQueue;
    switch (msg.type) {
      case 'leave':
        this.log('debug', `serf: messageLeaveType: ${msg.node}`);
        rebroadcast = this.handleLeaveIntent(msg, now);
        break;
      case 'join':
        this.log('debug', `serf: messageJoinType: ${msg.node}`);
        rebroadcast = this.handleJoinIntent(msg, now);
        break;
      case 'userEvent':
        this.log('debug', `serf: messageUserEventType: ${msg.name}`);
        rebroadcast = this.handleUserEvent(msg);
        queue = this.eventQueue;
        break;
      case 'query':
        this.log('debug', `serf: messageQueryType: ${msg.name}`);
        rebroadcast = this.queryEngine.handleQuery(msg, now);
        queue = this.queryQueue;
        break;
      case 'queryResponse':
        this.log('debug', `serf: messageQueryResponseType: ${msg.from}`);
        this.queryEngine.handleResponse(msg, now);
        break;
      case 'relay':
        this.log('debug', `serf: Relaying response to addr: ${msg.destAddr}:${msg.destPort}`);
        this.sendTo({ addr: msg.destAddr, port: msg.destPort }, msg.inner, now);
        break;
      case 'pushPull':
        break; // excluded above: push/pull state only comes through mergeRemoteState
    }
    if (rebroadcast) queue.queue(payload.slice());
  }

  getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    const out = this.intentQueue.getBroadcasts(overhead, limit);
    let used = out.reduce((n, m) => n + m.length + overhead, 0);
    const queries = this.queryQueue.getBroadcasts(overhead, limit - used);
    used += queries.reduce((n, m) => n + m.length + overhead, 0);
    const events = this.eventQueue.getBroadcasts(overhead, limit - used);
    return [...out, ...queries, ...events];
  }

  localState(_join: boolean): Uint8Array {
    const statusLTimes = new Map<string, number>();
    for (const m of this.table.members.values()) statusLTimes.set(m.name, m.statusLTime);
    return encodeSerfMessage({
      type: 'pushPull',
      ltime: this.clock.time(),
      statusLTimes,
      leftMembers: this.table.left.map((m) => m.name),
      eventLTime: this.eventClock.time(),
      events: this.eventRing.snapshot(),
      queryLTime: this.queryClock.time(),
    });
  }

  mergeRemoteState(state: Uint8Array, join: boolean, now: number): void {
    this.now = now;
    if (state.length === 0) return this.log('error', 'serf: Remote state is zero bytes');
    if (state[0] !== SerfMessageType.PushPull) return this.log('error', `serf: Remote state has bad type prefix: ${state[0]}`);
    let pp: SerfMessage;
    try {
      pp = decodeSerfMessage(state);
    } catch (e) {
      return this.log('error', `serf: Failed to decode remote state: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (pp.type !== 'pushPull') return;
    // Minus one: nobody has sent a message stamped with the remote's current time yet.
    if (pp.ltime > 0) this.clock.witness(pp.ltime - 1);
    if (pp.eventLTime > 0) this.eventClock.witness(pp.eventLTime - 1);
    if (pp.queryLTime > 0) this.queryClock.witness(pp.queryLTime - 1);
    // Left members first. Their leave LTime is unknown, but it came after their join time.
    const left = new Set(pp.leftMembers);
    for (const name of pp.leftMembers) {
      this.handleLeaveIntent({ type: 'leave', ltime: (pp.statusLTimes.get(name) ?? 0) + 1, node: name, prune: false }, now);
    }
    for (const [name, ltime] of pp.statusLTimes) {
      if (!left.has(name)) this.handleJoinIntent({ type: 'join', ltime, node: name }, now);
    }
    if (join && this.ignoringOldEvents()) this.eventRing.minTime = Math.max(this.eventRing.minTime, pp.eventLTime);
    for (const slot of pp.events) {
      if (slot === null) continue;
      for (const e of slot.events) {
        this.handleUserEvent({ type: 'userEvent', ltime: slot.ltime, name: e.name, payload: e.payload, cc: false });
      }
    }
  }

  notifyJoin(node: MemberNode, now: number): void {
    this.now = now;
    this.table.handleNodeJoin(node);
  }

  notifyLeave(node: MemberNode, now: number): void {
    this.now = now;
    this.table.handleNodeLeave(node, now);
  }

  notifyUpdate(node: MemberNode, now: number): void {
    this.now = now;
    this.table.handleNodeUpdate(node);
  }

  notifyMerge(peers: readonly MemberNode[]): string | undefined {
    if (!this.cfg.merge) return undefined;
    return this.cfg.merge(peers.map((n) => nodeToMember(n, n.state === NodeStateKind.Left ? 'left' : 'none')));
  }

  notifyAlive(peer: MemberNode): string | undefined {
    if (!this.cfg.merge) return undefined;
    return this.cfg.merge([nodeToMember(peer, peer.state === NodeStateKind.Left ? 'left' : 'none')]);
  }

  notifyRefute(accusation: 'suspect' | 'dead', now: number): void {
    this.now = now;
    this.emit({ kind: 'refuted', accusation });
  }

  notifyConflict(existing: MemberNode, other: MemberNode): void {
    if (existing.name !== this.cfg.nodeName) {
      this.log(
        'warn',
        `serf: Name conflict for '${existing.name}' both ${existing.addr}:${existing.port} and ${other.addr}:${other.port} are claiming`,
      );
      return;
    }
    const enabled = this.cfg.enableNameConflictResolution;
    this.log(
      'error',
      `serf: Node name conflicts with another node at ${other.addr}:${other.port}. Names must be unique! (Resolution enabled: ${enabled})`,
    );
    if (!enabled) return;
    const now = this.now;
    this.deferred.push(() => this.queryEngine.startConflictVote(now));
  }

  private queryEngineHost(): QueryEngineHost {
    return {
      cfg: this.cfg,
      queryClock: this.queryClock,
      localNode: () => this.ml.localNode(),
      numAliveMembers: () => this.ml.numAliveMembers(),
      tags: () => this.tags,
      members: () => this.members(),
      conflictMember: (name) => {
        const m = this.table.get(name);
        return m ? { ...toSerfMember(m), status: MEMBER_STATUS_CODE[m.status] } : undefined;
      },
      sendTo: (to, payload, now) => this.sendTo(to, payload, now),
      defer: (job) => this.deferred.push(job),
      broadcast: (raw) => this.queryQueue.queue(raw),
      emit: (e) => this.emit(e),
      lose: (reason) => {
        this.shutdown();
        this.emit({ kind: 'shutdown', reason });
      },
      log: (l, m) => this.log(l, m),
    };
  }

  // --- intents -----------------------------------------------------------------------------------

  private handleLeaveIntent(msg: LeaveMessage, now: number): boolean {
    this.clock.witness(msg.ltime);
    return this.table.handleLeaveIntent(msg, now);
  }

  private handleJoinIntent(msg: JoinMessage, now: number): boolean {
    this.clock.witness(msg.ltime);
    return this.table.handleJoinIntent(msg, now);
  }

  /** Announce (or re-announce, to refute an old leave) our join at `ltime`. */
  private broadcastJoin(ltime: number, now: number): void {
    const msg: JoinMessage = { type: 'join', ltime, node: this.cfg.nodeName };
    this.clock.witness(ltime);
    this.table.handleJoinIntent(msg, now);
    this.intentQueue.queue(encodeSerfMessage(msg));
  }

  // --- background work ---------------------------------------------------------------------------

  private reconnect(now: number): void {
    const mem = pickReconnectTarget(this.table, this.cfg.rng, (l, m) => this.log(l, m));
    if (!mem) return;
    this.log('info', `serf: attempting reconnect to ${mem.name} ${mem.addr}:${mem.port}`);
    const id = this.ml.join([{ addr: mem.addr, port: mem.port }], now);
    this.pendingJoins.set(id, { kind: 'reconnect' });
  }

  /** Rejoin through the snapshot's members one at a time until one answers. */
  private rejoinNext(now: number): void {
    const prev = this.rejoinCandidates.shift();
    if (!prev) return;
    this.log('info', `serf: Attempting re-join to previously known node: ${prev.name}: ${prev.addr}:${prev.port}`);
    const id = this.ml.join([{ addr: prev.addr, port: prev.port }], now);
    this.pendingJoins.set(id, { kind: 'rejoin' });
  }

  private checkQueueDepths(): void {
    const queues = [
      ['Intent', this.intentQueue],
      ['Event', this.eventQueue],
      ['Query', this.queryQueue],
    ] as const;
    checkQueueDepths(queues, this.cfg, this.table.members.size, (l, m) => this.log(l, m));
  }

  // --- plumbing ----------------------------------------------------------------------------------

  private ignoringOldEvents(): boolean {
    for (const j of this.pendingJoins.values()) if (j.kind === 'user' && j.ignoreOld) return true;
    return false;
  }

  /** Send a serf payload to one node; to ourselves it is handled locally instead of looped back. */
  private sendTo(to: Address, payload: Uint8Array, now: number): void {
    const local = this.ml.localNode();
    if (to.addr === local.addr && to.port === local.port) {
      this.deferred.push(() => this.notifyMsg(payload, now));
      return;
    }
    this.deferred.push(() => this.ml.sendUser(to, payload));
  }

  /** Run deferred work and the leave steps, and collect memberlist's outputs, until quiet. */
  private settle(now: number): void {
    do {
      while (this.deferred.length > 0) {
        const job = this.deferred.shift() as () => void;
        job();
      }
      this.advanceLeave(now);
      this.pull(now);
    } while (this.deferred.length > 0);
  }

  private advanceLeave(now: number): void {
    const process = this.leaving;
    if (!process) return;
    for (;;) {
      const step = process.advance(now, this.ml.leaveSent());
      if (step.kind === 'wait') return;
      if (step.kind === 'start-memberlist-leave') {
        this.ml.leave(now);
        continue;
      }
      this.leaving = undefined;
      if (step.error === undefined) {
        if (this.state !== 'shutdown') this.state = 'left';
        this.emit({ kind: 'leaveDone' });
      } else {
        this.emit({ kind: 'leaveDone', error: step.error });
      }
      return;
    }
  }

  /** Move memberlist's outputs to ours, acting on the results of joins we started. */
  private pull(now: number): void {
    for (;;) {
      const outs = this.ml.drainOutputs();
      if (outs.length === 0) return;
      for (const o of outs) {
        this.outputs.push(o);
        if (o.kind === 'joined') this.joinFinished(o.id, o.contacted, now);
      }
    }
  }

  private joinFinished(id: number, contacted: number, now: number): void {
    const pending = this.pendingJoins.get(id);
    if (!pending) return;
    this.pendingJoins.delete(id);
    if (pending.kind === 'user') {
      if (contacted > 0) this.broadcastJoin(this.clock.time(), now);
    } else if (pending.kind === 'rejoin') {
      if (contacted > 0) {
        this.log('info', 'serf: Re-joined to previously known node');
        this.rejoinCandidates = [];
      } else if (this.rejoinCandidates.length > 0) {
        this.rejoinNext(now);
      } else {
        this.log('warn', 'serf: Failed to re-join any previously known node');
      }
    }
  }

  private emit(e: SerfEvent): void {
    this.outputs.push(e);
  }

  private log(level: SerfLogLevel, msg: string): void {
    this.cfg.log?.(level, msg);
  }
}
