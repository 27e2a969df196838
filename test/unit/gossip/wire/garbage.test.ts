// Hostile input: random bytes, truncations and bit flips of real captures must make decodePacket and
// parseStream throw a WireError or return (a message / null), never hang, crash otherwise, or
// allocate absurd amounts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring, WireError, decodePacket, encodePacket, encodeStream, parseStream } from '../../../../src/core/gossip/wire/index.js';
import { SeededRng } from '../../../../src/core/support/rng.js';
import {
  FIXTURE_KEY,
  SERF_PUSHPULL_JOIN,
  SERF_PUSHPULL_JOIN_ENCRYPTED,
  SERF_UDP_ACK,
  SERF_UDP_GOSSIP,
  SERF_UDP_GOSSIP_ENCRYPTED,
  SERF_UDP_PING,
} from './fixtures.js';

const keyring = new Keyring([], FIXTURE_KEY);

function tryPacket(buf: Uint8Array, withKeys: boolean): void {
  try {
    decodePacket(buf, { keyring: withKeys ? keyring : undefined, verifyIncoming: false, onPartError: () => undefined });
  } catch (e) {
    assert.ok(e instanceof WireError, `non-wire error: ${String(e)}`);
  }
}

function tryStream(buf: Uint8Array, withKeys: boolean): void {
  try {
    parseStream(buf, { keyring: withKeys ? keyring : undefined, verifyIncoming: false, maxBufferedBytes: 1 << 16 });
  } catch (e) {
    assert.ok(e instanceof WireError, `non-wire error: ${String(e)}`);
  }
}

function mutations(rng: SeededRng, seed: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = 0; n <= seed.length; n++) out.push(seed.subarray(0, n));
  for (let i = 0; i < count; i++) {
    const m = Uint8Array.from(seed);
    const flips = 1 + rng.int(4);
    for (let f = 0; f < flips; f++) {
      const at = rng.int(m.length);
      m[at] = rng.int(3) === 0 ? rng.int(256) : (m[at] as number) ^ (1 << rng.int(8));
    }
    out.push(m);
  }
  return out;
}

describe('garbage input', () => {
  const rng = new SeededRng(2024);

  it('random packets and streams only ever raise WireError', () => {
    for (let i = 0; i < 3000; i++) {
      const junk = new Uint8Array(rng.int(300));
      for (let j = 0; j < junk.length; j++) junk[j] = rng.int(256);
      // Bias the first byte towards real message types so the deeper paths get exercised.
      if (junk.length > 0 && rng.int(2) === 0) junk[0] = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 244]);
      const withKeys = rng.int(2) === 0;
      tryPacket(junk, withKeys);
      tryStream(junk, withKeys);
    }
  });

  it('truncated and bit-flipped captures only ever raise WireError', () => {
    const ours = [
      encodePacket([{ type: 'ping', seqNo: 1, node: 'x' }, { type: 'user', payload: new Uint8Array(9) }], { crc: false, compress: true }),
      encodeStream({ type: 'user', payload: new Uint8Array(40) }, { compress: false }),
    ];
    for (const seed of [SERF_UDP_PING, SERF_UDP_GOSSIP, SERF_UDP_ACK, ...ours]) {
      for (const m of mutations(rng, seed, 400)) tryPacket(m, false);
    }
    for (const m of mutations(rng, SERF_UDP_GOSSIP_ENCRYPTED, 200)) tryPacket(m, true);
    for (const seed of [SERF_PUSHPULL_JOIN, ...ours]) {
      for (const m of mutations(rng, seed, 400)) tryStream(m, false);
    }
    for (const m of mutations(rng, SERF_PUSHPULL_JOIN_ENCRYPTED, 200)) tryStream(m, true);
  });

  it('huge declared sizes are refused without allocating them', () => {
    const lies = [
      Uint8Array.of(6, 0x83, 0xa5, 0x4e, 0x6f, 0x64, 0x65, 0x73, 0xce, 0xff, 0xff, 0xff, 0xff), // Nodes: 2^32-1
      Uint8Array.of(6, 0x81, 0xa5, 0x4e, 0x6f, 0x64, 0x65, 0x73, 0xce, 0x00, 0x10, 0x00, 0x00), // Nodes: 2^20, no data
      Uint8Array.of(8, 0xdd, 0xff, 0xff, 0xff, 0xff), // array of 2^32-1
      Uint8Array.of(9, 0xdf, 0xff, 0xff, 0xff, 0xff), // map of 2^32-1
      Uint8Array.of(9, 0x82, 0xa4, 0x41, 0x6c, 0x67, 0x6f, 0x00, 0xa3, 0x42, 0x75, 0x66, 0xdb, 0xff, 0xff, 0xff, 0xff),
    ];
    for (const lie of lies) {
      tryStream(lie, false);
      tryPacket(lie, false);
    }
  });
});
