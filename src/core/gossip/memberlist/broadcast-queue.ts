// A transmit-limited broadcast queue with memberlist's TransmitLimitedQueue semantics (queue.go):
//  - every broadcast is sent at most retransmitMult * ceil(log10(n + 1)) times, then dropped;
//  - a named broadcast replaces any queued one with the same name (memberlist names them by node,
//    so newer news about a node cancels older news); an unnamed, non-unique broadcast removes the
//    queued unnamed ones it `invalidates` (serf's style);
//  - packing prefers the fewest transmits, then the largest message that still fits, then the
//    newest, exactly as the Go btree ordering does, so the same traffic goes out first.
// Generic over the payload so that serf's queues can reuse it.
//
// Layout: one array per transmit count ("tier", as Go's GetBroadcasts walks them), each kept
// sorted by size descending then id descending. Taking the best message that fits is a binary
// search in the lowest tier that has one, so a packet costs O(messages * log queued), like Go's
// btree. (A linear scan per message made every packet O(messages * queued): a node that has just
// joined a 1,000-member cluster re-broadcasts the ~1,000 alive messages its push/pull taught it,
// and each of its packets then cost ~20,000 comparisons.)
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
  /** False once the entry left the queue (it may be out of its tier while a packet is packed). */
  queued: boolean;
}

export class TransmitLimitedQueue<T> {
  /** tiers[t]: the entries sent t times, sorted by size descending, then id descending. */
  private tiers: Entry<T>[][] = [];
  private count = 0;
  private readonly byName = new Map<string, Entry<T>>();
  private idGen = 0;

  constructor(
    private readonly retransmitMult: number,
    /** Current cluster size estimate (memberlist: nodes known, any state, ourselves included). */
    private readonly numNodes: () => number,
  ) {}

  queue(b: Broadcast<T>): void {
    this.idGen++;
    const entry: Entry<T> = { b, transmits: 0, id: this.idGen, queued: true };
    if (b.name !== undefined && b.name !== '') {
      const old = this.byName.get(b.name);
      if (old !== undefined) {
        old.b.finished?.();
        this.remove(old);
      }
    } else if (b.unique !== true && b.invalidates !== undefined) {
      const stale = this.all().filter(
        (e) => (e.b.name === undefined || e.b.name === '') && e.b.unique !== true && b.invalidates?.(e.b) === true,
      );
      for (const e of stale) {
        e.b.finished?.();
        this.remove(e);
      }
    }
    this.insert(entry);
    this.count++;
    if (b.name !== undefined && b.name !== '') this.byName.set(b.name, entry);
  }

  /**
   * Take broadcasts for one packet: each costs `overhead + size` bytes out of `limit`. Sent ones
   * have their transmit count raised, and leave the queue once they reach the limit.
   */
  getBroadcasts(overhead: number, limit: number): T[] {
    if (this.count === 0) return [];
    const transmitLimit = retransmitLimit(this.retransmitMult, this.numNodes());
    const out: T[] = [];
    const taken: Entry<T>[] = [];
    let used = 0;
    // Go walks the tiers upwards and never back: free space only shrinks, so a tier with nothing
    // that fits now has nothing that fits later in this packet either.
    for (let t = 0; t < this.tiers.length; ) {
      const free = limit - used - overhead;
      if (free <= 0) break;
      const tier = this.tiers[t] as Entry<T>[];
      const i = firstFitting(tier, free);
      if (i === tier.length) {
        t++;
        continue;
      }
      const best = tier[i] as Entry<T>;
      tier.splice(i, 1);
      taken.push(best);
      used += overhead + best.b.size;
      out.push(best.b.message);
    }
    // Re-file what was sent only now, so that it is not picked twice for the same packet.
    for (const e of taken) {
      if (!e.queued) continue;
      if (e.transmits + 1 >= transmitLimit) {
        this.forget(e);
        e.b.finished?.();
      } else {
        e.transmits++;
        this.insert(e);
      }
    }
    return out;
  }

  numQueued(): number {
    return this.count;
  }

  /** Drop everything (each broadcast is told it finished). */
  reset(): void {
    const all = this.all();
    this.tiers = [];
    this.count = 0;
    this.byName.clear();
    this.idGen = 0;
    for (const e of all) {
      e.queued = false;
      e.b.finished?.();
    }
  }

  /** Keep at most `maxRetain` broadcasts, dropping the most transmitted (then smallest, oldest). */
  prune(maxRetain: number): void {
    while (this.count > maxRetain) {
      let t = this.tiers.length - 1;
      while (t >= 0 && (this.tiers[t] as Entry<T>[]).length === 0) t--;
      if (t < 0) return;
      const worst = (this.tiers[t] as Entry<T>[]).at(-1) as Entry<T>;
      worst.b.finished?.();
      this.remove(worst);
    }
  }

  private all(): Entry<T>[] {
    return this.tiers.flat();
  }

  /** File an entry in its tier at its sorted place. */
  private insert(e: Entry<T>): void {
    while (this.tiers.length <= e.transmits) this.tiers.push([]);
    const tier = this.tiers[e.transmits] as Entry<T>[];
    let lo = 0;
    let hi = tier.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(tier[mid] as Entry<T>, e)) lo = mid + 1;
      else hi = mid;
    }
    tier.splice(lo, 0, e);
  }

  /** Take an entry out of the queue (out of its tier too, if it is filed there). */
  private remove(e: Entry<T>): void {
    if (!e.queued) return;
    const tier = this.tiers[e.transmits];
    const i = tier === undefined ? -1 : tier.indexOf(e);
    if (i >= 0) tier?.splice(i, 1);
    this.forget(e);
  }

  private forget(e: Entry<T>): void {
    e.queued = false;
    this.count--;
    if (e.b.name !== undefined && e.b.name !== '' && this.byName.get(e.b.name) === e) this.byName.delete(e.b.name);
    if (this.count === 0) this.idGen = 0;
  }
}

/** In a tier sorted by size descending: the index of the first entry of at most `free` bytes. */
function firstFitting<T>(tier: readonly Entry<T>[], free: number): number {
  let lo = 0;
  let hi = tier.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tier[mid] as Entry<T>).b.size > free) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The Go btree order: fewer transmits first, then larger messages, then newer (higher id). */
function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  if (a.transmits !== b.transmits) return a.transmits < b.transmits;
  if (a.b.size !== b.b.size) return a.b.size > b.b.size;
  return a.id > b.id;
}
