// User events (Consul: agent/user_event.go, serf's UserEvent and handleUserEvent).
//
// fire() validates and stamps an event (UUID, Version 1) and broadcasts it as a serf user event;
// serf delivers it here too, like on every other agent, and receive() takes it: the Lamport clock
// witnesses it, duplicates are dropped, the node/service/tag filters are evaluated on receipt
// against this node's name and its own services, and a passing event enters the ring of the last
// 256. Without gossip (unit tests) fire() hands the event to receive() directly.
//
// MUST: the size rule is serf's: "consul:event:"+name plus the msgpack-encoded event must fit the
//       512-byte user event limit before encoding, and the encoded serf message must fit it after.
// MUST: list() is oldest first; its blocking index is derived from the last event's ID (not ordered).
import { randomUUID } from 'node:crypto';
import { asBytes, asMap, asString, asUint, decodeExact, encode, type GoValue } from '../gossip/wire/msgpack.js';
import { encodeSerfMessage } from '../gossip/serf/codec.js';
import { HttpError } from '../errors.js';
import type { Logger } from '../support/logger.js';
import type { UserEvent } from '../structs/event.js';

export type { UserEvent };

export interface FireParams {
  name: string;
  payload?: Uint8Array;
  nodeFilter?: string;
  serviceFilter?: string;
  tagFilter?: string;
}

/** Consul: userEventMaxVersion; serf's default UserEventSizeLimit; the agent's event ring. */
export const USER_EVENT_VERSION = 1;
export const USER_EVENT_SIZE_LIMIT = 512;
export const EVENT_RING_SIZE = 256;
/** Consul prefixes user events on the serf layer (agent/consul: userEventName). */
const SERF_EVENT_PREFIX = 'consul:event:';

/** A Lamport clock as serf's: starts at 1; time() is the next stamp; witness() moves past a seen one. */
export class LamportClock {
  private t = 1;
  time(): number {
    return this.t;
  }
  witness(v: number): void {
    if (v >= this.t) this.t = v + 1;
  }
}

export interface UserEventsOptions {
  nodeName: () => string;
  /** This agent's services (ID and tags), for the service and tag filters. */
  localServices: () => Iterable<{ ID: string; Tags: readonly string[] | null }>;
  logger: Logger;
  /**
   * Consul: ingestUserEvent's special case. A `_rexec` event that passes the filters goes here
   * instead of into the ring (it is never listed or watched).
   */
  onRemoteExec?: (event: UserEvent) => void;
}

/** A serf user event, if it is one of Consul's (`consul:event:<name>`); undefined otherwise or if malformed. */
export function decodeGossipEvent(serfName: string, payload: Uint8Array, ltime: number): UserEvent | undefined {
  if (!serfName.startsWith(SERF_EVENT_PREFIX)) return undefined;
  try {
    const m = asMap(decodeExact(payload), 'user event');
    const p = asBytes(m.p as GoValue | undefined, 'p');
    return {
      ID: asString(m.ID, 'ID'),
      Name: asString(m.n, 'n'),
      Payload: p.length > 0 ? Buffer.from(p).toString('base64') : null,
      NodeFilter: asString(m.nf, 'nf'),
      ServiceFilter: asString(m.sf, 'sf'),
      TagFilter: asString(m.tf, 'tf'),
      Version: asUint(m.v, 'v'),
      LTime: ltime,
    };
  } catch {
    return undefined;
  }
}

/** Consul's msgpack UserEvent (codec tags ID, n, p, nf, sf, tf, v; empty fields omitted). */
export function encodeGossipEvent(e: UserEvent): Uint8Array {
  const body: Record<string, string | number | Uint8Array | undefined> = {
    ID: e.ID,
    n: e.Name,
    p: e.Payload ? new Uint8Array(Buffer.from(e.Payload, 'base64')) : undefined,
    nf: e.NodeFilter || undefined,
    sf: e.ServiceFilter || undefined,
    tf: e.TagFilter || undefined,
    v: e.Version,
  };
  return encode(body);
}

/** Consul: remoteExecName, the internal event `consul exec` fires. */
export const REMOTE_EXEC_EVENT_NAME = '_rexec';

export class UserEvents {
  private readonly ring: (UserEvent | undefined)[] = new Array<UserEvent | undefined>(EVENT_RING_SIZE);
  private next = 0;
  private readonly clock = new LamportClock();
  private readonly waiters = new Set<() => void>();
  /** IDs of recent `_rexec` events (they are not in the ring), to drop duplicates. */
  private readonly rexecSeen: string[] = [];

  private broadcast: ((serfName: string, payload: Uint8Array) => void) | undefined;

  constructor(private readonly o: UserEventsOptions) {}

  /**
   * Once gossip runs, a fired event goes out as a serf user event (`consul:event:<name>`) and
   * comes back to receive() through serf's own delivery, like every other agent's.
   */
  setBroadcast(fn: (serfName: string, payload: Uint8Array) => void): void {
    this.broadcast = fn;
  }

