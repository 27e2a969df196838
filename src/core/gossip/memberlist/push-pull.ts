// Push/pull anti-entropy and joins (memberlist net.go sendAndReceiveState, sendLocalState,
// mergeRemoteState; state.go pushPull): both sides swap their full node list plus the delegate's
// state over one stream, then merge with mergeState's rules.
// MUST: the responder builds its reply from its state *before* merging the initiator's (as Go does).
// MUST: an exchange that fails verifyProtocol, or that the merge delegate refuses on a join, is not
//       merged at all; as responder we answer with an `err` message (Go's initiator reports it as
//       "remote error: ..."), as initiator the exchange fails with that text.
import type { CoreLog } from './core-log.js';
import type { Membership } from './membership.js';
import type { Address, PushNodeState, PushPullMsg, StreamMessage } from './messages.js';
import { toPushNodeState } from './node-state.js';
import type { Outbox } from './outbox.js';
import type { MemberlistConfig, MemberNode } from './types.js';
import { verifyProtocol } from './verify-protocol.js';

export class PushPull {
  constructor(
    private readonly config: MemberlistConfig,
    private readonly membership: Membership,
    private readonly outbox: Outbox,
    private readonly log: CoreLog,
  ) {}

  localState(join: boolean): PushPullMsg {
    const nodes = this.membership.nodes.map(toPushNodeState);
    const userState = this.config.delegate?.localState(join) ?? new Uint8Array(0);
    return { type: 'pushPull', join, nodes, userState };
  }

  /** Old peers may leave Port out; memberlist substitutes our own bind port. */
  private withPorts(nodes: readonly PushNodeState[]): PushNodeState[] {
    const fix = this.config.protocolVersion < 2;
    return nodes.map((n) => (fix || n.port === 0 ? { ...n, port: this.config.port } : n));
  }

  /** Why this remote view must not be merged (incompatible versions, refused join), if at all. */
  private refusal(join: boolean, remote: readonly PushNodeState[], now: number): string | undefined {
    const err = verifyProtocol(remote, this.membership.nodes);
    if (err !== undefined) return err;
    const notifyMerge = this.config.delegate?.notifyMerge;
    if (join && notifyMerge !== undefined) {
      const peers: MemberNode[] = remote.map((n) =>
        Object.freeze({ name: n.name, addr: n.addr, port: n.port, meta: n.meta, vsn: n.vsn, state: n.state, incarnation: n.incarnation, stateChangeMs: now }),
      );
      return notifyMerge.call(this.config.delegate, peers);
    }
    return undefined;
  }

  private merge(join: boolean, remote: readonly PushNodeState[], userState: Uint8Array, now: number): void {
    this.membership.mergeState(remote, now);
    if (userState.length > 0) this.config.delegate?.mergeRemoteState(userState, join, now);
  }

  /** We answer an inbound push/pull: our state (or an error), then merge theirs. */
  handleInbound(msg: PushPullMsg, now: number): StreamMessage {
    const remote = this.withPorts(msg.nodes);
    const err = this.refusal(msg.join, remote, now);
    if (err !== undefined) {
      this.log('error', `Failed push/pull merge: ${err}`);
      return { type: 'err', error: err };
    }
    const reply = this.localState(msg.join);
    this.merge(msg.join, remote, msg.userState, now);
    return reply;
  }

  /** Start an exchange with `to`; `done` gets undefined on success or the error text. */
  start(to: Address, join: boolean, done: (error: string | undefined, now: number) => void): void {
    this.log('debug', `Initiating push/pull sync with: ${to.addr}:${to.port}`);
    this.outbox.openStream(to, this.localState(join), this.config.timing.tcpTimeoutMs, {
      onReply: (reply, at) => {
        if (reply.type === 'err') return done(`remote error: ${reply.error}`, at);
        if (reply.type !== 'pushPull') return done(`received invalid msgType (${reply.type}), expected pushPullMsg`, at);
        const remote = this.withPorts(reply.nodes);
        const err = this.refusal(join, remote, at);
        if (err !== undefined) return done(err, at);
        this.merge(join, remote, reply.userState, at);
        return done(undefined, at);
      },
      onFail: (error, at) => done(error, at),
    });
  }
}
