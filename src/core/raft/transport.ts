// The Raft transport seam: the driver hands outgoing messages to send(); the transport delivers
// incoming ones with RaftDriver.step(). RpcRaftTransport (rpc-transport.ts) carries them over the
// server RPC port; a lone server sends nothing, so LoopbackTransport only reports strays.
import type { Message, NodeId } from './core/types.js';

/** What a transport tells the driver about deliveries (the core's flow control needs both). */
export interface TransportReporter {
  /** A message to `id` could not be sent: stop pipelining to it until it answers again. */
  reportUnreachable(id: NodeId): void;
  /** The snapshot sent to `id` was delivered (ok) or failed; until then the leader sends it nothing. */
  reportSnapshot(id: NodeId, ok: boolean): void;
}

export interface Transport {
  /** Queue a message for its destination. Must not throw; a lost message is Raft's problem to retry. */
  send(msg: Message): void;
  /** Called once by the driver of node `self`, so delivery failures reach its core. */
  bindReporter?(self: NodeId, reporter: TransportReporter): void;
}

/** The transport of a single-server cluster (and of in-process tests): direct delivery by id. */
export class LoopbackTransport implements Transport {
  private readonly local = new Map<NodeId, (m: Message) => void>();
  private readonly reporters = new Map<NodeId, TransportReporter>();
  dropped = 0;

  register(id: NodeId, deliver: (m: Message) => void): void {
    this.local.set(id, deliver);
  }

  bindReporter(self: NodeId, reporter: TransportReporter): void {
    this.reporters.set(self, reporter);
  }

  send(msg: Message): void {
    const deliver = this.local.get(msg.to);
    if (!deliver) {
      this.dropped++;
      if (msg.type === 'snapshot') queueMicrotask(() => this.reporters.get(msg.from)?.reportSnapshot(msg.to, false));
      return;
    }
    queueMicrotask(() => {
      deliver(msg);
      if (msg.type === 'snapshot') this.reporters.get(msg.from)?.reportSnapshot(msg.to, true);
    });
  }
}
