// The Raft transport seam: the driver hands outgoing messages to send(); the transport delivers
// incoming ones with RaftDriver.step(). The TCP transport on the server port (8300) arrives with
// the cluster work; a lone server sends nothing, so LoopbackTransport only reports strays.
import type { Message, NodeId } from './core/types.js';

export interface Transport {
  /** Queue a message for its destination. Must not throw; a lost message is Raft's problem to retry. */
  send(msg: Message): void;
}

/** The transport of a single-server cluster: there is nobody to talk to. */
export class LoopbackTransport implements Transport {
  private readonly local = new Map<NodeId, (m: Message) => void>();
  dropped = 0;

  register(id: NodeId, deliver: (m: Message) => void): void {
    this.local.set(id, deliver);
  }

  send(msg: Message): void {
    const deliver = this.local.get(msg.to);
    if (deliver) queueMicrotask(() => deliver(msg));
    else this.dropped++;
  }
}
