// SWIM failure detection as memberlist does it (state.go probe/probeNode, net.go handlePing,
// handleIndirectPing, handleAck, handleNack): a shuffled round robin of probes, direct ping, then
// indirect pings through k peers plus a TCP fallback ping, then suspicion; and the helper side of
// indirect probes for other nodes. Pure: deadlines are absolute ms polled by the owner.
//
// Probe timeline (S = start, I = probe interval scaled by awareness):
//   S                 ping (ping + suspect when the target is already suspect)
//   S + probeTimeout  no ack yet: indirect pings (Nack asked of peers with pmax >= 4) and a TCP
//                     ping when the target's pmax >= 3
//   S + I             still no ack: awareness += missing nacks (or 1 if none expected), suspect.
// An ack before S + probeTimeout also reports the RTT (notifyPingComplete); a later (relayed) ack
// only ends the probe. The next probe starts at the next probe tick, or at once when the probe
// overran it (Go's ticker keeps one missed tick).
import type { CoreLog } from './core-log.js';
import type { Membership } from './membership.js';
import { NodeStateKind, type Address, type AckMsg, type IndirectPingMsg, type NackMsg, type PingMsg, type StreamMessage } from './messages.js';
import { kRandomNodes } from './node-selection.js';
import { deadOrLeft, pMax, toMemberNode, type NodeState } from './node-state.js';
import type { Outbox } from './outbox.js';
import type { MemberlistConfig } from './types.js';

interface Probe {
  /** Copy of the target as it was when the probe started (memberlist probes a copy too). */
  readonly target: NodeState;
  readonly seqNo: number;
  readonly startMs: number;
  /** When the direct phase ends (probeTimeout, or the whole interval if that is shorter). */
  readonly directUntil: number;
  /** When the ack handler is reaped and the probe judged (start + scaled interval). */
  readonly endAt: number;
  phase: 'direct' | 'indirect';
  expectedNacks: number;
  nacks: number;
  tcpContacted: boolean;
}

/** We relay a probe for another node: forward its ack, or nack when asked and nothing came. */
interface Relay {
  readonly requester: Address;
  readonly requesterSeq: number;
  readonly nack: boolean;
  readonly deadline: number;
}

export class FailureDetector {
  private seq = 0;
  private probeIndex = 0;
  private probe: Probe | undefined;
  private nextProbeAt: number;
  private readonly relays = new Map<number, Relay>();

  constructor(
    private readonly config: MemberlistConfig,
    private readonly membership: Membership,
    private readonly outbox: Outbox,
    private readonly log: CoreLog,
    /** Start of the probe ticker's grid (Go's ticker is created with the memberlist). */
    private readonly gridOrigin: number,
  ) {
    const interval = config.timing.probeIntervalMs;
    this.nextProbeAt = interval > 0 ? gridOrigin + interval : Number.POSITIVE_INFINITY;
  }

