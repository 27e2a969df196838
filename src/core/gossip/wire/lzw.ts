// LZW as Go's compress/lzw does it with order LSB and literal width 8: the compression memberlist
// wraps in its `compress` message ({Algo: 0, Buf}). Codes 0-255 are literals, 256 clears the
// dictionary, 257 ends the data; codes start 9 bits wide and are packed least-significant-bit first.
//
// MUST (bit-exact with Go, so our output matches theirs byte for byte):
//  - the encoder starts with a clear code, then after every emitted code the next free code `hi`
//    advances; the width grows when `hi` reaches 1 << width, and when `hi` reaches 4095 the encoder
//    emits a clear code and starts over at 9 bits (the entry that would have been 4095 is not made);
//  - the decoder widens when its `hi` reaches 1 << width; at 12 bits it stops adding entries until
//    it sees a clear code; the end code is mandatory (input that runs out first is an error, as in Go).
// MUST: decoding is bounded by `maxOutput` and throws LzwError on any malformed input.
import { ByteSink } from './byte-sink.js';
import { LzwError } from './errors.js';

const LITERALS = 256;
const CLEAR_CODE = 256;
const END_CODE = 257;
const FIRST_WIDTH = 9;
const MAX_WIDTH = 12;
/** When the encoder's next free code reaches this, it resets instead of using it. */
const ENCODER_LAST_CODE = (1 << MAX_WIDTH) - 1;
const NO_CODE = -1;

/** Packs variable-width codes LSB first. */
class CodeWriter {
  private acc = 0;
  private nbits = 0;
  width = FIRST_WIDTH;
  constructor(private readonly out: ByteSink) {}
  put(code: number): void {
    this.acc |= code << this.nbits;
    this.nbits += this.width;
    while (this.nbits >= 8) {
      this.out.byte(this.acc & 0xff);
      this.acc >>>= 8;
      this.nbits -= 8;
    }
  }
  /** Pad the last partial byte with zero bits. */
  finish(): void {
    if (this.nbits > 0) this.out.byte(this.acc & 0xff);
    this.acc = 0;
    this.nbits = 0;
  }
}

/** Compress `input` exactly as Go's lzw.NewWriter(w, lzw.LSB, 8) + Write + Close would. */
export function lzwCompress(input: Uint8Array): Uint8Array {
  const out = new ByteSink(Math.max(64, input.length >>> 1));
  const w = new CodeWriter(out);
  // dictionary: (prefix code * 256 + next byte) -> code
  const dict = new Map<number, number>();
  let next = END_CODE; // the code most recently implied; entries are made at next + 1
  let widthLimit = 1 << FIRST_WIDTH;

  /** Account for one emitted code; false when that exhausted the codes and we started over. */
  const advance = (): boolean => {
    next++;
    if (next === widthLimit) {
      w.width++;
      widthLimit <<= 1;
    }
    if (next === ENCODER_LAST_CODE) {
      w.put(CLEAR_CODE);
      w.width = FIRST_WIDTH;
      next = END_CODE;
      widthLimit = 1 << FIRST_WIDTH;
      dict.clear();
      return false;
    }
    return true;
  };

  w.put(CLEAR_CODE);
  if (input.length > 0) {
    let code = input[0] as number;
    for (let i = 1; i < input.length; i++) {
      const byte = input[i] as number;
      const key = code * LITERALS + byte;
      const known = dict.get(key);
      if (known !== undefined) {
        code = known;
        continue;
      }
      w.put(code);
      code = byte;
      if (advance()) dict.set(key, next);
    }
    w.put(code);
    advance();
  }
  w.put(END_CODE);
  w.finish();
  return out.toBytes();
}

/** Decompress Go LZW (LSB, literal width 8); throws LzwError if the output would exceed `maxOutput`. */
export function lzwDecompress(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new ByteSink(Math.min(maxOutput, Math.max(64, input.length * 3)), maxOutput, () => {
    throw new LzwError(`lzw: output exceeds ${maxOutput} bytes`);
  });
  // Entry c (>= 258) expands to expansion(prefix[c]) followed by suffix[c]. Like Go, entries are
  // never wiped on a clear code; prefix[c] < c always holds, so every chain walk terminates.
  const prefix = new Uint16Array(1 << MAX_WIDTH);
  const suffix = new Uint8Array(1 << MAX_WIDTH);
  const scratch = new Uint8Array((1 << MAX_WIDTH) + 1);

  let pos = 0;
  let acc = 0;
  let nbits = 0;
  let width = FIRST_WIDTH;
  let hi = END_CODE;
  let widthLimit = 1 << FIRST_WIDTH;
  let last = NO_CODE;

  for (;;) {
    while (nbits < width) {
      if (pos >= input.length) throw new LzwError('lzw: unexpected end of data (no end code)');
      acc |= (input[pos++] as number) << nbits;
      nbits += 8;
    }
    const code = acc & ((1 << width) - 1);
    acc >>>= width;
    nbits -= width;

    if (code < LITERALS) {
      out.byte(code);
      if (last !== NO_CODE) {
        suffix[hi] = code;
        prefix[hi] = last;
      }
    } else if (code === CLEAR_CODE) {
      width = FIRST_WIDTH;
      hi = END_CODE;
      widthLimit = 1 << FIRST_WIDTH;
      last = NO_CODE;
      continue;
    } else if (code === END_CODE) {
      return out.toBytes();
    } else if (code <= hi) {
      let at = scratch.length;
      let c = code;
      if (code === hi && last !== NO_CODE) {
        // The code being defined right now: last's expansion plus its own first byte.
        c = last;
        while (c >= LITERALS) c = prefix[c] as number;
        scratch[--at] = c;
        c = last;
      }
      while (c >= LITERALS) {
        scratch[--at] = suffix[c] as number;
        c = prefix[c] as number;
      }
      scratch[--at] = c;
      out.bytes(scratch.subarray(at));
      if (last !== NO_CODE) {
        suffix[hi] = c;
        prefix[hi] = last;
      }
    } else {
      throw new LzwError(`lzw: invalid code ${code}`);
    }

    last = code;
    hi++;
    if (hi >= widthLimit) {
      if (width === MAX_WIDTH) {
        // Dictionary full: keep decoding with what we have until the sender clears it.
        last = NO_CODE;
        hi--;
      } else {
        width++;
        widthLimit <<= 1;
      }
    }
  }
}
