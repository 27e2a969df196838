// Serf's query side: starting queries (the application's, key operations, the name conflict vote),
// receiving them (dedupe, filter, ack, deliver or answer internally), answering with optional
// relays, and collecting acks and responses for the queries we started.
// MUST: a response or ack goes straight to the querier's address by UDP (Serf sends it through
//       the host, which defers it past the current memberlist callback).
// MUST: one answer per query event; none after its deadline; every size limit with serf's text.
import type { Address } from '../memberlist/messages.js';
import type { MemberNode } from '../memberlist/types.js';
import { Base64Error, decodeStdBase64 } from './base64.js';
import { encodeKeyRequest, encodeNodeFilter, encodeSerfMessage, encodeTagFilter } from './codec.js';
import type { ResolvedSerfConfig } from './config.js';
import { CONFLICT_QUERY_NAME, ConflictVote } from './conflict-resolution.js';
import { QueryRing } from './dedupe-rings.js';
import { createQueryResponse, handleInternalQuery, isInternalQuery, type InternalQueryContext } from './internal-queries.js';
import { KEY_QUERY_NAMES, KeyResponseCollector } from './key-manager.js';
import type { LamportClock } from './lamport.js';
import {
  type ConflictMember,
  QUERY_FLAG_ACK,
  QUERY_FLAG_NO_BROADCAST,
  type QueryMessage,
  type QueryResponseMessage,
} from './messages.js';
import { shouldProcessQuery } from './query-filters.js';
import { type QueryOwner, QueryRegistry } from './query-registry.js';
import { kRandomMembers } from './relay.js';
import type { Tags } from './tags.js';
import type {
  KeyOperation,
  QueryEvent,
  QueryParams,
  SerfEvent,
  SerfLogLevel,
  SerfMember,
  SerfResult,
} from './types.js';

/** What the query engine needs from the Serf around it. */
export interface QueryEngineHost {
  readonly cfg: ResolvedSerfConfig;
  readonly queryClock: LamportClock;
  localNode(): MemberNode;
  numAliveMembers(): number;
  tags(): Tags;
  members(): SerfMember[];
  conflictMember(name: string): ConflictMember | undefined;
  /** Send a serf payload to one node (deferred past the current memberlist callback). */
  sendTo(to: Address, payload: Uint8Array, now: number): void;
  /** Run after the current memberlist callback returns. */
  defer(job: () => void): void;
  /** Queue a query for gossip. */
  broadcast(raw: Uint8Array): void;
  emit(e: SerfEvent): void;
  /** We lost the name conflict vote. */
  lose(reason: string): void;
  log(level: SerfLogLevel, msg: string): void;
}

const fail = <T>(error: string): SerfResult<T> => ({ ok: false, error });

export class QueryEngine {
  private readonly ring: QueryRing;
  private readonly registry: QueryRegistry;
  /** Query events answered already (serf clears the Query's deadline instead). */
  private readonly responded = new WeakSet<QueryEvent>();
  private conflictVoteRunning = false;
  /** The newest query LTime seen, for the snapshot. */
  lastLTime: number;

  constructor(
    private readonly host: QueryEngineHost,
    /** Queries below this LTime were seen before a restart. */
    minTime: number,
    lastLTime: number,
  ) {
    this.ring = new QueryRing(host.cfg.queryBuffer);
    this.ring.minTime = minTime;
    this.lastLTime = lastLTime;
    this.registry = new QueryRegistry((l, m) => host.log(l, m));
  }

  /** serf's DefaultQueryTimeout: GossipInterval * QueryTimeoutMult * ceil(log10(n + 1)). */
  defaultTimeoutMs(): number {
    const n = this.host.numAliveMembers();
    return this.host.cfg.gossipIntervalMs * this.host.cfg.queryTimeoutMult * Math.ceil(Math.log10(n + 1));
  }

  expire(now: number): void {
    this.registry.expire(now);
  }

  nextDeadline(): number {
    return this.registry.nextDeadline();
  }

  /** The application's query: acks, responses and the end are reported as events. */
  appQuery(name: string, payload: Uint8Array, params: QueryParams, now: number): SerfResult<number> {
    let queryId = 0;
    const r = this.start(name, payload, params, now, {
      onAck: (from) => this.host.emit({ kind: 'queryAck', queryId, from }),
      onResponse: (from, p) => this.host.emit({ kind: 'queryResponse', queryId, from, payload: p }),
      onDone: () => this.host.emit({ kind: 'queryDone', queryId }),
    });
    if (r.ok) queryId = r.value;
    return r;
  }

