// The seams of the memberlist core. The core is a pure state machine like the Raft core: no
// sockets, no timers, no clock. Time comes in as `now` (milliseconds on any monotonic scale),
// messages come in already decoded, and everything it wants done is pulled with drainOutputs().
// The network edge (../net/) and the simulator (test/sim/gossip/) are its two drivers.
import type { Rng } from '../../support/rng.js';
import type { Address, NodeStateKind, PacketMessage, StreamMessage, Vsn } from './messages.js';

/** memberlist's timing knobs (DefaultLANConfig / DefaultWANConfig / DefaultLocalConfig). */
export interface MemberlistTiming {
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectChecks: number;
  readonly suspicionMult: number;
  readonly suspicionMaxTimeoutMult: number;
  readonly gossipIntervalMs: number;
  readonly gossipNodes: number;
  readonly gossipToTheDeadMs: number;
  readonly retransmitMult: number;
  readonly pushPullIntervalMs: number;
  readonly tcpTimeoutMs: number;
  readonly awarenessMaxMultiplier: number;
  readonly udpBufferSize: number;
  /** 0 = a dead node's name is never reclaimed by another address. */
  readonly deadNodeReclaimMs: number;
}

/** A member as the core knows it (memberlist's Node + nodeState). */
export interface MemberNode {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly meta: Uint8Array;
  readonly vsn: Vsn;
  readonly state: NodeStateKind;
  readonly incarnation: number;
  /** `now` when the state last changed. */
  readonly stateChangeMs: number;
}

/** Hooks serf (or a test) plugs in; called synchronously from inside the core. */
export interface MemberlistDelegate {
  /** Node meta for our alive messages, at most `limit` bytes. */
  nodeMeta(limit: number): Uint8Array;
  /** A user message arrived (UDP or TCP). */
  notifyMsg(payload: Uint8Array, now: number): void;
  /** Queued delegate broadcasts to piggyback, each at most `limit - overhead` bytes in total. */
  getBroadcasts(overhead: number, limit: number): Uint8Array[];
  /** The delegate's state for a push/pull. */
  localState(join: boolean): Uint8Array;
  mergeRemoteState(state: Uint8Array, join: boolean, now: number): void;
  notifyJoin(node: MemberNode, now: number): void;
  notifyLeave(node: MemberNode, now: number): void;
  notifyUpdate(node: MemberNode, now: number): void;
  /** Return an error text to refuse a join/push-pull (Consul: wrong dc, duplicate node ID). */
  notifyMerge?(peers: readonly MemberNode[]): string | undefined;
  /** Return an error text to ignore an alive message about this peer. */
  notifyAlive?(peer: MemberNode): string | undefined;
  /** Payload for our acks (serf: the Vivaldi coordinate). */
  ackPayload?(): Uint8Array;
  notifyPingComplete?(node: MemberNode, rttMs: number, payload: Uint8Array): void;
  /** Another address claims our name (or a live node's name). */
  notifyConflict?(existing: MemberNode, other: MemberNode): void;
  /**
   * We refuted a suspect or dead message about ourselves: peers could not reach us for a while,
   * so what they did meanwhile (a leader deregistering this node) may need repairing. Called after
   * the refutation is queued; must not call back into memberlist.
   */
  notifyRefute?(accusation: 'suspect' | 'dead', now: number): void;
}

export interface MemberlistConfig {
  /** Our node name, advertised address and port (UDP and TCP share it). */
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly timing: MemberlistTiming;
  /** memberlist protocol spoken (2 by default; range 1..5). */
  readonly protocolVersion: number;
  /** The delegate's (serf's) protocol range and version: [min, max, cur]. */
  readonly delegateVersion: readonly [number, number, number];
  readonly rng: Rng;
  /** Encoded size of a message on the wire, for packing broadcasts into a UDP packet. */
  readonly sizeOf: (m: PacketMessage) => number;
  readonly delegate?: MemberlistDelegate;
  /** Log lines the core wants written ("[DEBUG] memberlist: ..."), level first. */
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /**
   * Bytes the driver adds to every UDP packet after the core has packed it (encryption: version
   * byte + nonce + GCM tag = 29), taken off udpBufferSize when packing broadcasts. Default 0.
   */
  readonly packetOverhead?: number;
}

/** What the core asks its driver to do. */
export type MemberlistOutput =
  /** Send these messages in one UDP packet (compound when more than one). `crc`: peer speaks >= 5. */
  | { readonly kind: 'packet'; readonly to: Address; readonly msgs: readonly PacketMessage[]; readonly crc: boolean }
  /**
   * Open a TCP stream to `to`, write `msg`; when `expectReply`, read one message back and report it
   * with streamReply(id, ...), or streamFailed(id, ...) on error or after `timeoutMs`.
   */
  | {
      readonly kind: 'stream';
      readonly id: number;
      readonly to: Address;
      readonly msg: StreamMessage;
      readonly expectReply: boolean;
      readonly timeoutMs: number;
    }
  /** A join() finished: how many seeds answered a push/pull, and why the others failed. */
  | { readonly kind: 'joined'; readonly id: number; readonly contacted: number; readonly errors: readonly string[] };

/** The core's public surface, implemented by memberlist.ts and driven by net/ and the simulator. */
export interface MemberlistCore {
  /** Run whatever is due at `now` (probe, gossip, push/pull, suspicion and probe timeouts). */
  tick(now: number): void;
  /** The earliest `now` at which tick() has work; the driver sleeps until then. */
  nextDeadline(): number;
  handlePacket(from: Address, msg: PacketMessage, now: number): void;
  /** An inbound stream's message; returns the reply to write back, if any (push/pull reply, ack, err). */
  handleStream(from: Address, msg: StreamMessage, now: number): StreamMessage | undefined;
  streamReply(id: number, msg: StreamMessage, now: number): void;
  streamFailed(id: number, error: string, now: number): void;
  /** Push/pull with each seed (Join=true); reports a 'joined' output with the same id. */
  join(seeds: readonly Address[], now: number): number;
  /** Broadcast our own death-with-From=self (a leave). */
  leave(now: number): void;
  /** True once the leave broadcast has been handed to the network (or nobody is left to tell). */
  leaveSent(): boolean;
  /** Re-read the delegate's meta and broadcast alive with incarnation + 1. */
  updateMeta(now: number): void;
  /** Send a delegate message to one node by UDP (serf query responses). */
  sendUser(to: Address, payload: Uint8Array): void;
  /** Every node known, in any state, ourselves included. */
  members(): readonly MemberNode[];
  numAliveMembers(): number;
  localNode(): MemberNode;
  /** Lifeguard awareness score, 0 = healthy. */
  healthScore(): number;
  drainOutputs(): MemberlistOutput[];
}
