// (a) Nodes joining through one seed converge to everyone-alive-in-everyone's-view, and stay so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convergeScenario } from './scenarios.js';
import { FIXED_SEEDS, seedTests } from './seeds.js';

for (const nodes of [5, 20, 50]) {
  seedTests(`gossip sim converge ${nodes} nodes`, 'converge', convergeScenario, { nodes });
}

test('gossip sim: the same seed replays the same run', () => {
  const a = convergeScenario(4242, { nodes: 12 });
  const b = convergeScenario(4242, { nodes: 12 });
  assert.deepEqual(a.stats, b.stats);
  assert.deepEqual(a.details, b.details);
});

test('gossip sim: joins usually converge by gossip alone, well before push/pull', () => {
  const times = FIXED_SEEDS.map((seed) => convergeScenario(seed, { nodes: 20 }).details['convergeMs'] ?? Infinity).sort((x, y) => x - y);
  const median = times[Math.floor(times.length / 2)] ?? Infinity;
  assert.ok(median < 5000, `median convergence ${median} ms: ${times.join(', ')}`);
});
