// Framing, envelope validation and address parsing of the RPC layer (no sockets).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { formatAddr, parseAddr } from '../../../src/core/rpc/addr.js';
import { FrameError, FrameReader, frameOf } from '../../../src/core/rpc/frame.js';
import { decodeEnvelope, encodeEnvelope, ProtocolError } from '../../../src/core/rpc/protocol.js';
import { SeededRng } from '../../../src/core/support/rng.js';

const bodies = [new Uint8Array(0), Uint8Array.of(1), Buffer.from('hello'), new Uint8Array(1000).fill(7)];
const stream = Buffer.concat(bodies.map((b) => frameOf(b)));

test('FrameReader yields the same frames however the stream is split', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const r = new FrameReader();
    const got = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
    assert.deepEqual(got.map((f) => Buffer.from(f)), bodies.map((b) => Buffer.from(b)), `cut at ${cut}`);
    assert.equal(r.buffered, 0);
  }
  const rng = new SeededRng(7);
  for (let round = 0; round < 50; round++) {
    const r = new FrameReader();
    const got: Uint8Array[] = [];
    for (let off = 0; off < stream.length; ) {
      const n = 1 + rng.int(40);
      got.push(...r.push(stream.subarray(off, off + n)));
      off += n;
    }
    assert.deepEqual(got.map((f) => Buffer.from(f)), bodies.map((b) => Buffer.from(b)));
  }
});

test('FrameReader rejects an oversized length before buffering its body, then stays failed', () => {
  const r = new FrameReader(100);
  assert.deepEqual(r.push(frameOf(new Uint8Array(100))).map((f) => f.length), [100]);
  const header = Buffer.from([0xff, 0xff, 0xff, 0xff]);
  assert.throws(() => r.push(header.subarray(0, 2)).concat(r.push(header.subarray(2))), FrameError);
  assert.throws(() => r.push(Uint8Array.of(0)), FrameError);
  assert.throws(() => frameOf(new Uint8Array(101), 100), FrameError);
});

test('envelopes round-trip; bad shapes are ProtocolErrors', () => {
  const blob = Uint8Array.of(0, 1, 2, 255);
  const framed = encodeEnvelope({ t: 'req', id: 42, m: 'Raft.Apply', b: { blob, n: 5, s: 'x', list: [1, 'a'] } });
  const [frame] = new FrameReader().push(framed);
  assert.ok(frame);
  const env = decodeEnvelope(frame);
  assert.deepEqual(env, { t: 'req', id: 42, m: 'Raft.Apply', b: { blob, n: 5, s: 'x', list: [1, 'a'] } });
  assert.deepEqual(decodeEnvelope(encode({ t: 'res', id: 1, e: 'No cluster leader' })), { t: 'res', id: 1, e: 'No cluster leader' });
  assert.deepEqual(decodeEnvelope(encode({ t: 'msg', m: 'raft' })), { t: 'msg', m: 'raft', b: undefined });
  for (const bad of [
    Uint8Array.of(),
    Uint8Array.of(0xc1),
    encode([1, 2]),
    encode('str'),
    encode({ t: 'nope', id: 1 }),
    encode({ t: 'req', id: -1, m: 'x' }),
    encode({ t: 'req', id: 1.5, m: 'x' }),
    encode({ t: 'req', id: 1 }),
    encode({ t: 'msg', m: '' }),
    encode({ t: 'res', id: 1, e: 5 }),
    Buffer.concat([encode({ t: 'msg', m: 'x' }), Uint8Array.of(0)]),
  ]) {
    assert.throws(() => decodeEnvelope(bad), ProtocolError, Buffer.from(bad).toString('hex'));
  }
});

test('addresses: host:port and [v6]:port', () => {
  assert.deepEqual(parseAddr('127.0.0.1:8300'), { host: '127.0.0.1', port: 8300 });
  assert.deepEqual(parseAddr('[::1]:8300'), { host: '::1', port: 8300 });
  assert.deepEqual(parseAddr('consul-1:1'), { host: 'consul-1', port: 1 });
  for (const bad of ['', '127.0.0.1', ':80', '::1:8300', '[::1]8300', '[x]:1', 'h:0', 'h:65536', 'h:8a', 'h:']) {
    assert.equal(parseAddr(bad), null, bad);
  }
  assert.equal(formatAddr('::1', 5), '[::1]:5');
  assert.equal(formatAddr('10.0.0.1', 5), '10.0.0.1:5');
});
