// The clock/timer seam of the check runners and the agent's sync loops. Production code uses
// `systemTimers`; unit tests pass a manual clock and advance it, so status rules (TTL expiry,
// intervals, timeouts, reaping) are tested without sleeping.
//
// Threading: callbacks run on the event loop, never re-entrantly from setTimeout itself.
import { monotonicMs } from '../support/clock.js';

export interface TimerHandle {
  readonly id: number;
}

export interface Timers {
  /** Milliseconds since some fixed origin (the monotonic clock in production). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** A uniform random number in [0, 1): stagger and jitter. */
  random(): number;
}

let nextId = 1;

class SystemTimers implements Timers {
  private readonly live = new Map<number, NodeJS.Timeout>();

  now(): number {
    return monotonicMs();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    const t = setTimeout(() => {
      this.live.delete(id);
      fn();
    }, Math.max(0, ms));
    t.unref?.();
    this.live.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.live.get(handle.id);
    if (t) clearTimeout(t);
    this.live.delete(handle.id);
  }

  random(): number {
    return Math.random();
  }
}

export const systemTimers: Timers = new SystemTimers();

/** A manual clock for tests: time moves only when `advance` is called. */
export class ManualTimers implements Timers {
  private time = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(private readonly rand: () => number = () => 0) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.pending.delete(handle.id);
  }

  random(): number {
    return this.rand();
  }

  /** Move time forward, firing due timers in order (timers they schedule fire too if due). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].fn();
    }
    this.time = end;
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
