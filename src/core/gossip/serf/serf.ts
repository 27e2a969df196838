// The serf core (hashicorp/serf's Serf) on top of a memberlist core: member states ordered by
// Lamport intents, user events, queries (with internal key and conflict queries), reaping,
// reconnecting and graceful leave. Pure like memberlist: time comes in as `now`, randomness from
// the configured Rng, and all network work leaves through drainOutputs().
// This class is the facade and the glue: its parts live beside it, each pure and small:
// member-table.ts (member states from intents), user-events.ts (event clock, ring, queue),
// query-engine.ts (queries, key and conflict queries), joins.ts (joins, reconnects, snapshot
// rejoin), push-pull-state.ts (serf's push/pull payload), message-dispatch.ts (incoming gossip),
// maintenance.ts (housekeeping tickers and decisions), leave-process.ts (graceful leave).
// MUST: Serf is memberlist's delegate; memberlist calls back into it synchronously, so anything
//       that calls memberlist from inside a callback (sending an ack or answer, refuting a leave)
//       is deferred to settle(), which runs after the memberlist call returns (Go uses goroutines).
// MUST: every public entry point that takes `now` ends with settle(now).
import { CoordinateTracker } from './coordinate.js';
import { type Address, NodeStateKind, type PacketMessage, type StreamMessage } from '../memberlist/messages.js';
import type { MemberNode, MemberlistCore, MemberlistDelegate } from '../memberlist/types.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { encodeSerfMessage } from './codec.js';
import { type ResolvedSerfConfig, type SerfConfig, resolveSerfConfig } from './config.js';
import { Joins } from './joins.js';
import { LamportClock } from './lamport.js';
import { LeaveProcess } from './leave-process.js';
import { HousekeepingSchedule, checkQueueDepths, pickReconnectTarget } from './maintenance.js';
import { MemberTable, nodeToMember, toSerfMember } from './member-table.js';
import { dispatchSerfMessage } from './message-dispatch.js';
import { type JoinMessage, type LeaveMessage } from './messages.js';
import { encodeLocalState, mergeRemoteState } from './push-pull-state.js';
import { QueryEngine, type QueryEngineHost } from './query-engine.js';
import { META_MAX_SIZE, type Tags, encodeTags } from './tags.js';
import {
  type KeyOperation,
  MEMBER_STATUS_CODE,
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
import { UserEvents } from './user-events.js';

const ok: SerfResult<void> = { ok: true, value: undefined };
const fail = <T>(error: string): SerfResult<T> => ({ ok: false, error });

export class Serf implements MemberlistDelegate {
  private readonly cfg: ResolvedSerfConfig;
  private readonly ml: MemberlistCore;
  private readonly clock = new LamportClock();
  private readonly queryClock = new LamportClock();
  private readonly table: MemberTable;
  private readonly intentQueue: BroadcastQueue;
  private readonly queryQueue: BroadcastQueue;
  private readonly events: UserEvents;
  private readonly queryEngine: QueryEngine;
  private readonly joins: Joins;
  private readonly schedule: HousekeepingSchedule;
  private tags: Tags;
  private state: SerfState = 'alive';
  private outputs: SerfOutput[] = [];
  private deferred: (() => void)[] = [];
  private leaving: LeaveProcess | undefined;
  /** The last `now` seen, for memberlist callbacks that carry none (notifyConflict). */
  private now = 0;
  /** Vivaldi network coordinates, carried in ping acks (serf's ping delegate). */
  readonly coordinates: CoordinateTracker;

  constructor(config: SerfConfig, createMemberlist: (delegate: MemberlistDelegate) => MemberlistCore) {
    this.cfg = resolveSerfConfig(config);
    this.tags = { ...this.cfg.tags };
    this.coordinates = new CoordinateTracker(this.cfg.nodeName, (l, m) => this.log(l, m));
    const numNodes = (): number => this.table.members.size;
    const prev = this.cfg.previous;
    this.intentQueue = new BroadcastQueue(this.cfg.retransmitMult, numNodes);
    this.queryQueue = new BroadcastQueue(this.cfg.retransmitMult, numNodes);
    this.events = new UserEvents(
      { emit: (e) => this.emit(e), log: (l, m) => this.log(l, m) },
      {
        sizeLimit: this.cfg.userEventSizeLimit,
        eventBuffer: this.cfg.eventBuffer,
        retransmitMult: this.cfg.retransmitMult,
        numNodes,
        ...(prev ? { previousEventClock: prev.eventClock } : {}),
      },
    );
    this.schedule = new HousekeepingSchedule(this.cfg);
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
    this.queryClock.increment();
    // Whatever the snapshot saw was delivered before the restart.
    this.queryEngine = new QueryEngine(this.queryEngineHost(), prev ? prev.queryClock + 1 : 0, prev?.queryClock ?? 0);
    this.joins = new Joins(
      { join: (seeds, now) => this.ml.join(seeds, now), announce: (now) => this.broadcastJoin(this.clock.time(), now), log: (l, m) => this.log(l, m) },
      (prev?.alive ?? []).filter((p) => p.name !== this.cfg.nodeName),
    );
    if (prev) {
      this.clock.witness(prev.clock);
      this.queryClock.witness(prev.queryClock);
    }
    // Last: memberlist may call back into us (nodeMeta, notifyJoin for itself) while it is built.
    this.ml = createMemberlist(this);
  }

  // --- driving ---------------------------------------------------------------------------------

  /** Run serf's and memberlist's due work: reap, reconnect, queue checks, query timeouts, leave. */
  tick(now: number): void {
    this.now = now;
    if (this.state === 'shutdown') return;
    const due = this.schedule.due(now);
    if (due.start) this.joins.rejoinNext(now);
    if (due.reap) {
      this.table.reap(now);
      this.coordinates.retain((name) => this.table.members.has(name));
    }
    this.table.runDuePrunes(now);
    if (due.reconnect) this.reconnect(now);
    if (due.queueCheck) this.checkQueueDepths();
    this.queryEngine.expire(now);
    this.ml.tick(now);
    this.settle(now);
  }

  /** The earliest `now` at which tick() has work (0 before the first tick). */
  nextDeadline(): number {
    if (this.state === 'shutdown') return Infinity;
    const housekeeping = this.schedule.nextDeadline();
    if (housekeeping === 0) return 0;
    return Math.min(
      this.ml.nextDeadline(),
      housekeeping,
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
    const id = this.joins.user(seeds, ignoreOld, now);
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

  /** serf's Stats(). */
  stats(): Record<string, string> {
    return {
      members: String(this.table.members.size),
      failed: String(this.table.failed.length),
      left: String(this.table.left.length),
      health_score: String(this.ml.healthScore()),
      member_time: String(this.clock.time()),
      event_time: String(this.events.clock.time()),
      query_time: String(this.queryClock.time()),
      intent_queue: String(this.intentQueue.numQueued()),
      event_queue: String(this.events.queue.numQueued()),
      query_queue: String(this.queryQueue.numQueued()),
      encrypted: String(this.cfg.keyring !== undefined),
      coordinate_resets: String(this.coordinates.resets),
    };
  }

  /** What the agent persists to resume after a restart (serf's snapshot). */
  snapshotState(): SerfSnapshotState {
    const alive = [...this.table.members.values()]
      .filter((m) => m.status === 'alive' && m.name !== this.cfg.nodeName)
      .map((m) => ({ name: m.name, addr: m.addr, port: m.port }));
    return {
      clock: Math.max(0, this.clock.time() - 1),
      eventClock: this.events.lastLTime,
      queryClock: this.queryEngine.lastLTime,
      alive,
    };
  }

  // --- user events -------------------------------------------------------------------------------

  userEvent(name: string, payload: Uint8Array, coalesce: boolean, now: number): SerfResult<void> {
    this.now = now;
    const r = this.events.fire(name, payload, coalesce);
    this.settle(now);
    return r;
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

  ackPayload(): Uint8Array {
    return this.coordinates.ackPayload();
  }

  notifyPingComplete(node: MemberNode, rttMs: number, payload: Uint8Array): void {
    this.coordinates.pingComplete(node.name, rttMs, payload);
  }

  notifyMsg(payload: Uint8Array, now: number): void {
    this.now = now;
    const via = dispatchSerfMessage(payload, {
      leaveIntent: (msg) => this.handleLeaveIntent(msg, now),
      joinIntent: (msg) => this.handleJoinIntent(msg, now),
      userEvent: (msg) => this.events.handle(msg),
      query: (msg) => this.queryEngine.handleQuery(msg, now),
      queryResponse: (msg) => this.queryEngine.handleResponse(msg, now),
      relay: (to, inner) => this.sendTo(to, inner, now),
      log: (l, m) => this.log(l, m),
    });
    const queue = via === 'intent' ? this.intentQueue : via === 'event' ? this.events.queue : via === 'query' ? this.queryQueue : undefined;
    queue?.queue(payload.slice());
  }

  getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    const out = this.intentQueue.getBroadcasts(overhead, limit);
    let used = out.reduce((n, m) => n + m.length + overhead, 0);
    const queries = this.queryQueue.getBroadcasts(overhead, limit - used);
    used += queries.reduce((n, m) => n + m.length + overhead, 0);
    const events = this.events.queue.getBroadcasts(overhead, limit - used);
    return [...out, ...queries, ...events];
  }

  localState(_join: boolean): Uint8Array {
    return encodeLocalState({ clock: this.clock, queryClock: this.queryClock, table: this.table, events: this.events });
  }

  mergeRemoteState(state: Uint8Array, join: boolean, now: number): void {
    this.now = now;
    mergeRemoteState(state, join, now, {
      clock: this.clock,
      queryClock: this.queryClock,
      table: this.table,
      events: this.events,
      handleLeaveIntent: (msg, at) => this.handleLeaveIntent(msg, at),
      handleJoinIntent: (msg, at) => this.handleJoinIntent(msg, at),
      ignoringOldEvents: () => this.joins.ignoringOldEvents(),
      log: (l, m) => this.log(l, m),
    });
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
    if (mem) this.joins.reconnect(mem, now);
  }

  private checkQueueDepths(): void {
    const queues = [
      ['Intent', this.intentQueue],
      ['Event', this.events.queue],
      ['Query', this.queryQueue],
    ] as const;
    checkQueueDepths(queues, this.cfg, this.table.members.size, (l, m) => this.log(l, m));
  }

  // --- plumbing ----------------------------------------------------------------------------------

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
        if (o.kind === 'joined') this.joins.finished(o.id, o.contacted, now);
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
