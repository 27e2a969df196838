// memberlist's TransmitLimitedQueue for serf's own broadcasts. Serf's broadcasts are "unique" (no
// message invalidates another), so this is the queue without the invalidation paths.
// MUST: hand out the least-transmitted messages first, largest first within a tier, newest first
//       among equals; retire a message once it has gone out retransmitMult * ceil(log10(n + 1))
//       times, and call its onFinished then (or when it is pruned).

interface QueuedBroadcast {
  transmits: number;
  readonly msg: Uint8Array;
  readonly id: number;
  readonly onFinished: (() => void) | undefined;
}

/** memberlist's retransmitLimit. */
export function retransmitLimit(retransmitMult: number, numNodes: number): number {
  return retransmitMult * Math.ceil(Math.log10(numNodes + 1));
}

/** Transmit order: fewer transmits first, then longer messages, then newer ones. */
function before(a: QueuedBroadcast, b: QueuedBroadcast): number {
  if (a.transmits !== b.transmits) return a.transmits - b.transmits;
  if (a.msg.length !== b.msg.length) return b.msg.length - a.msg.length;
  return b.id - a.id;
}

export class BroadcastQueue {
  private items: QueuedBroadcast[] = [];
  private nextId = 0;

  /** `numNodes` is read at send time, as memberlist's NumNodes callback is. */
  constructor(
    private readonly retransmitMult: number,
    private readonly numNodes: () => number,
  ) {}

  queue(msg: Uint8Array, onFinished?: () => void): void {
    this.nextId += 1;
    this.items.push({ transmits: 0, msg, id: this.nextId, onFinished });
  }

  numQueued(): number {
    return this.items.length;
  }

  /** Messages to piggyback, at most `limit` bytes counting `overhead` per message. */
  getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    if (this.items.length === 0) return [];
    const transmitLimit = retransmitLimit(this.retransmitMult, this.numNodes());
    // One pass in transmit order taking whatever still fits is the same choice as memberlist's
    // tier-by-tier search: an item skipped for size never fits later in the same call.
    const ordered = [...this.items].sort(before);
    const out: Uint8Array[] = [];
    const done = new Set<QueuedBroadcast>();
    let used = 0;
    for (const item of ordered) {
      const free = limit - used - overhead;
      if (free <= 0) break;
      if (item.msg.length > free) continue;
      used += overhead + item.msg.length;
      out.push(item.msg);
      if (item.transmits + 1 >= transmitLimit) done.add(item);
      else item.transmits += 1;
    }
    if (done.size > 0) {
      this.items = this.items.filter((i) => !done.has(i));
      for (const i of done) i.onFinished?.();
    }
    return out;
  }

  /** Keep only the `maxRetain` freshest messages (memberlist Prune). */
  prune(maxRetain: number): void {
    if (this.items.length <= maxRetain) return;
    const ordered = [...this.items].sort(before);
    const dropped = ordered.slice(maxRetain);
    this.items = ordered.slice(0, maxRetain);
    for (const i of dropped) i.onFinished?.();
  }
}
