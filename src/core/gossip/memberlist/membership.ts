// The membership state machine of memberlist (state.go: aliveNode, suspectNode, deadNode,
// mergeState, refute): the node list, the incarnation rules, suspicion timers and the broadcast
// queue that spreads every accepted change. Pure: time comes in as `now`, randomness from config.rng.
//
// MUST (incarnation rules, as memberlist applies them):
//  - alive about another node wins only with a strictly greater incarnation, except for a node
//    never seen before and a left (or reclaimable dead) node coming back at a new address;
//  - suspect applies at incarnation >= known to an alive node; on an already suspect node it is a
//    confirmation for the Lifeguard timer;
//  - dead applies at incarnation >= known unless already dead/left; dead with from === node is left;
//  - accusations about ourselves (suspect, dead, alive with other meta/versions) are refuted with
//    alive at incarnation max(own + 1, accused + 1), and cost one awareness point.
import type { CoreLog } from './core-log.js';
import { Awareness } from './awareness.js';
import { TransmitLimitedQueue } from './broadcast-queue.js';
import {
  addressKey,
  NodeStateKind,
  type AliveMsg,
  type DeadMsg,
  type PacketMessage,
  type PushNodeState,
  type SuspectMsg,
} from './messages.js';
import { moveDeadNodes, randomOffset, shuffleInPlace } from './node-selection.js';
import { aliveOf, bytesEqual, deadOrLeft, toMemberNode, vsnEqual, type NodeState } from './node-state.js';
import { suspicionTimeoutMs } from './scaling.js';
import { Suspicion } from './suspicion.js';
import type { MemberlistConfig, MemberNode } from './types.js';

export class Membership {
  /** Probe order; reshuffled (and reaped) each time the round robin wraps. */
  nodes: NodeState[] = [];
  readonly nodeMap = new Map<string, NodeState>();
  readonly suspicions = new Map<string, Suspicion>();
  readonly broadcasts: TransmitLimitedQueue<PacketMessage>;
  readonly awareness: Awareness;
  /** Our own incarnation counter (memberlist keeps it apart from our node record). */
  private incarnation = 0;
  /** leave() was called: alive messages about ourselves are ignored from now on. */
  left = false;
  /** The leave broadcast has been sent its full number of times (or was superseded). */
  leaveBroadcastDone = false;

  constructor(
    private readonly config: MemberlistConfig,
    private readonly log: CoreLog,
  ) {
    this.awareness = new Awareness(config.timing.awarenessMaxMultiplier);
    this.broadcasts = new TransmitLimitedQueue<PacketMessage>(config.timing.retransmitMult, () => this.estNumNodes());
  }

  /** memberlist's numNodes: every node in the list, any state, ourselves included. */
  estNumNodes(): number {
    return this.nodes.length;
  }

  self(): NodeState | undefined {
    return this.nodeMap.get(this.config.name);
  }

  nextIncarnation(): number {
    this.incarnation = (this.incarnation + 1) >>> 0;
    return this.incarnation;
  }

  /** True when some other node is not dead or left (someone could still hear us). */
  anyAlive(): boolean {
    return this.nodes.some((n) => !deadOrLeft(n) && n.name !== this.config.name);
  }

  queueBroadcast(name: string, msg: PacketMessage, finished?: () => void): void {
    const size = this.config.sizeOf(msg);
    this.broadcasts.queue(finished === undefined ? { name, message: msg, size } : { name, message: msg, size, finished });
  }

  /** Beat an accusation about ourselves: alive with a higher incarnation, broadcast to all. */
  refute(me: NodeState, accusedInc: number): void {
    let inc = this.nextIncarnation();
    if (accusedInc >= inc) {
      this.incarnation = (accusedInc + 1) >>> 0;
      inc = this.incarnation;
    }
    me.incarnation = inc;
    this.awareness.applyDelta(1);
    // memberlist names this broadcast by our address, not our name (kept for identical queueing).
    this.queueBroadcast(me.addr, aliveOf(me, inc));
  }

