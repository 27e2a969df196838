// Safety assertions for pure cores. They stay on in production: a replica that has broken an
// invariant must crash rather than let its state diverge from the others (TigerStyle).

/** Thrown when a safety invariant does not hold. Never caught inside the cores. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

/** Throws an InvariantError with `message` unless `condition` holds. */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new InvariantError(typeof message === 'function' ? message() : message);
  }
}