  /** Fire an event from this agent; returns it as Consul's fire endpoint answers (LTime 0). */
  fire(p: FireParams): UserEvent {
    validate(p);
    const payload = p.payload && p.payload.length > 0 ? Buffer.from(p.payload) : undefined;
    const event: UserEvent = {
      ID: randomUUID(),
      Name: p.name,
      Payload: payload ? payload.toString('base64') : null,
      NodeFilter: p.nodeFilter ?? '',
      ServiceFilter: p.serviceFilter ?? '',
      TagFilter: p.tagFilter ?? '',
      Version: USER_EVENT_VERSION,
      LTime: 0,
    };
    const ltime = this.clock.time();
    checkSize(event, ltime);
    if (this.broadcast) {
      try {
        this.broadcast(SERF_EVENT_PREFIX + event.Name, encodeGossipEvent(event));
      } catch (err) {
        throw new HttpError(500, (err as Error).message);
      }
    } else this.receive({ ...event, LTime: ltime });
    return event;
  }

  /** An event as it arrives (locally fired now; from gossip later). Returns whether it was kept. */
  receive(event: UserEvent): boolean {
    this.clock.witness(event.LTime);
    if (this.ring.some((e) => e?.ID === event.ID)) return false;
    if (event.Version > USER_EVENT_VERSION) this.o.logger.warn(`Event version may have unsupported features: version=${event.Version} event=${event.Name}`);
    if (this.rexecSeen.includes(event.ID)) return false;
    if (!this.passesFilters(event)) return false;
    if (event.Name === REMOTE_EXEC_EVENT_NAME) {
      this.rexecSeen.push(event.ID);
      if (this.rexecSeen.length > EVENT_RING_SIZE) this.rexecSeen.shift();
      this.o.onRemoteExec?.(event);
      return true;
    }
    this.o.logger.debug(`new event: event_name=${event.Name} event_id=${event.ID}`);
    this.ring[this.next] = event;
    this.next = (this.next + 1) % EVENT_RING_SIZE;
    for (const w of [...this.waiters]) w();
    return true;
  }

  /** The events kept, oldest first. */
  list(): UserEvent[] {
    const out: UserEvent[] = [];
    for (let i = 0; i < EVENT_RING_SIZE; i++) {
      const e = this.ring[(this.next + i) % EVENT_RING_SIZE];
      if (e) out.push(e);
    }
    return out;
  }

  /** Call `fn` once on the next kept event; returns a cancel function. */
  onNextEvent(fn: () => void): () => void {
    const once = (): void => {
      this.waiters.delete(once);
      fn();
    };
    this.waiters.add(once);
    return () => this.waiters.delete(once);
  }

  /** Consul: shouldProcessUserEvent. A filter that does not compile drops the event. */
  private passesFilters(e: UserEvent): boolean {
    const node = compile(e.NodeFilter);
    const svc = compile(e.ServiceFilter);
    const tag = compile(e.TagFilter);
    if (node === null || svc === null || tag === null) {
      this.o.logger.error(`Failed to parse filters of event: event=${e.Name}`);
      return false;
    }
    if (node && !node.test(this.o.nodeName())) return false;
    if (!svc) return true;
    // Consul matches the service filter against the keys of the local services map (service IDs).
    for (const s of this.o.localServices()) {
      if (!svc.test(s.ID)) continue;
      if (!tag || (s.Tags ?? []).some((t) => tag.test(t))) return true;
    }
    return false;
  }
}

/** undefined for an empty filter, null for one that does not compile. */
function compile(re: string): RegExp | undefined | null {
  if (re === '') return undefined;
  try {
    return new RegExp(re);
  } catch {
    return null;
  }
}

/** Consul: validateUserEventParams; its errors reach the HTTP client as 500s. */
function validate(p: FireParams): void {
  if (p.name === '') throw new HttpError(500, 'User event missing name');
  if (p.tagFilter && !p.serviceFilter) throw new HttpError(500, 'Cannot provide tag filter without service filter');
  for (const [what, re] of [['node', p.nodeFilter], ['service', p.serviceFilter], ['tag', p.tagFilter]] as const) {
    if (!re) continue;
    try {
      new RegExp(re);
    } catch (err) {
      throw new HttpError(500, `Invalid ${what} filter: ${(err as Error).message}`);
    }
  }
}

// ---- the serf size rule, on the encodings Consul produces ----

/** Serf's checks, with its messages (serf.UserEvent); the agent answers them with 500. */
export function checkSize(e: UserEvent, ltime: number): void {
  const name = SERF_EVENT_PREFIX + e.Name;
  const payload = encodeGossipEvent(e);
  if (Buffer.byteLength(name) + payload.length > USER_EVENT_SIZE_LIMIT) {
    throw new HttpError(500, `user event exceeds configured limit of ${USER_EVENT_SIZE_LIMIT} bytes before encoding`);
  }
  const raw = encodeSerfMessage({ type: 'userEvent', ltime, name, payload, cc: false });
  if (raw.length > USER_EVENT_SIZE_LIMIT) {
    throw new HttpError(500, `encoded user event exceeds configured limit of ${USER_EVENT_SIZE_LIMIT} bytes after encoding`);
  }
}
