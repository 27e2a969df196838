// The queries this node started and is still collecting acks and responses for (serf keeps them in
// a map keyed by LTime, one query per LTime since each query increments the clock). A response
// counts once per node; a query stops collecting at its deadline.
import { QUERY_FLAG_ACK, type QueryResponseMessage } from './messages.js';
import type { SerfLogLevel } from './types.js';

/** Who gets a query's acks and responses: the application, or serf itself (key ops, conflicts). */
export interface QueryOwner {
  onAck(from: string, now: number): void;
  onResponse(from: string, payload: Uint8Array, now: number): void;
  onDone(now: number): void;
}

interface PendingQuery {
  readonly id: number;
  readonly ltime: number;
  readonly deadline: number;
  /** Present only when the query asked for acks. */
  readonly acks: Set<string> | undefined;
  readonly responses: Set<string>;
  readonly owner: QueryOwner;
}

export class QueryRegistry {
  private readonly byLTime = new Map<number, PendingQuery>();

  constructor(private readonly log: (level: SerfLogLevel, msg: string) => void) {}

  register(ltime: number, id: number, deadline: number, requestAck: boolean, owner: QueryOwner): void {
    this.byLTime.set(ltime, { id, ltime, deadline, acks: requestAck ? new Set() : undefined, responses: new Set(), owner });
  }

  size(): number {
    return this.byLTime.size;
  }

  handleResponse(resp: QueryResponseMessage, now: number): void {
    const q = this.byLTime.get(resp.ltime);
    if (!q) {
      this.log('warn', `serf: reply for non-running query (LTime: ${resp.ltime}, ID: ${resp.id}) From: ${resp.from}`);
      return;
    }
    if (q.id !== resp.id) {
      this.log('warn', `serf: query reply ID mismatch (Local: ${q.id}, Response: ${resp.id})`);
      return;
    }
    if (now > q.deadline) return; // finished, only not yet swept
    if ((resp.flags & QUERY_FLAG_ACK) !== 0) {
      // Acks nobody asked for are dropped, as Go's nil ack channel would.
      if (!q.acks || q.acks.has(resp.from)) return;
      q.acks.add(resp.from);
      q.owner.onAck(resp.from, now);
      return;
    }
    if (q.responses.has(resp.from)) return;
    q.responses.add(resp.from);
    q.owner.onResponse(resp.from, resp.payload, now);
  }

  /** Close every query whose deadline has come. */
  expire(now: number): void {
    for (const [ltime, q] of [...this.byLTime]) {
      if (q.deadline > now) continue;
      this.byLTime.delete(ltime);
      q.owner.onDone(now);
    }
  }

  nextDeadline(): number {
    let at = Infinity;
    for (const q of this.byLTime.values()) at = Math.min(at, q.deadline);
    return at;
  }
}
