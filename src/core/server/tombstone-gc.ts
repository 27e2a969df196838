// Leader duty: reap KV tombstones once they are older than the tombstone TTL (Consul:
// agent/consul/state/tombstone_gc.go, TombstoneTTL 15 min with 30 s granularity). Tombstones
// exist so that a prefix's blocking index moves forward on delete; after the TTL no reasonable
// blocking query still waits on them, and keeping them forever would leak.
//
// The leader samples (time, applied index) every granularity; a reap removes the tombstones with
// an index at or below the sample taken TTL ago. The reap itself goes through Raft, so every
// server drops the same tombstones.
import { monotonicMs } from '../support/clock.js';

export interface TombstoneGcOptions {
  readonly ttlMs: number;
  readonly granularityMs: number;
  readonly appliedIndex: () => number;
  readonly reap: (index: number) => Promise<void>;
  readonly log: (msg: string) => void;
}

export class TombstoneGc {
  private samples: { at: number; index: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reaped = 0;

  constructor(private readonly o: TombstoneGcOptions) {}

  /** Start on taking leadership (samples start fresh: a new leader waits a whole TTL). */
  start(): void {
    this.stop();
    this.samples = [];
    this.timer = setInterval(() => void this.step(monotonicMs()), this.o.granularityMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async step(now: number): Promise<void> {
    this.samples.push({ at: now, index: this.o.appliedIndex() });
    let due = 0;
    while (this.samples.length > 0 && now - (this.samples[0] as { at: number }).at >= this.o.ttlMs) {
      due = (this.samples.shift() as { index: number }).index;
    }
    if (due <= this.reaped) return;
    try {
      await this.o.reap(due);
      this.reaped = due;
    } catch (err) {
      this.o.log(`tombstone reap failed: ${(err as Error).message}`);
    }
  }
}
