// The server's time source: the monotonic clock and timers, injectable so tests can drive time
// (src/core/state and src/core/fsm never see one).
import { monotonicMs } from '../support/clock.js';
export interface TimerHandle {
  cancel(): void;
}

export interface ServerClock {
  nowMs(): number;
  after(ms: number, fn: () => void): TimerHandle;
}

export const systemClock: ServerClock = {
  nowMs: () => monotonicMs(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
