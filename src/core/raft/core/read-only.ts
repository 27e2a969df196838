// ReadIndex bookkeeping (Raft thesis §6.4): each read remembers the commit index at the time it
// arrived; it is released once a quorum has answered a heartbeat sent after it arrived, which
// proves this node was still the leader at that point.
//
// MUST: requests are released in arrival order; an ack for a later request also confirms every
// earlier one (the heartbeat round that confirmed it started after they all arrived).

import type { NodeId } from './types.js';

export interface ReadRequest {
  readonly context: string;
  readonly from: NodeId;
  readonly index: number;
}

interface ReadStatus {
  readonly req: ReadRequest;
  readonly acks: Set<NodeId>;
}

export class ReadOnly {
  private readonly pending = new Map<string, ReadStatus>();
  private queue: string[] = [];

  /** Returns false when a request with the same context is already pending (it is ignored). */
  add(req: ReadRequest): boolean {
    if (this.pending.has(req.context)) return false;
    this.pending.set(req.context, { req, acks: new Set() });
    this.queue.push(req.context);
    return true;
  }

  /** Records an ack; returns the set of ackers for `context`, or undefined if unknown. */
  recvAck(from: NodeId, context: string): ReadonlySet<NodeId> | undefined {
    const st = this.pending.get(context);
    if (st === undefined) return undefined;
    st.acks.add(from);
    return st.acks;
  }

  /** Releases every request up to and including `context`, in arrival order. */
  advance(context: string): ReadRequest[] {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const released = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: ReadRequest[] = [];
    for (const ctx of released) {
      const st = this.pending.get(ctx);
      this.pending.delete(ctx);
      if (st !== undefined) out.push(st.req);
    }
    return out;
  }

  lastPendingContext(): string {
    return this.queue.length === 0 ? '' : (this.queue[this.queue.length - 1] as string);
  }

  size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
