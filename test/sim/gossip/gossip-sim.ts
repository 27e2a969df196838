// A deterministic, event-driven harness for the memberlist core: N nodes on a virtual clock, a
// simulated network (UDP packets with delay, loss, duplication, reordering; TCP streams with delay
// and failures), partitions, crashes, restarts, leaves, and a serf-style reconnect loop.
// The clock jumps from event to event (each node is woken exactly at its nextDeadline()), so a
// minute of cluster life costs only as much as the messages in it.
// MUST: every random choice comes from the seeded rng; the same seed replays the same run.
import { NodeStateKind, addressKey, type Address } from '../../../src/core/gossip/memberlist/messages.js';
import { Memberlist } from '../../../src/core/gossip/memberlist/memberlist.js';
import type { MemberlistOutput, MemberNode } from '../../../src/core/gossip/memberlist/types.js';
import { SeededRng } from '../../../src/core/support/rng.js';
import { EventQueue } from './event-queue.js';
import { SimDelegate, type MemberEventKind, type MemberEventSink } from './sim-delegate.js';
import {
  describeMsg,
  type NetProfile,
  type NodeStatus,
  type ObservedEvent,
  type SimEvent,
  type SimNode,
  type SimOptions,
  type SimStats,
} from './sim-types.js';
import { estimateSize } from './size-estimate.js';

export class GossipSim implements MemberEventSink {
  readonly rng: SeededRng;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes: SimNode[] = [];
  private readonly byAddress = new Map<string, number>();
  private readonly byName = new Map<string, number>();
  /** Partition groups; empty = no partition. Nodes in different groups cannot talk. */
  private readonly group = new Map<number, number>();
  readonly observed: ObservedEvent[] = [];
  readonly trace: string[] = [];
  readonly stats: SimStats = {
    packetsSent: 0,
    packetsLost: 0,
    streams: 0,
    streamsFailed: 0,
    suspicions: 0,
    refutations: 0,
    failuresDeclared: 0,
    events: 0,
  };
  now = 0;
  net: NetProfile;

  constructor(readonly options: SimOptions) {
    this.rng = new SeededRng(options.seed);
    this.net = { ...options.net };
  }

  // ---- cluster membership of the simulation -------------------------------------------------

  /** Add a node (not started). Names are n0, n1, ...; addresses 127.0.0.1:7946+i. */
  addNode(): number {
    const index = this.nodes.length;
    const node: SimNode = {
      index,
      name: `n${index}`,
      address: { addr: '127.0.0.1', port: 7946 + index },
      status: 'crashed',
      epoch: 0,
      core: undefined,
      delegate: undefined,
      scheduledAt: Number.POSITIVE_INFINITY,
      joins: [],
    };
    this.nodes.push(node);
    this.byAddress.set(addressKey(node.address), index);
    this.byName.set(node.name, index);
    return index;
  }

  get size(): number {
    return this.nodes.length;
  }

  nameOf(i: number): string {
    return this.node(i).name;
  }

  addressOf(i: number): Address {
    return this.node(i).address;
  }

  statusOf(i: number): NodeStatus {
    return this.node(i).status;
  }

  coreOf(i: number): Memberlist | undefined {
    return this.node(i).core;
  }

  joinsOf(i: number): readonly { id: number; contacted: number; errors: readonly string[] }[] {
    return this.node(i).joins;
  }

  upNodes(): number[] {
    return this.nodes.filter((n) => n.status === 'up').map((n) => n.index);
  }

  private node(i: number): SimNode {
    const n = this.nodes[i];
    if (n === undefined) throw new RangeError(`no simulated node ${i}`);
    return n;
  }