  /** A key operation (serf's KeyManager); a 'keyResult' event with the same queryId reports it. */
  keyOperation(op: KeyOperation, keyBase64: string, now: number, relayFactor: number): SerfResult<number> {
    let key: Uint8Array;
    try {
      key = decodeStdBase64(keyBase64);
    } catch (e) {
      return fail(e instanceof Base64Error ? e.message : String(e));
    }
    const collector = new KeyResponseCollector(
      op,
      this.host.numAliveMembers(),
      (e) => this.host.emit(e),
      (l, m) => this.host.log(l, m),
    );
    const r = this.start(KEY_QUERY_NAMES[op], encodeKeyRequest({ key }), { relayFactor }, now, collector);
    // Our own answer is deferred, so the collector knows its id before any answer arrives.
    if (r.ok) collector.queryId = r.value;
    return r;
  }

  /** Ask the cluster which address it knows for our name; shut down if most say another one. */
  startConflictVote(now: number): void {
    if (this.conflictVoteRunning) return;
    this.conflictVoteRunning = true;
    const local = this.host.localNode();
    const vote = new ConflictVote(
      { addr: local.addr, port: local.port },
      (reason) => this.host.lose(reason),
      (l, m) => this.host.log(l, m),
    );
    const owner: QueryOwner = {
      onAck: () => {},
      onResponse: (from, payload) => vote.onResponse(from, payload),
      onDone: () => {
        this.conflictVoteRunning = false;
        vote.onDone();
      },
    };
    const r = this.start(CONFLICT_QUERY_NAME, new TextEncoder().encode(this.host.cfg.nodeName), {}, now, owner);
    if (!r.ok) {
      this.conflictVoteRunning = false;
      this.host.log('error', `serf: Failed to start name resolution query: ${r.error}`);
    }
  }

  private start(name: string, payload: Uint8Array, params: QueryParams, now: number, owner: QueryOwner): SerfResult<number> {
    const cfg = this.host.cfg;
    if (cfg.protocolVersion < 4) return fail('Feature not supported');
    const timeoutMs = params.timeoutMs ? params.timeoutMs : this.defaultTimeoutMs();
    const filters: Uint8Array[] = [];
    if (params.filterNodes && params.filterNodes.length > 0) filters.push(encodeNodeFilter(params.filterNodes));
    for (const [tag, expr] of Object.entries(params.filterTags ?? {})) filters.push(encodeTagFilter(tag, expr));
    const local = this.host.localNode();
    const q: QueryMessage = {
      type: 'query',
      // Not incremented here: handling our own query witnesses this time, which moves the clock.
      ltime: this.host.queryClock.time(),
      id: cfg.rng.int(0x80000000),
      addr: local.addr,
      port: local.port,
      sourceNode: local.name,
      filters,
      flags: params.requestAck ? QUERY_FLAG_ACK : 0,
      relayFactor: params.relayFactor ?? 0,
      timeoutMs,
      name,
      payload,
    };
    const raw = encodeSerfMessage(q);
    if (raw.length > cfg.querySizeLimit) return fail(`query exceeds limit of ${cfg.querySizeLimit} bytes`);
    this.registry.register(q.ltime, q.id, now + timeoutMs, params.requestAck === true, owner);
    this.handleQuery(q, now);
    this.host.broadcast(raw);
    return { ok: true, value: q.id };
  }

