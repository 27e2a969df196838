// (b) Under 5% loss (with duplication and reordering) nobody is declared failed; a 20% loss storm
// forces suspicions that get refuted, and the cluster heals back to all-alive afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossyScenario } from './scenarios.js';
import { FIXED_SEEDS, seedTests } from './seeds.js';

seedTests('gossip sim lossy', 'lossy', lossyScenario);

test('gossip sim lossy: the storm really causes suspicions, and they are refuted', () => {
  let suspicions = 0;
  let refutations = 0;
  for (const seed of FIXED_SEEDS.slice(0, 5)) {
    const r = lossyScenario(seed);
    suspicions += r.details['stormSuspicions'] ?? 0;
    refutations += r.details['stormRefutations'] ?? 0;
  }
  assert.ok(suspicions >= 10 && refutations >= 10, JSON.stringify({ suspicions, refutations }));
});
