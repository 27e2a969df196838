// (d) A crashed node is declared failed by all others within the Lifeguard bound (never before the
// suspicion minimum), and comes back alive after a restart with the same name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashScenario } from './scenarios.js';
import { FIXED_SEEDS, seedTests } from './seeds.js';

seedTests('gossip sim crash', 'crash', crashScenario);
seedTests('gossip sim crash 30 nodes', 'crash', crashScenario, { nodes: 30 }, 1);

test('gossip sim crash: detection times match the suspicion math (10 nodes: min 4 s)', () => {
  const first = FIXED_SEEDS.map((seed) => crashScenario(seed).details['firstFailedMs'] ?? Infinity);
  // First probe within about a second or two, then confirmations shrink the timeout towards min.
  for (const t of first) assert.ok(t >= 4000 && t < 12_000, `first failure after ${t} ms`);
});
