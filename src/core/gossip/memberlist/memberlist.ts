// The memberlist core (hashicorp/memberlist 0.2.x semantics): a pure state machine that the
// network edge (../net/) and the simulator drive. It owns the loops memberlist runs on timers
// (probe, gossip, push/pull, suspicion) as absolute deadlines; tick(now) runs what is due and
// nextDeadline() says when to call again. Messages come in decoded; everything to send comes out
// of drainOutputs().
// MUST: no I/O, no clock, no Math.random: the same config (rng seed), inputs and `now`s give the
//       same outputs, which is what makes the simulator's seeds replayable.
import { invariant } from '../../support/assert.js';
import { coreLog, type CoreLog } from './core-log.js';
import { FailureDetector } from './failure-detector.js';
import { Membership } from './membership.js';
import { addressKey, NodeStateKind, type Address, type PacketMessage, type StreamMessage, type Vsn } from './messages.js';
import { kRandomNodes } from './node-selection.js';
import { deadOrLeft, META_MAX_SIZE, pMax, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, toMemberNode } from './node-state.js';
import { COMPOUND_HEADER_OVERHEAD, COMPOUND_OVERHEAD, Outbox } from './outbox.js';
import { PushPull } from './push-pull.js';
import { pushPullScaleMs } from './scaling.js';
import type { MemberlistConfig, MemberlistCore, MemberlistOutput, MemberNode } from './types.js';

/** A misuse of the core (bad configuration, oversized meta): a programming error, not a network one. */
export class MemberlistError extends Error {
  override name = 'MemberlistError';
}

/** Guard against a deadline that does not move: tick() must never spin. */
const MAX_TICK_STEPS = 100_000;

export class Memberlist implements MemberlistCore {
  private readonly log: CoreLog;
  private readonly membership: Membership;
  private readonly outbox: Outbox;
  private readonly detector: FailureDetector;
  private readonly pushPull: PushPull;
  private readonly gossipOrigin: number;
  private nextGossipAt: number;
  private nextPushPullAt: number;

  /** Creates the core and marks ourselves alive (memberlist.Create); `now` is the start time. */
  constructor(
    private readonly config: MemberlistConfig,
    now: number,
  ) {
    if (config.protocolVersion < PROTOCOL_VERSION_MIN || config.protocolVersion > PROTOCOL_VERSION_MAX) {
      throw new MemberlistError(
        `Protocol version '${config.protocolVersion}' out of range: [${PROTOCOL_VERSION_MIN}, ${PROTOCOL_VERSION_MAX}]`,
      );
    }
    this.log = coreLog(config);
    this.membership = new Membership(config, this.log);
    this.outbox = new Outbox(config, this.membership, this.log);
    this.detector = new FailureDetector(config, this.membership, this.outbox, this.log, now);
    this.pushPull = new PushPull(config, this.membership, this.outbox, this.log);

    const t = config.timing;
    this.gossipOrigin = now;
    this.nextGossipAt = t.gossipIntervalMs > 0 && t.gossipNodes > 0 ? now + t.gossipIntervalMs : Number.POSITIVE_INFINITY;
    // A random stagger keeps nodes started together from syncing in lockstep.
    this.nextPushPullAt =
      t.pushPullIntervalMs > 0 ? now + config.rng.int(t.pushPullIntervalMs) + t.pushPullIntervalMs : Number.POSITIVE_INFINITY;

    this.membership.aliveNode(
      {
        type: 'alive',
        incarnation: this.membership.nextIncarnation(),
        node: config.name,
        addr: config.addr,
        port: config.port,
        meta: this.readMeta(),
        vsn: this.vsn(),
      },
      now,
      true,
    );
  }

  private vsn(): Vsn {
    const [dMin, dMax, dCur] = this.config.delegateVersion;
    return [PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX, this.config.protocolVersion, dMin, dMax, dCur];
  }

  private readMeta(): Uint8Array {
    const meta = this.config.delegate?.nodeMeta(META_MAX_SIZE) ?? new Uint8Array(0);
    if (meta.length > META_MAX_SIZE) {
      throw new MemberlistError(`Node meta data provided is longer than the limit (${meta.length} > ${META_MAX_SIZE})`);
    }
    return meta;
  }

  nextDeadline(): number {
    return Math.min(
      this.detector.nextDeadline(),
      this.nextGossipAt,
      this.nextPushPullAt,
      this.membership.nextSuspicionDeadline(),
    );
  }

  tick(now: number): void {
    // Run due work earliest first, as Go's timers would have fired in that order.
    for (let step = 0; ; step++) {
      invariant(step < MAX_TICK_STEPS, 'memberlist: tick() made no progress');
      const suspicionAt = this.membership.nextSuspicionDeadline();
      const detectorAt = this.detector.nextDeadline();
      const next = Math.min(suspicionAt, detectorAt, this.nextGossipAt, this.nextPushPullAt);
      if (next > now) return;
      if (suspicionAt === next) this.membership.runDueSuspicions(now);
      else if (detectorAt === next) this.detector.tick(now);
      else if (this.nextGossipAt === next) this.gossip(now);
      else this.periodicPushPull(now);
    }
  }

  /** memberlist's gossip(): queued broadcasts to a few random live (or recently dead) nodes. */
  private gossip(now: number): void {
    const t = this.config.timing;
    this.nextGossipAt = this.gossipOrigin + (Math.floor((now - this.gossipOrigin) / t.gossipIntervalMs) + 1) * t.gossipIntervalMs;
    const targets = kRandomNodes(this.config.rng, t.gossipNodes, this.membership.nodes, (n) => {
      if (n.name === this.config.name) return true;
      if (n.state === NodeStateKind.Alive || n.state === NodeStateKind.Suspect) return false;
      if (n.state === NodeStateKind.Dead) return now - n.stateChangeMs > t.gossipToTheDeadMs;
      return true;
    });
    const avail = this.outbox.packetBudget() - COMPOUND_HEADER_OVERHEAD;
    for (const node of targets) {
      const msgs = this.outbox.getBroadcasts(COMPOUND_OVERHEAD, avail);
      if (msgs.length === 0) return;
      this.outbox.sendPacket({ addr: node.addr, port: node.port }, msgs, pMax(node.vsn) >= 5);
    }
  }