  /** A query arrived (or we started one): dedupe, filter, ack, deliver. Returns "rebroadcast?". */
  handleQuery(q: QueryMessage, now: number): boolean {
    const clock = this.host.queryClock;
    clock.witness(q.ltime);
    const admission = this.ring.admit(q.ltime, q.id, clock.time());
    if (admission === 'too-old') {
      this.host.log('warn', `serf: received old query ${q.name} from time ${q.ltime} (current: ${clock.time()})`);
    }
    if (admission !== 'new') return false;
    this.lastLTime = Math.max(this.lastLTime, q.ltime);
    const rebroadcast = (q.flags & QUERY_FLAG_NO_BROADCAST) === 0;
    const nodeName = this.host.cfg.nodeName;
    // Not for us, but new: still pass it on.
    if (!shouldProcessQuery(q.filters, nodeName, this.host.tags(), (l, m) => this.host.log(l, m))) return rebroadcast;
    const querier = { addr: q.addr, port: q.port };
    if ((q.flags & QUERY_FLAG_ACK) !== 0) {
      const ack: QueryResponseMessage = {
        type: 'queryResponse',
        ltime: q.ltime,
        id: q.id,
        from: nodeName,
        flags: QUERY_FLAG_ACK,
        payload: new Uint8Array(0),
      };
      this.host.sendTo(querier, encodeSerfMessage(ack), now);
      const err = this.relay(q.relayFactor, querier, q.sourceNode, ack, now);
      if (err !== undefined) this.host.log('error', `serf: failed to relay ack: ${err}`);
    }
    const event: QueryEvent = {
      kind: 'query',
      ltime: q.ltime,
      name: q.name,
      payload: q.payload,
      id: q.id,
      addr: q.addr,
      port: q.port,
      sourceNode: q.sourceNode,
      deadline: now + q.timeoutMs,
      relayFactor: q.relayFactor,
    };
    if (isInternalQuery(q.name)) this.host.defer(() => handleInternalQuery(event, this.internalContext(), now));
    else this.host.emit(event);
    return rebroadcast;
  }

  handleResponse(resp: QueryResponseMessage, now: number): void {
    this.registry.handleResponse(resp, now);
  }

  /** serf's Query.Respond, with its error texts. */
  respond(q: QueryEvent, payload: Uint8Array, now: number): SerfResult<void> {
    const resp = createQueryResponse(q, this.host.cfg.nodeName, payload);
    const err = this.sendResponse(q, encodeSerfMessage(resp), resp, now);
    return err === undefined ? { ok: true, value: undefined } : fail(`failed to respond to key query: ${err}`);
  }

  /** serf's respondWithMessageAndResponse; returns an error text. */
  private sendResponse(q: QueryEvent, raw: Uint8Array, resp: QueryResponseMessage, now: number): string | undefined {
    const limit = this.host.cfg.queryResponseSizeLimit;
    if (raw.length > limit) return `response exceeds limit of ${limit} bytes`;
    if (this.responded.has(q)) return 'response already sent';
    if (now > q.deadline) return 'response is past the deadline';
    const querier = { addr: q.addr, port: q.port };
    this.host.sendTo(querier, raw, now);
    const err = this.relay(q.relayFactor, querier, q.sourceNode, resp, now);
    if (err !== undefined) return err;
    this.responded.add(q);
    return undefined;
  }

  /** Send copies of a response through up to relayFactor other members (serf's relayResponse). */
  private relay(relayFactor: number, dest: Address, destName: string, resp: QueryResponseMessage, now: number): string | undefined {
    if (relayFactor === 0) return undefined;
    const members = this.host.members();
    // Only worth it with at least relayFactor *other* members.
    if (members.length < relayFactor + 1) return undefined;
    const raw = encodeSerfMessage({
      type: 'relay',
      destAddr: dest.addr,
      destPort: dest.port,
      destZone: '',
      destName,
      inner: encodeSerfMessage(resp),
    });
    const limit = this.host.cfg.queryResponseSizeLimit;
    if (raw.length > limit) return `relayed response exceeds limit of ${limit} bytes`;
    const self = this.host.cfg.nodeName;
    const relays = kRandomMembers(
      relayFactor,
      members,
      this.host.cfg.rng,
      (m) => m.status !== 'alive' || m.protocolMax < 5 || m.name === self,
    );
    for (const m of relays) this.host.sendTo({ addr: m.addr, port: m.port }, raw, now);
    return undefined;
  }

  private internalContext(): InternalQueryContext {
    return {
      nodeName: this.host.cfg.nodeName,
      keyring: this.host.cfg.keyring,
      queryResponseSizeLimit: this.host.cfg.queryResponseSizeLimit,
      conflictMember: (name) => this.host.conflictMember(name),
      sendResponse: (q, raw, resp, now) => this.sendResponse(q, raw, resp, now),
      log: (l, m) => this.host.log(l, m),
    };
  }
}
