// LZW: round trips, byte-exactness against Go's compress/lzw output captured from serf, and bounded,
// typed failure on malformed input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LzwError, lzwCompress, lzwDecompress } from '../../../../src/core/gossip/wire/index.js';
import { decode, type GoMap } from '../../../../src/core/gossip/wire/msgpack.js';
import { SeededRng } from '../../../../src/core/support/rng.js';
import { SERF_PUSHPULL_JOIN, SERF_PUSHPULL_LARGE } from './fixtures.js';

function randomBytes(rng: SeededRng, n: number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(alphabet);
  return out;
}

/** The LZW bytes inside a captured compress message ([9]{Algo, Buf}). */
function bufOf(compressMsg: Uint8Array): Uint8Array {
  const m = decode(compressMsg, 1).value as GoMap;
  return m['Buf'] as Uint8Array;
}

describe('lzw', () => {
  it('encodes empty input as clear + end code, like Go', () => {
    // 256 then 257, 9 bits each, LSB first: 256 + (257 << 9) = 0x020300 -> 00 03 02
    assert.deepEqual([...lzwCompress(new Uint8Array(0))], [0x00, 0x03, 0x02]);
    assert.deepEqual([...lzwDecompress(Uint8Array.of(0x00, 0x03, 0x02), 10)], []);
  });

  it('round-trips assorted inputs, including ones long enough to reset the dictionary', () => {
    const rng = new SeededRng(7);
    const inputs = [
      Uint8Array.of(0),
      Uint8Array.of(255, 255),
      new Uint8Array(10000).fill(0x41),
      randomBytes(rng, 100),
      randomBytes(rng, 20000),
      randomBytes(rng, 70000, 4),
      randomBytes(rng, 5000, 16),
    ];
    for (const input of inputs) {
      const packed = lzwCompress(input);
      assert.deepEqual(lzwDecompress(packed, input.length), input);
    }
  });

  it('decompresses serf output and recompresses it to the identical bytes', () => {
    for (const fixture of [SERF_PUSHPULL_JOIN, SERF_PUSHPULL_LARGE]) {
      const goBytes = bufOf(fixture);
      const plain = lzwDecompress(goBytes, 1 << 20);
      assert.equal(plain[0], 6); // a pushPull message inside
      assert.deepEqual(lzwCompress(plain), goBytes);
    }
    // The large capture needs more than the 3838 codes one dictionary holds (so it exercised a reset).
    assert.ok((bufOf(SERF_PUSHPULL_LARGE).length * 8) / 12 > 3838);
  });

  it('refuses output beyond maxOutput', () => {
    const packed = lzwCompress(new Uint8Array(5000));
    assert.throws(() => lzwDecompress(packed, 4999), LzwError);
    assert.equal(lzwDecompress(packed, 5000).length, 5000);
  });

  it('needs the end code: truncated input is an error, as in Go', () => {
    const packed = lzwCompress(new TextEncoder().encode('hello hello hello hello'));
    for (let n = 0; n < packed.length - 1; n++) {
      assert.throws(() => lzwDecompress(packed.subarray(0, n), 1000), LzwError);
    }
  });

  it('rejects a code that is not yet defined', () => {
    // clear, then code 300 at 9 bits: 256 | 300 << 9
    const v = 256 | (300 << 9);
    assert.throws(() => lzwDecompress(Uint8Array.of(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff), 100), LzwError);
  });

  it('terminates with LzwError or a bounded result on random garbage', () => {
    const rng = new SeededRng(99);
    for (let i = 0; i < 300; i++) {
      const junk = randomBytes(rng, 1 + rng.int(3000));
      try {
        assert.ok(lzwDecompress(junk, 1 << 16).length <= 1 << 16);
      } catch (e) {
        assert.ok(e instanceof LzwError, String(e));
      }
    }
  });
});
