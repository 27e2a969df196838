// The server's time source: wall clock and timers, injectable so tests can drive time
// (src/core/state and src/core/fsm never see one).
export interface TimerHandle {
  cancel(): void;
}

export interface ServerClock {
  nowMs(): number;
  after(ms: number, fn: () => void): TimerHandle;
}

export const systemClock: ServerClock = {
  nowMs: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