  /** Start (or restart) node i's process and optionally join through seeds. */
  start(i: number, seeds: readonly number[] = []): void {
    const n = this.node(i);
    n.epoch++;
    n.status = 'up';
    n.delegate = new SimDelegate(n.name, this);
    const rng = new SeededRng((this.options.seed * 7919 + i * 104729 + n.epoch * 15485863) >>> 0);
    n.core = new Memberlist(
      {
        name: n.name,
        addr: n.address.addr,
        port: n.address.port,
        timing: this.options.timing,
        protocolVersion: 2,
        delegateVersion: [2, 5, 4],
        rng,
        sizeOf: estimateSize,
        delegate: n.delegate,
        log: (level, msg) => this.onLog(n, level, msg),
      },
      this.now,
    );
    n.scheduledAt = Number.POSITIVE_INFINITY;
    if (seeds.length > 0) n.core.join(seeds.map((s) => this.node(s).address), this.now);
    this.afterCall(n);
    const every = this.options.reconnectIntervalMs ?? 0;
    if (every > 0) this.scheduleReconnect(n, n.epoch, this.now + this.rng.range(1, every));
  }

  /** Stop node i's process abruptly: it neither sends, receives nor ticks any more. */
  crash(i: number): void {
    const n = this.node(i);
    n.status = 'crashed';
    n.epoch++;
    n.core = undefined;
    n.delegate = undefined;
    n.scheduledAt = Number.POSITIVE_INFINITY;
  }

  /** Graceful leave: broadcast the leave, then shut the process down once it went out (<= 5 s). */
  leave(i: number): void {
    const n = this.node(i);
    const core = n.core;
    if (core === undefined) return;
    core.leave(this.now);
    this.afterCall(n);
    const epoch = n.epoch;
    const giveUpAt = this.now + 5000;
    const poll = (): void => {
      if (n.epoch !== epoch || n.core === undefined) return;
      if (n.core.leaveSent() || this.now >= giveUpAt) {
        n.status = 'left';
        n.epoch++;
        n.core = undefined;
        n.scheduledAt = Number.POSITIVE_INFINITY;
        return;
      }
      this.at(this.now + 50, poll);
    };
    this.at(this.now + 50, poll);
  }

  join(i: number, seeds: readonly number[]): void {
    const n = this.node(i);
    if (n.core === undefined) return;
    n.core.join(seeds.map((s) => this.node(s).address), this.now);
    this.afterCall(n);
  }

  /** Split the nodes into groups that cannot reach each other (nodes not listed: group -1). */
  partition(groups: readonly (readonly number[])[]): void {
    this.group.clear();
    groups.forEach((g, gi) => {
      for (const i of g) this.group.set(i, gi);
    });
  }

  heal(): void {
    this.group.clear();
  }

  blocked(a: number, b: number): boolean {
    if (this.group.size === 0) return false;
    return (this.group.get(a) ?? -1) !== (this.group.get(b) ?? -1);
  }

  /** Run an action at a virtual time. */
  at(time: number, run: () => void): void {
    this.queue.push({ kind: 'action', at: Math.max(time, this.now), run });
  }

  private scheduleReconnect(n: SimNode, epoch: number, time: number): void {
    const every = this.options.reconnectIntervalMs ?? 0;
    this.at(time, () => {
      if (n.epoch !== epoch || n.core === undefined || n.delegate === undefined) return;
      const failed = [...n.delegate.failed.values()];
      if (failed.length > 0) {
        const target = this.rng.pick(failed);
        n.core.join([target], this.now);
        this.afterCall(n);
      }
      this.scheduleReconnect(n, epoch, this.now + every);
    });
  }

  // ---- observation ----------------------------------------------------------------------------

  /** Node i's view: name -> state, or undefined when i is not up. */
  view(i: number): Map<string, NodeStateKind> | undefined {
    const core = this.node(i).core;
    if (core === undefined) return undefined;
    return new Map(core.members().map((m) => [m.name, m.state]));
  }

  /** Every up node sees every node in `subjects` in `state` (default: all up nodes, alive). */
  everyoneSees(subjects: readonly number[], state: NodeStateKind, observers: readonly number[] = this.upNodes()): boolean {
    for (const o of observers) {
      const v = this.view(o);
      if (v === undefined) return false;
      for (const s of subjects) if (v.get(this.node(s).name) !== state) return false;
    }
    return true;
  }

