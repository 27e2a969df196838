// A binary min-heap of timed events for the gossip simulator: ordered by time, then by insertion
// sequence so that equal times pop in a deterministic order.

export interface Timed {
  readonly at: number;
}

interface Slot<T> {
  readonly at: number;
  readonly seq: number;
  readonly item: T;
}

export class EventQueue<T extends Timed> {
  private heap: Slot<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(item: T): void {
    const slot: Slot<T> = { at: item.at, seq: this.seq++, item };
    const h = this.heap;
    h.push(slot);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(slot, h[parent] as Slot<T>)) break;
      h[i] = h[parent] as Slot<T>;
      i = parent;
    }
    h[i] = slot;
  }

  peekTime(): number {
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : (this.heap[0] as Slot<T>).at;
  }

  pop(): T | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0] as Slot<T>;
    const last = h.pop() as Slot<T>;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best = last;
        if (l < h.length && less(h[l] as Slot<T>, best)) {
          m = l;
          best = h[l] as Slot<T>;
        }
        if (r < h.length && less(h[r] as Slot<T>, best)) {
          m = r;
          best = h[r] as Slot<T>;
        }
        if (m === i) break;
        h[i] = best;
        i = m;
      }
      h[i] = last;
    }
    return top.item;
  }
}

function less<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
