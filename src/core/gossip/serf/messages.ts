// Serf's gossip messages as typed values. On the wire each is one type byte followed by a msgpack
// map whose keys are the Go field names (codec.ts). Addresses inside messages are textual IPs here
// and 4- or 16-byte strings on the wire.

/** The first byte of every serf payload (serf's messageType). */
export const enum SerfMessageType {
  Leave = 0,
  Join = 1,
  PushPull = 2,
  UserEvent = 3,
  Query = 4,
  QueryResponse = 5,
  ConflictResponse = 6,
  KeyRequest = 7,
  KeyResponse = 8,
  Relay = 9,
}

/** Query flag bits (messageQuery.Flags / messageQueryResponse.Flags). */
export const QUERY_FLAG_ACK = 1;
export const QUERY_FLAG_NO_BROADCAST = 2;

/** The first byte of an encoded query filter. */
export const enum FilterType {
  Node = 0,
  Tag = 1,
}

export interface LeaveMessage {
  readonly type: 'leave';
  readonly ltime: number;
  readonly node: string;
  /** Also erase the node from the member list (force-leave -prune). */
  readonly prune: boolean;
}

export interface JoinMessage {
  readonly type: 'join';
  readonly ltime: number;
  readonly node: string;
}

/** One (name, payload) pair the event ring remembers. */
export interface RecentUserEvent {
  readonly name: string;
  readonly payload: Uint8Array;
}

/** All events remembered at one Lamport time (serf's userEvents). */
export interface RecentUserEvents {
  readonly ltime: number;
  readonly events: readonly RecentUserEvent[];
}

/** Serf's memberlist user state for push/pull. */
export interface PushPullMessage {
  readonly type: 'pushPull';
  readonly ltime: number;
  readonly statusLTimes: ReadonlyMap<string, number>;
  readonly leftMembers: readonly string[];
  readonly eventLTime: number;
  /** The event ring as Go sends it: one slot per buffer entry, `null` for an empty slot. */
  readonly events: readonly (RecentUserEvents | null)[];
  readonly queryLTime: number;
}

export interface UserEventMessage {
  readonly type: 'userEvent';
  readonly ltime: number;
  readonly name: string;
  readonly payload: Uint8Array;
  /** "Can coalesce". */
  readonly cc: boolean;
}

export interface QueryMessage {
  readonly type: 'query';
  readonly ltime: number;
  /** Random uint32 chosen by the querier. */
  readonly id: number;
  /** Where responses go: the querier's memberlist address. */
  readonly addr: string;
  readonly port: number;
  readonly sourceNode: string;
  /** Encoded filters (see encodeNodeFilter / encodeTagFilter). */
  readonly filters: readonly Uint8Array[];
  readonly flags: number;
  readonly relayFactor: number;
  /** How long receivers may take to respond, in milliseconds (nanoseconds on the wire). */
  readonly timeoutMs: number;
  readonly name: string;
  readonly payload: Uint8Array;
}

export interface QueryResponseMessage {
  readonly type: 'queryResponse';
  readonly ltime: number;
  readonly id: number;
  readonly from: string;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** A relayed query response: forward `inner` (a complete serf payload) to dest. */
export interface RelayMessage {
  readonly type: 'relay';
  readonly destAddr: string;
  readonly destPort: number;
  readonly destZone: string;
  readonly destName: string;
  readonly inner: Uint8Array;
}

export type SerfMessage =
  | LeaveMessage
  | JoinMessage
  | PushPullMessage
  | UserEventMessage
  | QueryMessage
  | QueryResponseMessage
  | RelayMessage;

/** Payload of the `_serf_*-key` queries (serf's keyRequest), behind a KeyRequest type byte. */
export interface KeyRequest {
  readonly key: Uint8Array;
}

/** One node's answer to a key query (serf's nodeKeyResponse), behind a KeyResponse type byte. */
export interface NodeKeyResponse {
  readonly result: boolean;
  readonly message: string;
  /** Base64 keys (list-keys only). */
  readonly keys: readonly string[];
  readonly primaryKey: string;
}

/** A serf Member record as `_serf_conflict` answers carry it (behind a ConflictResponse byte). */
export interface ConflictMember {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly status: number;
  readonly protocolMin: number;
  readonly protocolMax: number;
  readonly protocolCur: number;
  readonly delegateMin: number;
  readonly delegateMax: number;
  readonly delegateCur: number;
}
