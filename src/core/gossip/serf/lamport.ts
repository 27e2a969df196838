// Lamport clocks as serf keeps them (one each for membership intents, user events and queries).
// MUST: a clock starts at 0 and increment() returns the new value; witness(t) leaves the clock at
//       least t + 1, because a message stamped t has already been sent by someone.
// Values are plain numbers: serf's uint64 clocks never get near 2^53 in practice.

export class LamportClock {
  private counter: number;

  constructor(start = 0) {
    this.counter = start;
  }

  /** The current value, what serf stamps on the next message it sends. */
  time(): number {
    return this.counter;
  }

  /** Advance by one and return the new value. */
  increment(): number {
    this.counter += 1;
    return this.counter;
  }

  /** Move past a time seen on someone else's message; older times change nothing. */
  witness(seen: number): void {
    if (seen < this.counter) return;
    this.counter = seen + 1;
  }
}
