// Everything the core wants sent, collected as MemberlistOutput values for drainOutputs(), plus
// the bookkeeping for streams we opened (who gets the reply) and memberlist's piggybacking: any
// direct packet (ping, ack, nack, indirect ping) carries as many queued broadcasts as fit.
// MUST: packing budget follows memberlist's sendMsg/gossip arithmetic: udpBufferSize minus the
//       compound header (2) minus 2 bytes per part, minus config.packetOverhead (encryption).
import type { CoreLog } from './core-log.js';
import type { Membership } from './membership.js';
import type { Address, PacketMessage, StreamMessage } from './messages.js';
import { pMax } from './node-state.js';
import type { MemberlistConfig, MemberlistOutput } from './types.js';

/** Bytes for the compound message's type and count bytes. */
export const COMPOUND_HEADER_OVERHEAD = 2;
/** Bytes per part in a compound message (its uint16 length). */
export const COMPOUND_OVERHEAD = 2;
/** The user message type byte in front of delegate payloads. */
const USER_MSG_OVERHEAD = 1;

export interface StreamHandlers {
  onReply(msg: StreamMessage, now: number): void;
  onFail(error: string, now: number): void;
}

export class Outbox {
  private outputs: MemberlistOutput[] = [];
  private lastId = 0;
  private readonly pending = new Map<number, StreamHandlers>();

  constructor(
    private readonly config: MemberlistConfig,
    private readonly membership: Membership,
    private readonly log: CoreLog,
  ) {}

  /** Packet budget left for messages once encryption (if any) has taken its share. */
  packetBudget(): number {
    return this.config.timing.udpBufferSize - (this.config.packetOverhead ?? 0);
  }

  /** memberlist's getBroadcasts: our queued broadcasts first, then the delegate's user messages. */
  getBroadcasts(overhead: number, limit: number): PacketMessage[] {
    const toSend = this.membership.broadcasts.getBroadcasts(overhead, limit);
    const d = this.config.delegate;
    if (d === undefined) return toSend;
    let used = 0;
    for (const m of toSend) used += this.config.sizeOf(m) + overhead;
    const avail = limit - used;
    if (avail > overhead + USER_MSG_OVERHEAD) {
      for (const payload of d.getBroadcasts(overhead + USER_MSG_OVERHEAD, avail)) toSend.push({ type: 'user', payload });
    }
    return toSend;
  }

  /**
   * memberlist's encodeAndSendMsg: one message to an address, with broadcasts piggybacked. The
   * CRC decision copies Go's quirk of looking the node up by IP in a name-keyed map (so it is
   * almost always off for direct messages); receivers accept both.
   */
  sendMsg(to: Address, msg: PacketMessage): void {
    const avail = this.packetBudget() - this.config.sizeOf(msg) - COMPOUND_HEADER_OVERHEAD;
    const extra = this.getBroadcasts(COMPOUND_OVERHEAD, avail);
    const byIp = this.membership.nodeMap.get(to.addr);
    this.sendPacket(to, [msg, ...extra], byIp !== undefined && pMax(byIp.vsn) >= 5);
  }

  sendPacket(to: Address, msgs: readonly PacketMessage[], crc: boolean): void {
    this.outputs.push({ kind: 'packet', to, msgs, crc });
  }

  /** A fresh id for a stream or a join (one counter, so ids never collide). */
  nextId(): number {
    this.lastId++;
    return this.lastId;
  }

  /** Open a stream; with handlers, its reply (or failure) is routed to them. */
  openStream(to: Address, msg: StreamMessage, timeoutMs: number, handlers?: StreamHandlers): number {
    const id = this.nextId();
    if (handlers !== undefined) this.pending.set(id, handlers);
    this.outputs.push({ kind: 'stream', id, to, msg, expectReply: handlers !== undefined, timeoutMs: Math.max(0, timeoutMs) });
    return id;
  }

  emit(output: MemberlistOutput): void {
    this.outputs.push(output);
  }

  streamReply(id: number, msg: StreamMessage, now: number): void {
    const h = this.pending.get(id);
    if (h === undefined) {
      this.log('debug', `Reply for unknown or finished stream ${id} ignored`);
      return;
    }
    this.pending.delete(id);
    h.onReply(msg, now);
  }

  streamFailed(id: number, error: string, now: number): void {
    const h = this.pending.get(id);
    if (h === undefined) return;
    this.pending.delete(id);
    h.onFail(error, now);
  }

  drain(): MemberlistOutput[] {
    const out = this.outputs;
    this.outputs = [];
    return out;
  }
}