  /** A human-readable summary of who disagrees, for failure messages. */
  describeViews(observers: readonly number[] = this.upNodes()): string {
    const lines: string[] = [];
    for (const o of observers) {
      const core = this.node(o).core;
      if (core === undefined) continue;
      const states = core
        .members()
        .map((m: MemberNode) => `${m.name}:${'ASDL'[m.state]}${m.incarnation}`)
        .sort()
        .join(' ');
      lines.push(`  ${this.node(o).name} (health ${core.healthScore()}): ${states}`);
    }
    return lines.join('\n');
  }

  memberEvent(observer: string, kind: MemberEventKind, node: MemberNode, now: number): void {
    const oi = this.byName.get(observer);
    const si = this.byName.get(node.name);
    const subjectUp = si !== undefined && this.node(si).status === 'up';
    const partitioned = oi !== undefined && si !== undefined && this.blocked(oi, si);
    const e: ObservedEvent = { at: now, observer, subject: node.name, kind, state: node.state, subjectUp, partitioned };
    this.options.onMemberEvent?.(e);
    if (this.options.recordEvents !== false) this.observed.push(e);
    if (this.options.trace === true) this.traceLine(`${observer}: member ${kind} ${node.name} state=${node.state} inc=${node.incarnation}`);
  }

  private onLog(n: SimNode, level: string, msg: string): void {
    if (msg.includes('Suspect ') && msg.includes('has failed')) this.stats.suspicions++;
    else if (msg.includes('Refuting')) this.stats.refutations++;
    else if (msg.includes('Marking ') && msg.includes('as failed')) this.stats.failuresDeclared++;
    if (this.options.trace === true && level !== 'debug') this.traceLine(`${n.name}: [${level.toUpperCase()}] ${msg}`);
  }

  private traceLine(line: string): void {
    if (this.trace.length < 200_000) this.trace.push(`${this.now.toFixed(0).padStart(8)} ${line}`);
  }

  // ---- the event loop ---------------------------------------------------------------------------

  /** Advance virtual time by `ms`, processing every event due in between. */
  runFor(ms: number): void {
    const end = this.now + ms;
    while (this.queue.peekTime() <= end) {
      const ev = this.queue.pop() as SimEvent;
      this.now = Math.max(this.now, ev.at);
      this.stats.events++;
      this.handle(ev);
    }
    this.now = end;
  }

