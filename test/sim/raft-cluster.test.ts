// CI entry of the Raft simulator: a fixed list of seeds (regressions stay caught) plus a few
// random ones (new schedules every run; printed so a failure replays with SEED=<n> npm run sim).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayHint, runSeed } from './simulate.js';

const FIXED_SEEDS = [
  1, 2, 3, 5, 8, 12, 13, 16, 18, 21, 34, 55, 78, 89, 144, 166, 233, 377, 610, 987,
  1597, 2584, 4181, 6765, 10946, 17711, 28657, 46368, 75025, 121393,
];
const RANDOM_SEEDS = Array.from({ length: 10 }, () => Math.floor(Math.random() * 2 ** 31));

for (const seed of FIXED_SEEDS) {
  test(`raft sim seed ${seed}`, () => {
    const r = runSeed(seed);
    assert.ok(r.ok, r.error);
  });
}

for (const seed of RANDOM_SEEDS) {
  test(`raft sim random seed ${seed}`, (t) => {
    t.diagnostic(replayHint(seed));
    const r = runSeed(seed);
    assert.ok(r.ok, r.error);
  });
}

test('raft sim: the same seed replays the same run', () => {
  const a = runSeed(4242, { faultUnits: 1500 });
  const b = runSeed(4242, { faultUnits: 1500 });
  assert.deepEqual(a.stats, b.stats);
  assert.equal(a.ok, b.ok);
});

test('raft sim: the workload does real work (elections, commits, faults)', () => {
  let terms = 0;
  let committed = 0;
  let crashes = 0;
  let snapshots = 0;
  let confChanges = 0;
  let reads = 0;
  for (const seed of FIXED_SEEDS.slice(0, 10)) {
    const s = runSeed(seed).stats;
    terms += s['terms'] ?? 0;
    committed += s['committed'] ?? 0;
    crashes += s['crashes'] ?? 0;
    snapshots += s['snapshotsInstalled'] ?? 0;
    confChanges += s['confChanges'] ?? 0;
    reads += s['readsServed'] ?? 0;
  }
  assert.ok(terms > 20 && committed > 1000 && crashes > 5 && snapshots > 5 && confChanges > 5 && reads > 20,
    JSON.stringify({ terms, committed, crashes, snapshots, confChanges, reads }));
});
