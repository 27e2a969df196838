// Shared shapes of the gossip simulator: network profile, options, the per-node record, the event
// queue's events, and what the simulator observes (membership events, traffic statistics).
import type { NodeStateKind, Address, PacketMessage, StreamMessage } from '../../../src/core/gossip/memberlist/messages.js';
import type { Memberlist } from '../../../src/core/gossip/memberlist/memberlist.js';
import type { MemberlistTiming } from '../../../src/core/gossip/memberlist/types.js';
import type { MemberEventKind, SimDelegate } from './sim-delegate.js';

export interface NetProfile {
  /** Probability that a UDP packet is lost. */
  lossRate: number;
  /** Probability that a UDP packet is delivered twice. */
  dupRate: number;
  /** UDP one-way delay range; the jitter reorders packets. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Probability that a stream fails to connect (on top of partitions and dead peers). */
  streamFailRate: number;
}


export interface SimOptions {
  readonly seed: number;
  readonly timing: MemberlistTiming;
  readonly net: NetProfile;
  /** Serf's reconnect loop: every interval each node rejoins one member it saw fail. 0 = off. */
  readonly reconnectIntervalMs?: number;
  readonly trace?: boolean;
  /** Called with every membership change as it is observed (scale runs count instead of storing). */
  readonly onMemberEvent?: (e: ObservedEvent) => void;
  /** Keep every observed event in `observed` (default true; a 1,000-member bootstrap makes 10^6). */
  readonly recordEvents?: boolean;
}

export type NodeStatus = 'up' | 'crashed' | 'left';

export interface SimNode {
  readonly index: number;
  readonly name: string;
  readonly address: Address;
  status: NodeStatus;
  /** Bumped on crash/restart so stale events for an old incarnation of the process are dropped. */
  epoch: number;
  core: Memberlist | undefined;
  delegate: SimDelegate | undefined;
  /** The time of the one pending timer event that is still valid. */
  scheduledAt: number;
  joins: { id: number; contacted: number; errors: readonly string[] }[];
}

export type SimEvent =
  | { readonly kind: 'timer'; readonly at: number; readonly node: number; readonly epoch: number }
  | { readonly kind: 'packet'; readonly at: number; readonly from: number; readonly to: number; readonly msgs: readonly PacketMessage[] }
  | {
      readonly kind: 'streamOpen';
      readonly at: number;
      readonly from: number;
      readonly fromEpoch: number;
      readonly to: number;
      readonly id: number;
      readonly msg: StreamMessage;
      readonly expectReply: boolean;
      readonly deadline: number;
    }
  | { readonly kind: 'streamReply'; readonly at: number; readonly node: number; readonly epoch: number; readonly from: number; readonly id: number; readonly msg: StreamMessage; readonly deadline: number }
  | { readonly kind: 'streamFail'; readonly at: number; readonly node: number; readonly epoch: number; readonly id: number; readonly error: string }
  | { readonly kind: 'action'; readonly at: number; readonly run: () => void };

/** One observed membership change: `observer` learned that `subject` joined / left / failed. */
export interface ObservedEvent {
  readonly at: number;
  readonly observer: string;
  readonly subject: string;
  readonly kind: MemberEventKind;
  readonly state: NodeStateKind;
  /** Was the subject's process actually up, and reachable from the observer, at that moment? */
  readonly subjectUp: boolean;
  readonly partitioned: boolean;
}

export interface SimStats {
  packetsSent: number;
  packetsLost: number;
  streams: number;
  streamsFailed: number;
  suspicions: number;
  refutations: number;
  failuresDeclared: number;
  events: number;
}

/** A one-line summary of a packet message for traces. */
export function describeMsg(m: PacketMessage): string {
  switch (m.type) {
    case 'ping':
    case 'ack':
    case 'nack':
      return `${m.type}#${m.seqNo}`;
    case 'indirectPing':
      return `indirectPing#${m.seqNo}(${m.node})`;
    case 'alive':
    case 'suspect':
    case 'dead':
      return `${m.type}(${m.node}@${m.incarnation})`;
    case 'user':
      return `user(${m.payload.length}B)`;
  }
}
