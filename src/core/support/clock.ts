// Time for durations and deadlines: the monotonic clock, never the wall clock.
//
// Timers (setTimeout) already run on the monotonic clock. A deadline compared against Date.now()
// moves when the wall clock is set: a jump back by an hour holds a lock-delay, a full
// anti-entropy sync or a blocking query an hour too long, and a jump forward ends them all at
// once. performance.now() only moves forward, at the rate of real time, whatever NTP or an
// operator does to the wall clock. Use Date.now() only for times shown to people or stored as
// timestamps.

/** Milliseconds on the monotonic clock (the origin is arbitrary: compare, never display). */
export function monotonicMs(): number {
  return performance.now();
}
