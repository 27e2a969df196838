// One fuzz target per input surface (issue: fuzzing every input surface). A target turns a
// generated input into one call of the code that meets untrusted bytes at that surface.
//
// The invariant for every target: the code under test returns, or throws one of the typed errors
// its edge catches (the "refusals" listed by the target), within 1 s per input and with memory
// bounded. Anything else (a TypeError, a RangeError, an error the edge does not expect, a hang) is
// a finding. Each finding becomes a unit test in test/unit, named for the target.
import fc from 'fast-check';

export interface FuzzTarget<T = unknown> {
  readonly name: string;
  /** What this target feeds, for the report. */
  readonly surface: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Feed one input. Throw only for a finding: typed refusals are caught here or by `refusals`. */
  run(input: T): void | Promise<void>;
  /** Error classes the real edge catches and drops or answers with (a refusal, not a finding). */
  readonly refusals: ReadonlyArray<abstract new (...args: never[]) => Error>;
  /** Set-up that costs too much per input (an agent, a keyring), and its tear-down. */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

/** Bytes that are mostly a valid message with a few mutations: flips, cuts, splices, inserts. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const mutation = fc.oneof(
    fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ k: fc.constant('set' as const), at: fc.nat(), v: fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0xc0, 0xc1, 0xdc, 0xdd, 0xde, 0xdf, 0xca, 0xcb, 0xd9, 0xda, 0xdb) }),
    fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ k: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
    fc.record({ k: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  );
  return fc.tuple(valid, fc.array(mutation, { maxLength: 4 })).map(([bytes, muts]) => {
    let b = Uint8Array.from(bytes);
    for (const m of muts) {
      const at = b.length === 0 ? 0 : m.at % (b.length + 1);
      switch (m.k) {
        case 'flip':
          if (at < b.length) b[at] = (b[at] as number) ^ (1 << m.bit);
          break;
        case 'set':
          if (at < b.length) b[at] = m.v;
          break;
        case 'cut':
          b = b.subarray(0, at);
          break;
        case 'insert':
          b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
          break;
        case 'dup':
          b = Uint8Array.from([...b.subarray(0, at + m.len), ...b.subarray(at, at + m.len), ...b.subarray(at + m.len)]);
          break;
      }
    }
    return b;
  });
}

/** Random bytes half the time, a mutated valid message the other half. */
export function bytesLike(valid: fc.Arbitrary<Uint8Array>, maxRandom = 512): fc.Arbitrary<Uint8Array> {
  return fc.oneof({ weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) }, { weight: 3, arbitrary: mutated(valid) });
}

/** Text with the same idea: a mutated valid document, or arbitrary text. */
export function textLike(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const utf8 = new TextEncoder();
  const dec = new TextDecoder();
  return fc.oneof(
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 256 }) },
    { weight: 3, arbitrary: mutated(valid.map((s) => utf8.encode(s))).map((b) => dec.decode(b)) },
  );
}
