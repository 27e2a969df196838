// A lossy network: random delay (hence reordering), drops, duplicates, symmetric and asymmetric
// partitions. Deterministic: all randomness comes from the seeded rng.

import type { Message, NodeId } from '../../src/core/raft/core/index.js';
import type { SeededRng } from '../../src/core/support/rng.js';

export interface InFlight {
  readonly msg: Message;
  readonly deliverAt: number;
  readonly seq: number;
  /** Incarnation of the sender when sent (snapshot reports go only to that incarnation). */
  readonly senderEpoch: number;
}

export interface NetFaults {
  dropRate: number;
  dupRate: number;
  maxDelayUnits: number;
}

export class SimNetwork {
  private queue: InFlight[] = [];
  private seq = 0;
  /** Directed blocked links "from->to". */
  private readonly blocked = new Set<string>();
  sent = 0;
  dropped = 0;

  constructor(private readonly rng: SeededRng, public faults: NetFaults) {}

  send(msg: Message, now: number, senderEpoch: number): 'queued' | 'dropped' {
    this.sent++;
    if (this.isBlocked(msg.from, msg.to) || this.rng.chance(this.faults.dropRate)) {
      this.dropped++;
      return 'dropped';
    }
    this.enqueue(msg, now, senderEpoch);
    if (this.rng.chance(this.faults.dupRate)) this.enqueue(msg, now, senderEpoch);
    return 'queued';
  }

  private enqueue(msg: Message, now: number, senderEpoch: number): void {
    const delay = 1 + this.rng.int(this.faults.maxDelayUnits);
    this.queue.push({ msg, deliverAt: now + delay, seq: this.seq++, senderEpoch });
  }

  /** Messages due at `now`, in a random order among themselves. A partition drops them too. */
  due(now: number): { deliver: InFlight[]; lost: InFlight[] } {
    const deliver: InFlight[] = [];
    const lost: InFlight[] = [];
    const keep: InFlight[] = [];
    for (const f of this.queue) {
      if (f.deliverAt > now) keep.push(f);
      else if (this.isBlocked(f.msg.from, f.msg.to)) lost.push(f);
      else deliver.push(f);
    }
    this.queue = keep;
    deliver.sort((a, b) => a.seq - b.seq);
    for (let i = deliver.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const t = deliver[i] as InFlight;
      deliver[i] = deliver[j] as InFlight;
      deliver[j] = t;
    }
    this.dropped += lost.length;
    return { deliver, lost };
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(`${from}->${to}`);
  }

  block(from: NodeId, to: NodeId): void {
    this.blocked.add(`${from}->${to}`);
  }

  /** Splits `ids` into two sides that cannot talk (symmetric partition). */
  partition(sideA: readonly NodeId[], sideB: readonly NodeId[]): void {
    for (const a of sideA) {
      for (const b of sideB) {
        this.block(a, b);
        this.block(b, a);
      }
    }
  }

  healPartitions(): void {
    this.blocked.clear();
  }

  hasPartitions(): boolean {
    return this.blocked.size > 0;
  }

  pending(): number {
    return this.queue.length;
  }
}
