// The short form of every fuzz target, as CI runs it: a fixed number of inputs (about 10 s each
// on this machine) from a seed printed in the report, so a failure replays with
// `npm run fuzz -- --target=NAME --seed=SEED --runs=N`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TARGETS } from './targets.js';
import { formatReport, fuzzTarget } from './fuzz.js';

const RUNS: Record<string, number> = { http: 3_000, config: 3_000, snapshot: 3_000 };
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

for (const target of TARGETS) {
  test(`fuzz ${target.name}: ${target.surface}`, { timeout: 120_000 }, async (t) => {
    const report = await fuzzTarget(target, { runs: RUNS[target.name] ?? 20_000, seconds: 15, seed, maxInputMs: 1000, maxRssBytes: 1024 * 2 ** 20 });
    t.diagnostic(formatReport(report));
    assert.equal(report.finding, undefined, formatReport(report));
  });
}
