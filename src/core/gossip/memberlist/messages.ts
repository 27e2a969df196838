// The memberlist messages as typed values: the core (memberlist.ts) speaks only these, the wire
// codec (../wire/) turns them into HashiCorp's bytes and back. Field meanings follow memberlist's
// net.go structs; addresses are textual IPs here and 4- or 16-byte strings on the wire.

/** Node states as memberlist numbers them (also the push/pull `State` field). */
export const enum NodeStateKind {
  Alive = 0,
  Suspect = 1,
  Dead = 2,
  Left = 3,
}

/** [protocolMin, protocolMax, protocolCur, delegateMin, delegateMax, delegateCur] */
export type Vsn = readonly [number, number, number, number, number, number];

export interface PingMsg {
  readonly type: 'ping';
  readonly seqNo: number;
  /** The node the sender means to ping; a receiver that is someone else ignores it. */
  readonly node: string;
  readonly sourceAddr?: string;
  readonly sourcePort?: number;
  readonly sourceNode?: string;
}

export interface IndirectPingMsg {
  readonly type: 'indirectPing';
  readonly seqNo: number;
  readonly target: string;
  readonly port: number;
  readonly node: string;
  readonly nack: boolean;
  readonly sourceAddr?: string;
  readonly sourcePort?: number;
  readonly sourceNode?: string;
}

export interface AckMsg {
  readonly type: 'ack';
  readonly seqNo: number;
  /** The ping delegate's payload (serf: a Vivaldi coordinate); may be empty. */
  readonly payload: Uint8Array;
}

export interface NackMsg {
  readonly type: 'nack';
  readonly seqNo: number;
}

export interface SuspectMsg {
  readonly type: 'suspect';
  readonly incarnation: number;
  readonly node: string;
  readonly from: string;
}

export interface AliveMsg {
  readonly type: 'alive';
  readonly incarnation: number;
  readonly node: string;
  readonly addr: string;
  readonly port: number;
  readonly meta: Uint8Array;
  readonly vsn: Vsn;
}

/** Also means "left" when from === node. */
export interface DeadMsg {
  readonly type: 'dead';
  readonly incarnation: number;
  readonly node: string;
  readonly from: string;
}

/** A delegate (serf) message: opaque bytes for memberlist. */
export interface UserMsg {
  readonly type: 'user';
  readonly payload: Uint8Array;
}

/** What UDP packets carry (after unwrapping label, encryption, crc, compress and compound). */
export type PacketMessage = PingMsg | IndirectPingMsg | AckMsg | NackMsg | SuspectMsg | AliveMsg | DeadMsg | UserMsg;

export interface PushNodeState {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly meta: Uint8Array;
  readonly incarnation: number;
  readonly state: NodeStateKind;
  readonly vsn: Vsn;
}

/** A push/pull exchange, both directions: the sender's full view plus the delegate's state. */
export interface PushPullMsg {
  readonly type: 'pushPull';
  readonly join: boolean;
  readonly nodes: readonly PushNodeState[];
  readonly userState: Uint8Array;
}

/** The remote side refused the stream (memberlist's errResp). */
export interface ErrMsg {
  readonly type: 'err';
  readonly error: string;
}

/** What a TCP stream carries as its one logical message (a ping here is the TCP fallback probe). */
export type StreamMessage = PushPullMsg | PingMsg | AckMsg | UserMsg | ErrMsg;

/** An address as memberlist dials it. */
export interface Address {
  readonly addr: string;
  readonly port: number;
}

export function addressKey(a: Address): string {
  return a.addr.includes(':') ? `[${a.addr}]:${a.port}` : `${a.addr}:${a.port}`;
}