  /** An alive message (gossip, push/pull, or our own with bootstrap = true). */
  aliveNode(a: AliveMsg, now: number, bootstrap: boolean, finished?: () => void): void {
    const isSelfName = a.node === this.config.name;
    if (this.left && isSelfName) return; // a queued alive must not undo our leave

    const [pMin, pMax, pCur] = a.vsn;
    if (pMin === 0 || pMax === 0 || pMin > pMax) {
      this.log('warn', `Ignoring an alive message for '${a.node}' (${a.addr}:${a.port}) because protocol version(s) are wrong: ${pMin} <= ${pCur} <= ${pMax} should be >0`);
      return;
    }
    const refusal = this.config.delegate?.notifyAlive?.(aliveAsMember(a, now));
    if (refusal !== undefined) {
      this.log('warn', `ignoring alive message for '${a.node}': ${refusal}`);
      return;
    }

    let state = this.nodeMap.get(a.node);
    let updatesNode = false;
    if (state === undefined) {
      state = {
        name: a.node,
        addr: a.addr,
        port: a.port,
        meta: a.meta,
        vsn: a.vsn,
        incarnation: 0,
        state: NodeStateKind.Dead,
        // Go's zero time: "long ago", so a node that never became alive is reaped at once.
        stateChangeMs: Number.NEGATIVE_INFINITY,
      };
      this.nodeMap.set(a.node, state);
      // Insert at a random position so new nodes are probed at random points of the round.
      const n = this.nodes.length;
      const offset = randomOffset(this.config.rng, n);
      this.nodes.push(state);
      const displaced = this.nodes[offset] as NodeState;
      this.nodes[offset] = state;
      this.nodes[n] = displaced;
    } else if (state.addr !== a.addr || state.port !== a.port) {
      const reclaimMs = this.config.timing.deadNodeReclaimMs;
      const canReclaim = reclaimMs > 0 && now - state.stateChangeMs > reclaimMs;
      if (state.state === NodeStateKind.Left || (state.state === NodeStateKind.Dead && canReclaim)) {
        this.log('info', `Updating address for left or failed node ${state.name} from ${state.addr}:${state.port} to ${a.addr}:${a.port}`);
        updatesNode = true;
      } else {
        this.log('error', `Conflicting address for ${state.name}. Mine: ${state.addr}:${state.port} Theirs: ${a.addr}:${a.port} Old state: ${state.state}`);
        this.config.delegate?.notifyConflict?.(toMemberNode(state), aliveAsMember(a, now));
        return;
      }
    }

    const isLocal = state.name === this.config.name;
    if (a.incarnation <= state.incarnation && !isLocal && !updatesNode) return;
    if (a.incarnation < state.incarnation && isLocal) return;

    this.suspicions.delete(a.node);
    const oldState = state.state;
    const oldMeta = state.meta;

    if (!bootstrap && isLocal) {
      // Same incarnation after a restart may still carry different meta: refute unless identical.
      if (a.incarnation === state.incarnation && bytesEqual(a.meta, state.meta) && vsnEqual(a.vsn, state.vsn)) return;
      this.refute(state, a.incarnation);
      this.log('warn', `Refuting an alive message for '${a.node}' (${addressKey(a)}) meta:(${hex(a.meta)} VS ${hex(state.meta)}), vsn:(${a.vsn.join(' ')} VS ${state.vsn.join(' ')})`);
    } else {
      this.queueBroadcast(a.node, a, finished);
      state.vsn = a.vsn;
      state.incarnation = a.incarnation;
      state.meta = a.meta;
      state.addr = a.addr;
      state.port = a.port;
      if (state.state !== NodeStateKind.Alive) {
        state.state = NodeStateKind.Alive;
        state.stateChangeMs = now;
      }
    }

    const d = this.config.delegate;
    if (d === undefined) return;
    if (oldState === NodeStateKind.Dead || oldState === NodeStateKind.Left) d.notifyJoin(toMemberNode(state), now);
    else if (!bytesEqual(oldMeta, state.meta)) d.notifyUpdate(toMemberNode(state), now);
  }

  suspectNode(s: SuspectMsg, now: number): void {
    const state = this.nodeMap.get(s.node);
    if (state === undefined) return;
    if (s.incarnation < state.incarnation) return;

    const timer = this.suspicions.get(s.node);
    if (timer !== undefined) {
      // News to us: pass it on so independent confirmations keep flowing.
      if (timer.confirm(s.from, now)) this.queueBroadcast(s.node, s);
      return;
    }
    if (state.state !== NodeStateKind.Alive) return;

    if (state.name === this.config.name) {
      this.refute(state, s.incarnation);
      this.log('warn', `Refuting a suspect message (from: ${s.from})`);
      this.config.delegate?.notifyRefute?.('suspect', now);
      return;
    }
    this.queueBroadcast(s.node, s);

    state.incarnation = s.incarnation;
    state.state = NodeStateKind.Suspect;
    state.stateChangeMs = now;

    // Aim to hit the nominal timeout two probe intervals early: k confirmations expected, none
    // when the cluster (minus us and the suspect) is too small to give them.
    const n = this.estNumNodes();
    let k = this.config.timing.suspicionMult - 2;
    if (n - 2 < k) k = 0;
    const minMs = suspicionTimeoutMs(this.config.timing.suspicionMult, n, this.config.timing.probeIntervalMs);
    const maxMs = this.config.timing.suspicionMaxTimeoutMult * minMs;
    this.suspicions.set(s.node, new Suspicion(s.from, k, minMs, maxMs, now));
  }

