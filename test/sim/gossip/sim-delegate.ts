// The memberlist delegate each simulated node gets: a tiny serf stand-in that reports membership
// events to the simulator and keeps serf's "failed members" list, which the simulator's reconnect
// loop (serf's reconnect, driven by the sim) uses to rejoin after a partition heals.
import { NodeStateKind, type Address } from '../../../src/core/gossip/memberlist/messages.js';
import type { MemberlistDelegate, MemberNode } from '../../../src/core/gossip/memberlist/types.js';

export type MemberEventKind = 'join' | 'leave' | 'update';

export interface MemberEventSink {
  memberEvent(observer: string, kind: MemberEventKind, node: MemberNode, now: number): void;
}

const encoder = new TextEncoder();

export class SimDelegate implements MemberlistDelegate {
  /** Members this node saw fail (not leave), with their last address: serf's reconnect list. */
  readonly failed = new Map<string, Address>();
  userMessages = 0;
  remoteStates = 0;
  pingsCompleted = 0;
  meta: Uint8Array;

  constructor(
    private readonly name: string,
    private readonly sink: MemberEventSink,
  ) {
    this.meta = encoder.encode(`role=sim,name=${name}`);
  }

  nodeMeta(limit: number): Uint8Array {
    return this.meta.slice(0, limit);
  }
  notifyMsg(): void {
    this.userMessages++;
  }
  getBroadcasts(): Uint8Array[] {
    return [];
  }
  localState(join: boolean): Uint8Array {
    return encoder.encode(`${this.name}:${join ? 'join' : 'sync'}`);
  }
  mergeRemoteState(): void {
    this.remoteStates++;
  }
  notifyJoin(node: MemberNode, now: number): void {
    this.failed.delete(node.name);
    this.sink.memberEvent(this.name, 'join', node, now);
  }
  notifyLeave(node: MemberNode, now: number): void {
    if (node.state === NodeStateKind.Dead && node.name !== this.name) this.failed.set(node.name, { addr: node.addr, port: node.port });
    else this.failed.delete(node.name);
    this.sink.memberEvent(this.name, 'leave', node, now);
  }
  notifyUpdate(node: MemberNode, now: number): void {
    this.sink.memberEvent(this.name, 'update', node, now);
  }
  ackPayload(): Uint8Array {
    return new Uint8Array([1, 2, 3]);
  }
  notifyPingComplete(): void {
    this.pingsCompleted++;
  }
}