  /** Run until `done()` holds (checked every `stepMs`) or `maxMs` passes; true if it held. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 100): boolean {
    const end = this.now + maxMs;
    while (this.now < end) {
      if (done()) return true;
      this.runFor(Math.min(stepMs, end - this.now));
    }
    return done();
  }

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'timer': {
        const n = this.node(ev.node);
        if (n.epoch !== ev.epoch || n.core === undefined || n.scheduledAt !== ev.at) return;
        n.scheduledAt = Number.POSITIVE_INFINITY;
        n.core.tick(this.now);
        this.afterCall(n);
        return;
      }
      case 'packet': {
        const n = this.node(ev.to);
        if (n.core === undefined || this.blocked(ev.from, ev.to)) {
          this.stats.packetsLost++;
          return;
        }
        const from = this.node(ev.from).address;
        if (this.options.trace === true) this.traceLine(`${this.node(ev.from).name} -> ${n.name}: ${ev.msgs.map(describeMsg).join(', ')}`);
        for (const m of ev.msgs) n.core.handlePacket(from, m, this.now);
        this.afterCall(n);
        return;
      }
      case 'streamOpen':
        return this.deliverStream(ev);
      case 'streamReply': {
        const n = this.node(ev.node);
        if (n.epoch !== ev.epoch || n.core === undefined) return;
        if (this.blocked(ev.from, ev.node)) {
          this.failStream(ev.node, ev.epoch, ev.id, ev.deadline, 'i/o timeout');
          return;
        }
        n.core.streamReply(ev.id, ev.msg, this.now);
        this.afterCall(n);
        return;
      }
      case 'streamFail': {
        const n = this.node(ev.node);
        if (n.epoch !== ev.epoch || n.core === undefined) return;
        this.stats.streamsFailed++;
        n.core.streamFailed(ev.id, ev.error, this.now);
        this.afterCall(n);
        return;
      }
      case 'action':
        ev.run();
        return;
    }
  }

  private deliverStream(ev: Extract<SimEvent, { kind: 'streamOpen' }>): void {
    const target = this.node(ev.to);
    if (this.blocked(ev.from, ev.to)) return this.failStream(ev.from, ev.fromEpoch, ev.id, ev.deadline, 'i/o timeout');
    if (target.core === undefined) return this.failStream(ev.from, ev.fromEpoch, ev.id, this.now + this.delay(), 'connection refused');
    const reply = target.core.handleStream(this.node(ev.from).address, ev.msg, this.now);
    this.afterCall(target);
    if (!ev.expectReply) return;
    const back = this.now + this.delay();
    if (reply === undefined) return this.failStream(ev.from, ev.fromEpoch, ev.id, back, 'EOF');
    if (back > ev.deadline) return this.failStream(ev.from, ev.fromEpoch, ev.id, ev.deadline, 'i/o timeout');
    this.queue.push({ kind: 'streamReply', at: back, node: ev.from, epoch: ev.fromEpoch, from: ev.to, id: ev.id, msg: reply, deadline: ev.deadline });
  }

  private failStream(node: number, epoch: number, id: number, at: number, error: string): void {
    this.queue.push({ kind: 'streamFail', at: Math.max(at, this.now), node, epoch, id, error });
  }

  private delay(): number {
    return this.rng.range(this.net.minDelayMs, this.net.maxDelayMs);
  }

  /** Route a node's outputs into the network and re-arm its timer. */
  private afterCall(n: SimNode): void {
    const core = n.core;
    if (core === undefined) return;
    for (const out of core.drainOutputs()) this.route(n, out);
    const next = core.nextDeadline();
    if (next === n.scheduledAt || !Number.isFinite(next)) {
      if (!Number.isFinite(next)) n.scheduledAt = Number.POSITIVE_INFINITY;
      return;
    }
    const at = Math.max(next, this.now);
    n.scheduledAt = at;
    this.queue.push({ kind: 'timer', at, node: n.index, epoch: n.epoch });
  }

  private route(n: SimNode, out: MemberlistOutput): void {
    switch (out.kind) {
      case 'packet': {
        this.stats.packetsSent++;
        const to = this.byAddress.get(addressKey(out.to));
        if (to === undefined || this.blocked(n.index, to) || this.rng.chance(this.net.lossRate)) {
          this.stats.packetsLost++;
          return;
        }
        const copies = this.rng.chance(this.net.dupRate) ? 2 : 1;
        for (let c = 0; c < copies; c++) this.queue.push({ kind: 'packet', at: this.now + this.delay(), from: n.index, to, msgs: out.msgs });
        return;
      }
      case 'stream': {
        this.stats.streams++;
        const to = this.byAddress.get(addressKey(out.to));
        const deadline = this.now + out.timeoutMs;
        if (to === undefined) return this.failStream(n.index, n.epoch, out.id, this.now + this.delay(), 'connection refused');
        if (this.rng.chance(this.net.streamFailRate)) return this.failStream(n.index, n.epoch, out.id, this.now + this.delay(), 'connection reset');
        this.queue.push({
          kind: 'streamOpen',
          at: this.now + this.delay(),
          from: n.index,
          fromEpoch: n.epoch,
          to,
          id: out.id,
          msg: out.msg,
          expectReply: out.expectReply,
          deadline,
        });
        return;
      }
      case 'joined':
        n.joins.push({ id: out.id, contacted: out.contacted, errors: out.errors });
        if (this.options.trace === true) this.traceLine(`${n.name}: joined ${out.contacted} ${out.errors.join('; ')}`);
        return;
    }
  }
}

