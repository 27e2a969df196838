// One timer for every parked blocking query's deadline (a hashed timer wheel).
//
// 10,000 parked queries with a setTimeout each cost 10,000 Timeout objects in the timer lists
// (and their closures) for as long as they are parked. Here a query's deadline is one entry in a
// slot of a fixed ring; one interval, running only while something is parked, visits the slots
// whose time has come and expires what is due. A deadline fires at most one tick late, which is
// well inside the jitter Consul already adds to every wait (up to wait/16).
//
// MUST: expire() is called at most once per add(), never for a removed entry, and after the entry
// has left the wheel (so expire() may add it again).
import { monotonicMs } from '../support/clock.js';

export interface Expirable {
  /** Monotonic milliseconds (support/clock.ts) after which expire() is due. */
  readonly deadlineMs: number;
  /** Owned by the wheel: the slot the entry sits in, or -1 when it is in none. */
  wheelSlot: number;
  expire(): void;
}

export interface WheelClock {
  now(): number;
  every(fn: () => void, ms: number): { unref?(): unknown };
  cancel(handle: unknown): void;
}

const realClock: WheelClock = {
  now: monotonicMs,
  every: (fn, ms) => setInterval(fn, ms),
  cancel: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

const SLOTS = 1024;

export class DeadlineWheel {
  private readonly slots: Set<Expirable>[] = Array.from({ length: SLOTS }, () => new Set<Expirable>());
  private count = 0;
  private timer: { unref?(): unknown } | undefined;
  private lastTick = 0;
  /** Test hook: how many real timers this wheel has started in its life (one per busy period). */
  timersStarted = 0;

  constructor(
    readonly tickMs = 50,
    private readonly clock: WheelClock = realClock,
  ) {}

  get size(): number {
    return this.count;
  }

  add(e: Expirable): void {
    if (e.wheelSlot >= 0) this.remove(e);
    if (!this.timer) {
      this.lastTick = Math.floor(this.clock.now() / this.tickMs);
      this.timer = this.clock.every(() => this.advance(), this.tickMs);
      this.timer.unref?.();
      this.timersStarted++;
    }
    // A deadline already behind the hand goes in the next slot to be visited.
    const tick = Math.max(Math.ceil(e.deadlineMs / this.tickMs), this.lastTick + 1);
    e.wheelSlot = tick % SLOTS;
    (this.slots[e.wheelSlot] as Set<Expirable>).add(e);
    this.count++;
  }

  remove(e: Expirable): void {
    if (e.wheelSlot < 0) return;
    if ((this.slots[e.wheelSlot] as Set<Expirable>).delete(e)) this.count--;
    e.wheelSlot = -1;
    if (this.count === 0) this.stop();
  }

  /** Visit every slot the hand has passed since the last call; expire what is due. */
  advance(): void {
    const now = this.clock.now();
    const nowTick = Math.floor(now / this.tickMs);
    const due: Expirable[] = [];
    for (let t = this.lastTick + 1; t <= nowTick && t <= this.lastTick + SLOTS; t++) {
      const slot = this.slots[t % SLOTS] as Set<Expirable>;
      for (const e of slot) if (e.deadlineMs <= now) due.push(e);
    }
    if (nowTick > this.lastTick) this.lastTick = nowTick;
    for (const e of due) this.remove(e);
    for (const e of due) e.expire();
  }

  private stop(): void {
    if (this.timer) this.clock.cancel(this.timer);
    this.timer = undefined;
  }
}

/** The agent's one wheel for blocking-query deadlines. */
export const blockingDeadlines = new DeadlineWheel();