  /** memberlist's pushPull(): a full state exchange with one random alive node. */
  private periodicPushPull(now: number): void {
    const t = this.config.timing;
    this.nextPushPullAt = now + pushPullScaleMs(t.pushPullIntervalMs, this.membership.estNumNodes());
    const [node] = kRandomNodes(
      this.config.rng,
      1,
      this.membership.nodes,
      (n) => n.name === this.config.name || n.state !== NodeStateKind.Alive,
    );
    if (node === undefined) return;
    const name = node.name;
    this.pushPull.start({ addr: node.addr, port: node.port }, false, (err) => {
      if (err !== undefined) this.log('error', `Push/Pull with ${name} failed: ${err}`);
    });
  }

  handlePacket(from: Address, msg: PacketMessage, now: number): void {
    switch (msg.type) {
      case 'ping':
        return this.detector.handlePing(from, msg);
      case 'indirectPing':
        return this.detector.handleIndirectPing(from, msg, now);
      case 'ack':
        return this.detector.handleAck(msg, now);
      case 'nack':
        return this.detector.handleNack(msg);
      case 'suspect':
        return this.membership.suspectNode(msg, now);
      case 'alive': {
        const fixPort = this.config.protocolVersion < 2 || msg.port === 0;
        return this.membership.aliveNode(fixPort ? { ...msg, port: this.config.port } : msg, now, false);
      }
      case 'dead':
        return this.membership.deadNode(msg, now);
      case 'user':
        return this.config.delegate?.notifyMsg(msg.payload, now);
    }
  }

  handleStream(from: Address, msg: StreamMessage, now: number): StreamMessage | undefined {
    switch (msg.type) {
      case 'pushPull':
        return this.pushPull.handleInbound(msg, now);
      case 'ping':
        if (msg.node !== '' && msg.node !== this.config.name) {
          this.log('warn', `Got ping for unexpected node ${msg.node} from=${addressKey(from)}`);
          return undefined;
        }
        return { type: 'ack', seqNo: msg.seqNo, payload: new Uint8Array(0) };
      case 'user':
        this.config.delegate?.notifyMsg(msg.payload, now);
        return undefined;
      default:
        this.log('error', `Received invalid msgType (${msg.type}) from=${addressKey(from)}`);
        return undefined;
    }
  }

  streamReply(id: number, msg: StreamMessage, now: number): void {
    this.outbox.streamReply(id, msg, now);
  }

  streamFailed(id: number, error: string, now: number): void {
    this.outbox.streamFailed(id, error, now);
  }

  join(seeds: readonly Address[], _now: number): number {
    const id = this.outbox.nextId();
    let waiting = seeds.length;
    let contacted = 0;
    const errors: string[] = [];
    const finishOne = (): void => {
      waiting--;
      if (waiting === 0) this.outbox.emit({ kind: 'joined', id, contacted, errors });
    };
    if (waiting === 0) this.outbox.emit({ kind: 'joined', id, contacted, errors });
    for (const seed of seeds) {
      this.pushPull.start(seed, true, (err) => {
        if (err === undefined) contacted++;
        else {
          // memberlist.go Join: the dialled host:port (joinHostPort), not the bare host.
          const text = `Failed to join ${addressKey(seed)}: ${err}`;
          errors.push(text);
          this.log('debug', text);
        }
        finishOne();
      });
    }
    return id;
  }

  leave(now: number): void {
    if (this.membership.left) return;
    this.membership.left = true;
    const me = this.membership.self();
    if (me === undefined) {
      this.log('warn', `Leave but we're not in the node map.`);
      return;
    }
    this.membership.deadNode({ type: 'dead', incarnation: me.incarnation, node: me.name, from: me.name }, now);
  }

  leaveSent(): boolean {
    return this.membership.left && (this.membership.leaveBroadcastDone || !this.membership.anyAlive());
  }

  updateMeta(now: number): void {
    const me = this.membership.self();
    invariant(me !== undefined, 'memberlist: our own node is missing from the node map');
    this.membership.aliveNode(
      {
        type: 'alive',
        incarnation: this.membership.nextIncarnation(),
        node: this.config.name,
        addr: me.addr,
        port: me.port,
        meta: this.readMeta(),
        vsn: this.vsn(),
      },
      now,
      true,
    );
  }

  sendUser(to: Address, payload: Uint8Array): void {
    const byIp = this.membership.nodeMap.get(to.addr);
    this.outbox.sendPacket(to, [{ type: 'user', payload }], byIp !== undefined && pMax(byIp.vsn) >= 5);
  }

  members(): readonly MemberNode[] {
    return this.membership.nodes.map(toMemberNode);
  }

  /** Nodes not dead or left, ourselves included (memberlist's NumMembers). */
  numAliveMembers(): number {
    let n = 0;
    for (const node of this.membership.nodes) if (!deadOrLeft(node)) n++;
    return n;
  }

  localNode(): MemberNode {
    const me = this.membership.self();
    invariant(me !== undefined, 'memberlist: our own node is missing from the node map');
    return toMemberNode(me);
  }

  healthScore(): number {
    return this.membership.awareness.healthScore();
  }

  drainOutputs(): MemberlistOutput[] {
    return this.outbox.drain();
  }
}
