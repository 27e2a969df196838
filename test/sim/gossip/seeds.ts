// Seeds for the gossip simulator tests: a fixed list (regressions stay caught) plus a few random
// ones per run (new schedules every time; printed, and every failure names its replay command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayHint, type ScenarioOptions, type ScenarioResult } from './scenarios.js';

export const FIXED_SEEDS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597];

export function randomSeeds(count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(Math.random() * 2 ** 31));
}

/** One node:test case per seed: fixed seeds first, then `random` fresh ones. */
export function seedTests(
  label: string,
  scenario: string,
  runOne: (seed: number, opts: ScenarioOptions) => ScenarioResult,
  opts: ScenarioOptions = {},
  random = 3,
): void {
  for (const seed of FIXED_SEEDS) {
    test(`${label} seed ${seed}`, () => {
      const r = runOne(seed, opts);
      assert.ok(r.ok, r.error);
    });
  }
  for (const seed of randomSeeds(random)) {
    test(`${label} random seed ${seed}`, (t) => {
      t.diagnostic(replayHint(scenario, seed, opts.nodes));
      const r = runOne(seed, opts);
      assert.ok(r.ok, r.error);
    });
  }
}