  nextSeqNo(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  private self(): Address {
    return { addr: this.config.addr, port: this.config.port };
  }

  nextDeadline(): number {
    const p = this.probe;
    // While a probe runs, the next one waits for it (its start is recomputed when it ends).
    let next = p === undefined ? this.nextProbeAt : p.phase === 'direct' ? p.directUntil : p.endAt;
    for (const r of this.relays.values()) if (r.deadline < next) next = r.deadline;
    return next;
  }

  /** Run whatever is due at `now`: relay timeouts, probe phase changes, the next probe. */
  tick(now: number): void {
    for (const [seq, r] of this.relays) {
      if (r.deadline > now) continue;
      this.relays.delete(seq);
      if (r.nack) this.outbox.sendMsg(r.requester, { type: 'nack', seqNo: r.requesterSeq });
    }
    const p = this.probe;
    if (p !== undefined && p.phase === 'direct' && now >= p.directUntil) this.startIndirect(p, now);
    if (p !== undefined && p.phase === 'indirect' && now >= p.endAt) this.judge(p, now);
    if (this.probe === undefined && now >= this.nextProbeAt) this.startProbe(now);
  }

  private nextGridTick(after: number): number {
    const interval = this.config.timing.probeIntervalMs;
    return this.gridOrigin + (Math.floor((after - this.gridOrigin) / interval) + 1) * interval;
  }

  /** memberlist's probe(): the next node in the round robin that is neither us nor dead. */
  private startProbe(now: number): void {
    const m = this.membership;
    let numCheck = 0;
    let target: NodeState | undefined;
    while (numCheck < m.nodes.length) {
      if (this.probeIndex >= m.nodes.length) {
        m.resetNodes(now);
        this.probeIndex = 0;
        numCheck++;
        continue;
      }
      const node = m.nodes[this.probeIndex] as NodeState;
      this.probeIndex++;
      if (node.name === this.config.name || deadOrLeft(node)) {
        numCheck++;
        continue;
      }
      target = node;
      break;
    }
    if (target === undefined) {
      this.nextProbeAt = this.nextGridTick(now);
      return;
    }
    this.probeNode({ ...target }, now);
  }

  private probeNode(target: NodeState, now: number): void {
    const t = this.config.timing;
    const interval = this.membership.awareness.scaleTimeout(t.probeIntervalMs);
    const seqNo = this.nextSeqNo();
    const endAt = now + interval;
    this.probe = {
      target,
      seqNo,
      startMs: now,
      directUntil: Math.min(now + t.probeTimeoutMs, endAt),
      endAt,
      phase: 'direct',
      expectedNacks: 0,
      nacks: 0,
      tcpContacted: false,
    };
    const ping = this.pingFor(seqNo, target.name);
    const to = { addr: target.addr, port: target.port };
    if (target.state === NodeStateKind.Alive) {
      this.outbox.sendMsg(to, ping);
    } else {
      // Tack a suspect on so the target learns of it, and can refute, as soon as possible.
      this.outbox.sendPacket(
        to,
        [ping, { type: 'suspect', incarnation: target.incarnation, node: target.name, from: this.config.name }],
        pMax(target.vsn) >= 5,
      );
    }
  }

  private pingFor(seqNo: number, node: string): PingMsg {
    const me = this.self();
    return { type: 'ping', seqNo, node, sourceAddr: me.addr, sourcePort: me.port, sourceNode: this.config.name };
  }

  private startIndirect(p: Probe, now: number): void {
    p.phase = 'indirect';
    const target = p.target;
    if (p.directUntil < p.endAt) {
      this.log('debug', `Failed ping: ${target.name} (timeout reached)`);
    }
    const peers = kRandomNodes(
      this.config.rng,
      this.config.timing.indirectChecks,
      this.membership.nodes,
      (n) => n.name === this.config.name || n.name === target.name || n.state !== NodeStateKind.Alive,
    );
    const me = this.self();
    for (const peer of peers) {
      // Only peers speaking protocol 4+ know how to nack.
      const nack = pMax(peer.vsn) >= 4;
      if (nack) p.expectedNacks++;
      const ind: IndirectPingMsg = {
        type: 'indirectPing',
        seqNo: p.seqNo,
        target: target.addr,
        port: target.port,
        node: target.name,
        nack,
        sourceAddr: me.addr,
        sourcePort: me.port,
        sourceNode: this.config.name,
      };
      this.outbox.sendMsg({ addr: peer.addr, port: peer.port }, ind);
    }
    // A TCP ping catches nodes that lost UDP but are otherwise fine (protocol 3+ answers it).
    if (pMax(target.vsn) >= 3) {
      const ping: StreamMessage = this.pingFor(p.seqNo, target.name);
      this.outbox.openStream({ addr: target.addr, port: target.port }, ping, p.endAt - now, {
        onReply: (msg) => {
          if (this.probe !== p) return;
          if (msg.type !== 'ack') this.log('error', `Failed fallback ping: Unexpected msgType (${msg.type}) from ping`);
          else if (msg.seqNo !== p.seqNo) {
            this.log('error', `Failed fallback ping: Sequence number from ack (${msg.seqNo}) doesn't match ping (${p.seqNo})`);
          } else p.tcpContacted = true;
        },
        onFail: (error) => {
          if (this.probe === p) this.log('debug', `Failed fallback ping: ${error}`);
        },
      });
    }
  }

  /** The probe interval ran out without an ack. */
  private judge(p: Probe, now: number): void {
    const target = p.target;
    if (p.tcpContacted) {
      this.log('warn', `Was able to connect to ${target.name} but other probes failed, network may be misconfigured`);
      this.finish(p, now, -1);
      return;
    }
    // With nack-capable helpers, missing nacks say the problem may be ours rather than theirs.
    let delta = 0;
    if (p.expectedNacks > 0) {
      if (p.nacks < p.expectedNacks) delta += p.expectedNacks - p.nacks;
    } else {
      delta += 1;
    }
    this.finish(p, now, delta);
    this.log('info', `Suspect ${target.name} has failed, no acks received`);
    this.membership.suspectNode({ type: 'suspect', incarnation: target.incarnation, node: target.name, from: this.config.name }, now);
  }

  private finish(p: Probe, now: number, awarenessDelta: number): void {
    this.membership.awareness.applyDelta(awarenessDelta);
    this.probe = undefined;
    this.nextProbeAt = Math.max(now, this.nextGridTick(p.startMs));
  }

  handlePing(from: Address, ping: PingMsg): void {
    if (ping.node !== '' && ping.node !== this.config.name) {
      this.log('warn', `Got ping for unexpected node '${ping.node}' from=${from.addr}:${from.port}`);
      return;
    }
    const payload = this.config.delegate?.ackPayload?.() ?? new Uint8Array(0);
    this.outbox.sendMsg(replyAddress(from, ping), { type: 'ack', seqNo: ping.seqNo, payload });
  }

  /** Probe `ind.node` on the requester's behalf with our own sequence number. */
  handleIndirectPing(from: Address, ind: IndirectPingMsg, now: number): void {
    const port = this.config.protocolVersion < 2 || ind.port === 0 ? this.config.port : ind.port;
    const localSeq = this.nextSeqNo();
    this.relays.set(localSeq, {
      requester: replyAddress(from, ind),
      requesterSeq: ind.seqNo,
      nack: ind.nack,
      deadline: now + this.config.timing.probeTimeoutMs,
    });
    this.outbox.sendMsg({ addr: ind.target, port }, this.pingFor(localSeq, ind.node));
  }

  handleAck(ack: AckMsg, now: number): void {
    const relay = this.relays.get(ack.seqNo);
    if (relay !== undefined) {
      this.relays.delete(ack.seqNo);
      this.outbox.sendMsg(relay.requester, { type: 'ack', seqNo: relay.requesterSeq, payload: new Uint8Array(0) });
      return;
    }
    const p = this.probe;
    if (p === undefined || p.seqNo !== ack.seqNo) return;
    if (p.phase === 'direct') this.config.delegate?.notifyPingComplete?.(toMemberNode(p.target), now - p.startMs, ack.payload);
    this.finish(p, now, -1);
  }

  handleNack(nack: NackMsg): void {
    const p = this.probe;
    // Go counts nacks in a channel of IndirectChecks + 1 slots; extra ones are dropped.
    if (p !== undefined && p.seqNo === nack.seqNo && p.nacks < this.config.timing.indirectChecks + 1) p.nacks++;
  }
}

/** Where to answer: the advertised source when the sender gave one, else the packet's origin. */
function replyAddress(from: Address, m: { readonly sourceAddr?: string; readonly sourcePort?: number }): Address {
  if (m.sourceAddr !== undefined && m.sourceAddr !== '' && m.sourcePort !== undefined && m.sourcePort > 0) {
    return { addr: m.sourceAddr, port: m.sourcePort };
  }
  return from;
}
