// Soak, no growth (issue 16 item 5), the CI-sized run of bench/soak.ts: a 3-server cluster and a
// client agent under the mixed load of test/support/soak.ts for 130 s with one leader kill -9
// at 35 s (restarted on its data dir); every server's RSS and data-dir size sampled every 5 s.
// About 2.3 minutes in all. Judged by test/support/soak-trend.ts (CI_BOUNDS), whose unit tests
// feed it steady series with the noise of real runs and leaking ones, which must fail.
// Warm-up: 45 s after the load starts and after a restart.
// - RSS growth, per incarnation with >= 4 windows after its warm-up (the two servers not
//   killed: 45-130 s, 5 windows): the low envelope (minimum of each 20 s window) has a
//   least-squares slope >= 20 MiB/min AND its last window's floor is above the highest raw
//   sample before the series' second half. Raw RSS is no measure here: V8 hands 25-50 MiB of
//   heap back and takes it again over a minute (150 -> 100 -> 136 MiB seen), which gave raw
//   slopes of +20 MiB/min on steady servers; the floor after each GC moves with live memory,
//   and returning to an earlier level is not growth. A per-request leak of ~2 KiB at this load
//   (~230 ops/s) is ~27 MiB/min; the unit tests show 20 MiB/min and more caught under the
//   noise. Smaller leaks are the 20-minute bench's job (its bound: 5 MiB/min).
//   A server that fails this gets 60 s more of the same load (the test then takes ~3.3 min) and
//   fails only if its RSS never comes back to its earlier high: V8 can let the old generation
//   grow for over a minute before a full collection (one of four runs: 151 -> 212 MiB in 65 s
//   on a server that was not killed) and then hands the pages back; a leak never comes back.
// - RSS level: the restarted server's series is too short for a slope (2-3 windows), so its
//   envelope must stay below the highest envelope of the judged servers + 48 MiB (it replays
//   its log or installs a snapshot and settles at or below the others: seen 136 vs 164 MiB).
// - Disk: < 16 MiB at every sample after warm-up, and its smallest sample in the last 30 s
//   < 10 MiB. Live state is constant (64 + 8 keys and 8 locks of 512 B, 16 services, <= 16
//   sessions: ~72 KiB per Raft snapshot, two kept); the Raft log is compacted every 512 entries
//   keeping 256, but LevelDB keeps deletions in its 4 MiB write-ahead log until a memtable flush,
//   so the dir climbs to ~4-7 MiB and drops back to ~1-2 MiB. A dir that only grows ends at its
//   maximum: from 6 MiB/min on it fails the tail by 130 s. An uncompacted log at this load
//   (~3-4 MiB/min) stays under that in 2 minutes, so every server must also have logged Raft
//   snapshots (the compaction that bounds the log), and the 20-minute bench shows the slope.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extendSoak, runSoak, startSoakCluster } from '../support/soak.js';
import { CI_BOUNDS, confirmGrowth, formatChecks, formatTrends, judgeGrowth } from '../support/soak-trend.js';

/** How long a rising RSS floor is given to come back before it counts as growth. */
const EXTEND_MS = 60_000;

const log = (msg: string): void => {
  if (process.env['SOAK_VERBOSE']) console.error(`[soak] ${msg}`);
};

test('soak: RSS and data dir stay bounded under mixed load with a leader kill', { timeout: 300_000 }, async () => {
  const cluster = await startSoakCluster();
  try {
    const r = await runSoak(cluster, { durationMs: 130_000, killEveryMs: 35_000, maxKills: 1, sampleMs: 5_000, warmupMs: CI_BOUNDS.warmupMs, workers: 16, log });
    const { trends, checks } = judgeGrowth(r.samples, CI_BOUNDS);
    const snapshots = cluster.set.slots.map((s) => ({ name: s.name, n: (s.pastOutput + (s.agent?.output ?? '')).split('raft: snapshot complete').length - 1 }));
    const report = `${formatChecks(checks)}\n${formatTrends(trends)}\nsnapshots: ${snapshots.map((s) => `${s.name} ${s.n}`).join(', ')}\nops ${r.stats.ops} errors ${r.stats.errors}\nkills: ${r.kills.join('; ')}\nfirst errors: ${r.stats.firstErrors.join(' | ')}`;
    console.error(report);
    assert.equal(trends.length, 3, report);
    assert.ok(r.stats.ops > 1_000, `the load ran: ${report}`);
    assert.equal(r.kills.length, 1, report);
    assert.match(r.kills[0] as string, /killed leader/, report);
    for (const s of snapshots) assert.ok(s.n >= 1, `${s.name} took a Raft snapshot\n${report}`);
    // Two servers survive the kill: each must have a judged series.
    assert.ok(checks.filter((c) => c.name === 'rss-slope').length >= 2, `two judged RSS series\n${report}`);
    let failed = checks.filter((c) => !c.ok);
    const slopes = failed.filter((c) => c.name === 'rss-slope');
    if (slopes.length > 0) {
      // A rising floor: confirm it with more of the same load (see confirmGrowth).
      const ext = await extendSoak(cluster, r, EXTEND_MS, 5_000, log);
      const confirmed = confirmGrowth(slopes, trends, r.samples, ext.fromMs);
      const series = slopes.map((c) => `${c.server}: ${r.samples.filter((x) => x.server === c.server && x.t >= ext.fromMs).map((x) => x.rssMiB.toFixed(0)).join(' ')}`).join('; ');
      console.error(`extension of ${EXTEND_MS / 1000} s for ${slopes.map((c) => c.server).join(', ')}: ${series}; confirmed: ${confirmed.map((c) => c.server).join(', ') || 'none'}`);
      failed = [...failed.filter((c) => c.name !== 'rss-slope'), ...confirmed];
    }
    if (process.env['SOAK_SAMPLES_OUT']) (await import('node:fs')).writeFileSync(process.env['SOAK_SAMPLES_OUT'], JSON.stringify(r.samples));
    assert.deepEqual(failed, [], `growth beyond the bounds:\n${report}`);
  } finally {
    await cluster.stop();
  }
});