  deadNode(d: DeadMsg, now: number): void {
    const state = this.nodeMap.get(d.node);
    if (state === undefined) return;
    if (d.incarnation < state.incarnation) return;
    this.suspicions.delete(d.node);
    if (deadOrLeft(state)) return;

    if (state.name === this.config.name) {
      if (!this.left) {
        this.refute(state, d.incarnation);
        this.log('warn', `Refuting a dead message (from: ${d.from})`);
        this.config.delegate?.notifyRefute?.('dead', now);
        return;
      }
      this.queueBroadcast(d.node, d, () => {
        this.leaveBroadcastDone = true;
      });
    } else {
      this.queueBroadcast(d.node, d);
    }

    state.incarnation = d.incarnation;
    state.state = d.node === d.from ? NodeStateKind.Left : NodeStateKind.Dead;
    state.stateChangeMs = now;
    this.config.delegate?.notifyLeave(toMemberNode(state), now);
  }

  /** Apply a push/pull view. A peer's "dead" is only believed as far as "suspect". */
  mergeState(remote: readonly PushNodeState[], now: number): void {
    for (const r of remote) {
      switch (r.state) {
        case NodeStateKind.Alive:
          this.aliveNode(
            { type: 'alive', incarnation: r.incarnation, node: r.name, addr: r.addr, port: r.port, meta: r.meta, vsn: r.vsn },
            now,
            false,
          );
          break;
        case NodeStateKind.Left:
          this.deadNode({ type: 'dead', incarnation: r.incarnation, node: r.name, from: r.name }, now);
          break;
        case NodeStateKind.Dead:
        case NodeStateKind.Suspect:
          this.suspectNode({ type: 'suspect', incarnation: r.incarnation, node: r.name, from: this.config.name }, now);
          break;
        default:
          break;
      }
    }
  }

  /** Earliest suspicion deadline, or Infinity. */
  nextSuspicionDeadline(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const s of this.suspicions.values()) if (s.deadlineMs < next) next = s.deadlineMs;
    return next;
  }

  /** Fire every suspicion whose deadline has passed: the suspect is declared dead. */
  runDueSuspicions(now: number): void {
    for (;;) {
      let due: [string, Suspicion] | undefined;
      for (const entry of this.suspicions) {
        if (entry[1].deadlineMs <= now && (due === undefined || entry[1].deadlineMs < due[1].deadlineMs)) due = entry;
      }
      if (due === undefined) return;
      const [name, timer] = due;
      this.suspicions.delete(name);
      const state = this.nodeMap.get(name);
      if (state === undefined || state.state !== NodeStateKind.Suspect) continue;
      this.log('info', `Marking ${name} as failed, suspect timeout reached (${timer.numConfirmations} peer confirmations)`);
      this.deadNode({ type: 'dead', incarnation: state.incarnation, node: name, from: this.config.name }, now);
    }
  }

  /** When the probe round robin wraps: forget long-dead nodes, then reshuffle the order. */
  resetNodes(now: number): void {
    const keep = moveDeadNodes(this.nodes, this.config.timing.gossipToTheDeadMs, now, (n) => n.name === this.config.name);
    for (let i = keep; i < this.nodes.length; i++) {
      const gone = this.nodes[i] as NodeState;
      this.nodeMap.delete(gone.name);
      this.suspicions.delete(gone.name);
    }
    this.nodes.length = keep;
    shuffleInPlace(this.config.rng, this.nodes);
  }
}

function aliveAsMember(a: AliveMsg, now: number): MemberNode {
  return Object.freeze({
    name: a.node,
    addr: a.addr,
    port: a.port,
    meta: a.meta,
    vsn: a.vsn,
    state: NodeStateKind.Alive,
    incarnation: a.incarnation,
    stateChangeMs: now,
  });
}

function hex(b: Uint8Array): string {
  return `[${Array.from(b).join(' ')}]`;
}
