// Gossip at scale, the CI-sized version of bench/gossip-scale.ts: 200 members in virtual time,
// one join and one crash per loss rate (0% and 5%), on fixed seeds (so the run is the same every
// time and a failure replays), plus one random seed. Each figure is held to the published model
// (convergence-model.ts), with bounds taken from the model alone:
//   - join seen by all    <= 1.2 x serf's simulator time to 99.99%;
//   - crash declared first >= the suspicion minimum (SuspicionMult * log10(N) * ProbeInterval:
//     nobody may declare earlier), and by all <= 1.2 x the model's 99th percentile (one trial is
//     one draw of the first probe's exponential wait, so its p99 is the bound for a single draw).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAN_TIMING } from '../../../src/core/gossip/memberlist/profiles.js';
import { predict, serfConvergedFraction, serfRoundsTo } from './convergence-model.js';
import { replayScale, runScale } from './scale.js';

const NODES = 200;
// Two fixed seeds (the same run every time) and one fresh one (printed, with its replay command).
const SEEDS = [1, 2, Math.floor(Math.random() * 2 ** 31)];
const BOUND = 1.2;

test('serf convergence model: the formula as the simulator draws it', () => {
  const p = { nodes: 30, fanout: 3, gossipIntervalMs: 200, packetLoss: 0 };
  // Round 0 is one node of N (N / (N + 2) of one), and the curve rises to the plateau.
  assert.ok(Math.abs(serfConvergedFraction(p, 0) * 30 - 30 / 32) < 1e-12);
  const rounds = serfRoundsTo(p);
  assert.ok(Math.abs(serfConvergedFraction(p, rounds) - 0.9999) < 1e-9);
  // Loss slows the contact rate by (1 - loss): 5% loss needs 1 / 0.95 as many rounds.
  assert.ok(Math.abs(serfRoundsTo({ ...p, packetLoss: 0.05 }) * 0.95 - rounds) < 1e-9);
  // N = 1000 with Consul's LAN defaults: ~10.7 rounds of 200 ms; suspicion 4 * log10(1000) * 1 s.
  const m = predict(LAN_TIMING, 1000, 0);
  assert.ok(m.joinMs > 2100 && m.joinMs < 2200, String(m.joinMs));
  assert.equal(m.parts.suspicionMs, 12_000);
});

for (const seed of SEEDS) {
  test(`gossip at scale: ${NODES} members, seed ${seed}, within ${BOUND}x of the model`, (t) => {
    t.diagnostic(replayScale(seed, NODES, 1));
    const run = runScale({ seed, nodes: NODES, lossRates: [0, 0.05], trials: 1 });
    assert.deepEqual(run.errors, [], replayScale(seed, NODES, 1));
    assert.equal(run.trials.length, 2);
    for (const trial of run.trials) {
      const m = predict(LAN_TIMING, NODES, trial.loss);
      const where = `seed ${seed} loss ${trial.loss}: ${JSON.stringify(trial)} vs model ${JSON.stringify(m)}\n${replayScale(seed, NODES, 1)}`;
      assert.ok(trial.joinMs <= BOUND * m.joinMs, `join seen by all too slow: ${where}`);
      assert.ok(trial.failFirstMs >= m.failFloorMs, `failure declared before the suspicion minimum: ${where}`);
      assert.ok(trial.failAllMs <= BOUND * m.failP99Ms, `failure detection too slow: ${where}`);
    }
  });
}

test('gossip at scale: the same seed replays the same figures', () => {
  const a = runScale({ seed: 3, nodes: 60, lossRates: [0.05], trials: 1 });
  const b = runScale({ seed: 3, nodes: 60, lossRates: [0.05], trials: 1 });
  assert.deepEqual(a.trials, b.trials);
  assert.deepEqual(a.stats, b.stats);
});
