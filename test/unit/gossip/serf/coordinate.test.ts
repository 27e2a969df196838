// Vivaldi coordinates (serf's coordinate package): the estimates converge to the true round trip
// times of a simulated network, invalid input is refused with serf's reasons, and the ack payload
// has serf's layout (130 bytes: the ping version, then a msgpack map of float64s).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CoordinateTracker,
  decodeAckPayload,
  distanceSeconds,
  encodeAckPayload,
  newCoordinate,
  VivaldiClient,
  type Coordinate,
} from '../../../../src/core/gossip/serf/coordinate.js';
import { SeededRng } from '../../../../src/core/support/rng.js';

test('the ack payload is [1] + a msgpack map of float64s, 130 bytes as serf sends it, and decodes back', () => {
  const c: Coordinate = { Vec: [0.001, -0.002, 0, 0, 0, 0, 0, 0.5], Error: 0.25, Adjustment: -0.0001, Height: 1e-5 };
  const p = encodeAckPayload(c);
  assert.equal(p[0], 1);
  assert.equal(p.length, 130);
  assert.equal(p[1], 0x84, 'a fixmap of 4 entries');
  assert.deepEqual(decodeAckPayload(p), c);
  assert.equal(decodeAckPayload(new Uint8Array(0)), undefined, 'an empty payload (old agents) carries no coordinate');
  assert.throws(() => decodeAckPayload(Uint8Array.of(2, 0x80)), /Unsupported ping version: 2/);
});

test('estimates converge to the true RTTs of a 6-node network (within 15% or 0.5 ms)', () => {
  // Nodes on a line 10 ms apart, plus a fixed 1 ms per hop "height": true RTT = |i-j|*10ms + 2ms.
  const n = 6;
  const rtt = (i: number, j: number): number => (Math.abs(i - j) * 10 + 2) / 1000;
  const clients = Array.from({ length: n }, (_, i) => new VivaldiClient(i + 1));
  const rng = new SeededRng(7);
  for (let round = 0; round < 2000; round++) {
    const i = rng.int(n);
    let j = rng.int(n - 1);
    if (j >= i) j++;
    const a = clients[i] as VivaldiClient;
    const b = clients[j] as VivaldiClient;
    assert.equal(a.update(`n${j}`, b.get(), rtt(i, j)), undefined);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const est = distanceSeconds((clients[i] as VivaldiClient).get(), (clients[j] as VivaldiClient).get());
      const want = rtt(i, j);
      assert.ok(Math.abs(est - want) <= Math.max(0.15 * want, 0.0005), `n${i}<->n${j}: estimated ${(est * 1000).toFixed(2)} ms, true ${(want * 1000).toFixed(2)} ms`);
    }
  }
});

test('bad samples are refused with serf reasons and leave the coordinate alone', () => {
  const c = new VivaldiClient(1);
  const before = c.get();
  assert.match(c.update('x', { ...newCoordinate(), Vec: [0, 0] }, 0.001) ?? '', /dimensions/);
  assert.match(c.update('x', { ...newCoordinate(), Error: Number.NaN }, 0.001) ?? '', /invalid/);
  assert.match(c.update('x', newCoordinate(), 11) ?? '', /round trip time not in valid range/);
  assert.match(c.update('x', newCoordinate(), -1) ?? '', /round trip time not in valid range/);
  assert.deepEqual(c.get(), before);
});

test('the tracker caches peers from ping completions, logs bad payloads, and forgets reaped members', () => {
  const logs: string[] = [];
  const t = new CoordinateTracker('self', (_l, m) => logs.push(m));
  const peer = new VivaldiClient(9);
  t.pingComplete('peer', 3, encodeAckPayload(peer.get()));
  assert.deepEqual(t.cached('peer'), peer.get());
  assert.deepEqual(t.cached('self'), t.own);
  t.pingComplete('bad', 1, Uint8Array.of(1, 0xc1));
  assert.match(logs.join('\n'), /Failed to decode coordinate from ping/);
  t.retain((name) => name !== 'peer');
  assert.equal(t.cached('peer'), undefined);
  assert.ok(t.cached('self'));
});
