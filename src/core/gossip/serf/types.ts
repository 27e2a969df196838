// The serf core's public value types: members, the events it reports, its outputs, and the ports
// it needs from the agent (keyring). Everything here is plain data; serf.ts is the behaviour.
import type { MemberlistOutput } from '../memberlist/types.js';
import type { Tags } from './tags.js';

export type MemberStatus = 'none' | 'alive' | 'leaving' | 'left' | 'failed';

/** serf's MemberStatus numbering, used where a status goes on the wire (conflict answers). */
export const MEMBER_STATUS_CODE: Readonly<Record<MemberStatus, number>> = {
  none: 0,
  alive: 1,
  leaving: 2,
  left: 3,
  failed: 4,
};

/** serf's Member. */
export interface SerfMember {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly tags: Tags;
  readonly status: MemberStatus;
  readonly protocolMin: number;
  readonly protocolMax: number;
  readonly protocolCur: number;
  readonly delegateMin: number;
  readonly delegateMax: number;
  readonly delegateCur: number;
}

/** The Serf instance's own lifecycle (serf's SerfState). */
export type SerfState = 'alive' | 'leaving' | 'left' | 'shutdown';

export type MemberEventType = 'member-join' | 'member-leave' | 'member-failed' | 'member-update' | 'member-reap';

export interface MemberEvent {
  readonly kind: 'member';
  readonly type: MemberEventType;
  readonly members: readonly SerfMember[];
}

export interface UserEvent {
  readonly kind: 'user';
  readonly ltime: number;
  readonly name: string;
  readonly payload: Uint8Array;
  readonly coalesce: boolean;
}

/** A query for the application; answer it with Serf.respond(event, payload, now) by `deadline`. */
export interface QueryEvent {
  readonly kind: 'query';
  readonly ltime: number;
  readonly name: string;
  readonly payload: Uint8Array;
  readonly id: number;
  /** The querier's memberlist address; responses go straight there. */
  readonly addr: string;
  readonly port: number;
  readonly sourceNode: string;
  /** `now` (ms) after which a response is refused. */
  readonly deadline: number;
  readonly relayFactor: number;
}

/** A response to a query this node started with Serf.query(). */
export interface QueryResponseEvent {
  readonly kind: 'queryResponse';
  readonly queryId: number;
  readonly from: string;
  readonly payload: Uint8Array;
}

/** A delivery ack (the query asked for acks) to a query this node started. */
export interface QueryAckEvent {
  readonly kind: 'queryAck';
  readonly queryId: number;
  readonly from: string;
}

/** A query this node started has timed out: no more acks or responses will be reported. */
export interface QueryDoneEvent {
  readonly kind: 'queryDone';
  readonly queryId: number;
}

export type KeyOperation = 'install' | 'use' | 'remove' | 'list';

/** serf's KeyResponse, aggregated over the nodes that answered a key query. */
export interface KeyResponse {
  /** Node name -> error or warning text. */
  readonly messages: Readonly<Record<string, string>>;
  /** Live members memberlist knew when the query started. */
  readonly numNodes: number;
  readonly numResp: number;
  readonly numErr: number;
  /** Base64 key -> how many nodes have it installed (list only). */
  readonly keys: Readonly<Record<string, number>>;
  /** Base64 primary key -> how many nodes use it (list only; "" counts nodes that sent none). */
  readonly primaryKeys: Readonly<Record<string, number>>;
}

/** The outcome of installKey/useKey/removeKey/listKeys, reported once every node answered or the query timed out. */
export interface KeyResultEvent {
  readonly kind: 'keyResult';
  readonly queryId: number;
  readonly op: KeyOperation;
  readonly response: KeyResponse;
  /** serf's error ("2/3 nodes reported failure", "1/3 nodes reported success"), if any. */
  readonly error?: string;
}

/** leave() finished: memberlist has sent its leave and the propagate delay passed (or it failed). */
export interface LeaveDoneEvent {
  readonly kind: 'leaveDone';
  readonly error?: string;
}

/**
 * This node refuted a notice that it was suspect, dead (memberlist) or leaving (serf, a
 * force-leave): the others lost sight of it for a while. Not a serf event; the agent uses it to
 * re-check the catalog, which the leader may have changed meanwhile.
 */
export interface RefutedEvent {
  readonly kind: 'refuted';
  readonly accusation: 'suspect' | 'dead' | 'leave';
}

/** The core shut itself down (lost a name conflict vote); the driver should stop it. */
export interface ShutdownEvent {
  readonly kind: 'shutdown';
  readonly reason: string;
}

export type SerfEvent =
  | MemberEvent
  | UserEvent
  | QueryEvent
  | QueryResponseEvent
  | QueryAckEvent
  | QueryDoneEvent
  | KeyResultEvent
  | LeaveDoneEvent
  | RefutedEvent
  | ShutdownEvent;

/** What Serf.drainOutputs() hands the driver: memberlist's network work plus serf's events. */
export type SerfOutput = MemberlistOutput | SerfEvent;

/** Query options (serf's QueryParam); timeoutMs 0/absent = serf's default query timeout. */
export interface QueryParams {
  readonly filterNodes?: readonly string[];
  /** Tag name -> regular expression (RE2 syntax as in Go; matched unanchored). */
  readonly filterTags?: Readonly<Record<string, string>>;
  readonly requestAck?: boolean;
  readonly relayFactor?: number;
  readonly timeoutMs?: number;
}

/**
 * The encryption keyring the `_serf_*-key` queries act on (memberlist's Keyring). Methods throw
 * Error with memberlist's texts ("key size must be 16, 24 or 32 bytes", "Requested key is not in
 * the keyring", "Removing the primary key is not allowed"); those texts go back to the querier.
 */
export interface KeyringPort {
  keys(): Uint8Array[];
  primaryKey(): Uint8Array | undefined;
  install(key: Uint8Array): void;
  use(key: Uint8Array): void;
  remove(key: Uint8Array): void;
}

/** A member remembered in a snapshot, to rejoin through after a restart. */
export interface PreviousNode {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
}

/**
 * What the agent persists (serf's snapshot): the member clock minus one, the last user event and
 * query times seen, and the alive members. Passing it back as `previous` resumes the clocks, skips
 * events already seen and rejoins through the alive members.
 */
export interface SerfSnapshotState {
  readonly clock: number;
  readonly eventClock: number;
  readonly queryClock: number;
  readonly alive: readonly PreviousNode[];
}

/** Errors cross the Serf API as values carrying serf's message texts. */
export type SerfResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export type SerfLogLevel = 'debug' | 'info' | 'warn' | 'error';
