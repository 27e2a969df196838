// A transmit-limited broadcast queue with memberlist's TransmitLimitedQueue semantics (queue.go):
//  - every broadcast is sent at most retransmitMult * ceil(log10(n + 1)) times, then dropped;
//  - a named broadcast replaces any queued one with the same name (memberlist names them by node,
//    so newer news about a node cancels older news); an unnamed, non-unique broadcast removes the
//    queued unnamed ones it `invalidates` (serf's style);
//  - packing prefers the fewest transmits, then the largest message that still fits, then the
//    newest, exactly as the Go btree ordering does, so the same traffic goes out first.
// Generic over the payload so that serf's queues can reuse it.
import { retransmitLimit } from './scaling.js';

export interface Broadcast<T> {
  readonly message: T;
  /** Encoded size in bytes (what counts against the packet budget). */
  readonly size: number;
  /** Named broadcasts replace an older one with the same name. */
  readonly name?: string;
  /** Unique broadcasts never invalidate nor get invalidated. */
  readonly unique?: boolean;
  /** For unnamed, non-unique broadcasts: does this one make `other` obsolete? */
  invalidates?(other: Broadcast<T>): boolean;
  /** Called once when the broadcast leaves the queue: sent enough times, replaced, or reset. */
  finished?(): void;
}

interface Entry<T> {
  readonly b: Broadcast<T>;
  transmits: number;
  readonly id: number;
}

export class TransmitLimitedQueue<T> {
  private entries: Entry<T>[] = [];
  private readonly byName = new Map<string, Entry<T>>();
  private idGen = 0;

  constructor(
    private readonly retransmitMult: number,
    /** Current cluster size estimate (memberlist: nodes known, any state, ourselves included). */
    private readonly numNodes: () => number,
  ) {}

  queue(b: Broadcast<T>): void {
    this.idGen++;
    const entry: Entry<T> = { b, transmits: 0, id: this.idGen };
    if (b.name !== undefined && b.name !== '') {
      const old = this.byName.get(b.name);
      if (old !== undefined) {
        old.b.finished?.();
        this.remove(old);
      }
    } else if (b.unique !== true && b.invalidates !== undefined) {
      const stale = this.entries.filter(
        (e) => (e.b.name === undefined || e.b.name === '') && e.b.unique !== true && b.invalidates?.(e.b) === true,
      );
      for (const e of stale) {
        e.b.finished?.();
        this.remove(e);
      }
    }
    this.entries.push(entry);
    if (b.name !== undefined && b.name !== '') this.byName.set(b.name, entry);
  }

  /**
   * Take broadcasts for one packet: each costs `overhead + size` bytes out of `limit`. Sent ones
   * have their transmit count raised, and leave the queue once they reach the limit.
   */
  getBroadcasts(overhead: number, limit: number): T[] {
    if (this.entries.length === 0) return [];
    const transmitLimit = retransmitLimit(this.retransmitMult, this.numNodes());
    const out: T[] = [];
    const taken = new Set<Entry<T>>();
    let used = 0;
    for (;;) {
      const free = limit - used - overhead;
      if (free <= 0) break;
      let best: Entry<T> | undefined;
      for (const e of this.entries) {
        if (taken.has(e) || e.b.size > free) continue;
        if (best === undefined || before(e, best)) best = e;
      }
      if (best === undefined) break;
      taken.add(best);
      used += overhead + best.b.size;
      out.push(best.b.message);
    }
    for (const e of taken) {
      if (e.transmits + 1 >= transmitLimit) {
        this.remove(e);
        e.b.finished?.();
      } else {
        e.transmits++;
      }
    }
    return out;
  }

  numQueued(): number {
    return this.entries.length;
  }

  /** Drop everything (each broadcast is told it finished). */
  reset(): void {
    for (const e of this.entries) e.b.finished?.();
    this.entries = [];
    this.byName.clear();
    this.idGen = 0;
  }

  /** Keep at most `maxRetain` broadcasts, dropping the most transmitted (then smallest, oldest). */
  prune(maxRetain: number): void {
    while (this.entries.length > maxRetain) {
      let worst = this.entries[0] as Entry<T>;
      for (const e of this.entries) if (before(worst, e)) worst = e;
      worst.b.finished?.();
      this.remove(worst);
    }
  }

  private remove(e: Entry<T>): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    if (e.b.name !== undefined && e.b.name !== '' && this.byName.get(e.b.name) === e) this.byName.delete(e.b.name);
    if (this.entries.length === 0) this.idGen = 0;
  }
}

/** The Go btree order: fewer transmits first, then larger messages, then newer (higher id). */
function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  if (a.transmits !== b.transmits) return a.transmits < b.transmits;
  if (a.b.size !== b.b.size) return a.b.size > b.b.size;
  return a.id > b.id;
}
