import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pushPullScaleMs,
  remainingSuspicionMs,
  retransmitLimit,
  suspicionTimeoutMs,
} from '../../../../src/core/gossip/memberlist/scaling.js';
import { LAN_TIMING, LOCAL_TIMING, WAN_TIMING } from '../../../../src/core/gossip/memberlist/profiles.js';

test('suspicion minimum scales with log10(n), never below 1, truncated to 1/1000 like Go', () => {
  // mult 3, interval 1 s; divided by 3 this is the per-mult scale memberlist's own tests use.
  const perMult = (n: number): number => suspicionTimeoutMs(3, n, 1000) / 3;
  assert.equal(perMult(1), 1000);
  assert.equal(perMult(5), 1000);
  assert.equal(perMult(10), 1000);
  assert.equal(perMult(50), 1698);
  assert.equal(perMult(100), 2000);
  assert.equal(perMult(500), 2698);
  assert.equal(perMult(1000), 3000);
  // LAN: 4 * 1 s for small clusters; 20 nodes -> 4 * 1.301 s.
  assert.equal(suspicionTimeoutMs(LAN_TIMING.suspicionMult, 3, LAN_TIMING.probeIntervalMs), 4000);
  assert.equal(suspicionTimeoutMs(LAN_TIMING.suspicionMult, 20, LAN_TIMING.probeIntervalMs), 5204);
});

test('remaining suspicion time shrinks logarithmically with confirmations and floors at min', () => {
  // n confirmations of k = 3, min 2 s, max 30 s.
  assert.equal(remainingSuspicionMs(0, 3, 0, 2000, 30_000), 30_000);
  assert.equal(remainingSuspicionMs(1, 3, 2000, 2000, 30_000), 14_000);
  assert.equal(remainingSuspicionMs(2, 3, 3000, 2000, 30_000), 4810);
  assert.equal(remainingSuspicionMs(3, 3, 4000, 2000, 30_000), -2000);
  assert.equal(remainingSuspicionMs(4, 3, 5000, 2000, 30_000), -3000);
  assert.equal(remainingSuspicionMs(5, 3, 10_000, 2000, 30_000), -8000);
});

test('retransmit limit is mult * ceil(log10(n + 1))', () => {
  assert.equal(retransmitLimit(3, 0), 0);
  assert.equal(retransmitLimit(3, 1), 3);
  assert.equal(retransmitLimit(3, 9), 3);
  assert.equal(retransmitLimit(3, 10), 6);
  assert.equal(retransmitLimit(3, 99), 6);
  assert.equal(retransmitLimit(4, 100), 12);
});

test('push/pull interval stays flat up to 32 nodes, then grows by ceil(log2(n/32)) + 1', () => {
  assert.equal(pushPullScaleMs(30_000, 1), 30_000);
  assert.equal(pushPullScaleMs(30_000, 32), 30_000);
  assert.equal(pushPullScaleMs(30_000, 33), 60_000);
  assert.equal(pushPullScaleMs(30_000, 64), 60_000);
  assert.equal(pushPullScaleMs(30_000, 65), 90_000);
  assert.equal(pushPullScaleMs(30_000, 1024), 180_000);
});

test('timing profiles carry memberlist defaults', () => {
  assert.deepEqual(
    [LAN_TIMING.probeIntervalMs, LAN_TIMING.probeTimeoutMs, LAN_TIMING.gossipIntervalMs, LAN_TIMING.pushPullIntervalMs, LAN_TIMING.suspicionMult],
    [1000, 500, 200, 30_000, 4],
  );
  assert.deepEqual([WAN_TIMING.probeIntervalMs, WAN_TIMING.probeTimeoutMs, WAN_TIMING.gossipNodes, WAN_TIMING.suspicionMult], [5000, 3000, 4, 6]);
  assert.deepEqual([LOCAL_TIMING.probeTimeoutMs, LOCAL_TIMING.indirectChecks, LOCAL_TIMING.retransmitMult, LOCAL_TIMING.suspicionMult], [200, 1, 2, 3]);
  assert.equal(LAN_TIMING.udpBufferSize, 1400);
  assert.equal(LAN_TIMING.deadNodeReclaimMs, 0);
});
