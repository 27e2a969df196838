// CI entry of the full-stack simulator (Raft + real FSM + KV clients, linearizability-checked):
// a fixed list of seeds, a few random ones (printed, so a failure replays with
// SEED=<n> npm run sim -- --stack=kv), and self-tests showing planted bugs are caught.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DRIVER_LEASE_READS_WAIT_FOR_COMMIT, runKvSeed } from './kv-simulate.js';
import { replayHint } from './simulate.js';

const FIXED_SEEDS = [
  1, 2, 3, 5, 8, 12, 13, 16, 18, 21, 34, 55, 78, 89, 144, 166, 377, 610, 987,
  1597, 2584, 4181, 6765, 10946, 17711, 28657, 46368, 75025, 121393,
];
/**
 * Seeds on which lease reads without the new-leader wait return a stale value (the bug seeds 233,
 * 697 and 1399 found; the seeds that show it move whenever the driver's timing changes). With the
 * driver's rule they must pass; without it the checker must catch them.
 */
const STALE_LEASE_READ_SEEDS = [1028, 1130, 2237];
const RANDOM_SEEDS = Array.from({ length: 8 }, () => Math.floor(Math.random() * 2 ** 31));

for (const seed of FIXED_SEEDS) {
  test(`kv sim seed ${seed}`, () => {
    const r = runKvSeed(seed);
    assert.ok(r.ok, r.error);
  });
}

for (const seed of RANDOM_SEEDS) {
  test(`kv sim random seed ${seed}`, (t) => {
    t.diagnostic(replayHint(seed, 'kv'));
    const r = runKvSeed(seed);
    assert.ok(r.ok, r.error);
  });
}

for (const seed of STALE_LEASE_READ_SEEDS) {
  test(`kv sim seed ${seed}: lease reads are never stale`, () => {
    assert.ok(DRIVER_LEASE_READS_WAIT_FOR_COMMIT, 'the sim must model the driver as it is');
    const r = runKvSeed(seed);
    assert.ok(r.ok, r.error);
  });
  test(`kv sim seed ${seed}: the checker catches the stale lease read when lease reads do not wait`, () => {
    const r = runKvSeed(seed, { leaseReadsWaitForCommit: false });
    assert.ok(!r.ok, 'this seed is known to produce a stale read without the wait');
  });
}

test('kv sim: the same seed replays the same run', () => {
  const a = runKvSeed(4242, { faultUnits: 1500 });
  const b = runKvSeed(4242, { faultUnits: 1500 });
  assert.deepEqual(a.stats, b.stats);
  assert.equal(a.ok, b.ok);
});

test('kv sim: the workload exercises every path (writes, each read path, open ops, snapshots, faults)', () => {
  const total: Record<string, number> = {};
  for (const seed of FIXED_SEEDS.slice(0, 12)) {
    for (const [k, v] of Object.entries(runKvSeed(seed).stats)) total[k] = (total[k] ?? 0) + v;
  }
  const need = { kvOk: 2000, writes: 1500, leaseReads: 100, readIndexReads: 500, followerReads: 100, kvOpen: 20, openApplied: 10, openLost: 10, snapshotsInstalled: 5, crashes: 20, terms: 40, confChanges: 10 };
  for (const [k, min] of Object.entries(need)) assert.ok((total[k] ?? 0) >= min, `${k}: ${total[k]} < ${min} in ${JSON.stringify(total)}`);
});

test('kv sim: a follower answering reads from its own state (no ReadIndex) is caught', () => {
  const r = runKvSeed(1, { mutation: 'stale-follower-reads' });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /LinearizabilityViolation/);
});

test('kv sim: a put acknowledged before it commits is caught', () => {
  const r = runKvSeed(3, { mutation: 'ack-before-commit' });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /LinearizabilityViolation/);
});
