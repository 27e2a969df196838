// Soak, no growth (issue 16 item 5), the CI-sized run of bench/soak.ts: a 3-server cluster and a
// client agent under the mixed load of test/support/soak.ts for 100 s with one leader kill -9
// (restarted on its data dir) at 50 s; every server's RSS and data-dir size sampled every 5 s.
// Bounds, after a 30 s warm-up (per process incarnation for RSS):
// - RSS slope < 40 MiB/min per server. A 100 s window is short and V8's heap moves in steps of
//   a few MiB (GC, JIT), so a steady server shows slopes of roughly -15..+15 MiB/min here; a leak
//   proportional to the load (~150 ops/s on 2 cores) that keeps even 1 KiB per op would be
//   ~9 MiB/min on top and a per-request leak of the request body (512 B value) a similar
//   order, so 40 catches gross per-request leaks without flaking on GC steps.
// - final RSS < warm-up RSS + 48 MiB per server (the same steps, bounded).
// - data dir < 16 MiB per server at every sample. Live state is constant (64 + 8 keys of 512 B,
//   16 services, <= 16 sessions: well under 1 MiB per Raft snapshot, two kept); the Raft log is
//   compacted every raft_snapshot_threshold (512) entries keeping raft_trailing_logs (256) of
//   them, but its LevelDB store (the `level` package) keeps deletions in its 4 MiB write-ahead
//   log until a memtable flush, so the data dir climbs to ~4 MiB and drops (seen: max ~4.2 MiB);
//   a log that is never compacted keeps ~2.4 MiB/min at this load and crosses 16 MiB only in a
//   long run, which is what the 20-minute bench (its disk slope) is for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTrends, runSoak, startSoakCluster } from '../support/soak.js';

const log = (msg: string): void => {
  if (process.env['SOAK_VERBOSE']) console.error(`[soak] ${msg}`);
};

// Not yet part of the default suite: one run on a loaded machine came within 0.67x of the RSS
// slope bound (a restarted server's short series is noisy), so it runs only when asked for until
// its bounds are proven over repeated runs. `CONSUL_TS_SOAK=1 node --test dist/test/integration/soak.test.js`
const soakSkip = process.env.CONSUL_TS_SOAK === '1' ? undefined : 'set CONSUL_TS_SOAK=1 to run the 2-minute soak (its growth bounds are not yet proven on a loaded 2-core machine)';
if (soakSkip) console.log(`# SKIP soak: ${soakSkip}`);

test('soak: RSS and data dir stay bounded under mixed load with a leader kill', { timeout: 150_000, skip: soakSkip }, async () => {
  const cluster = await startSoakCluster();
  try {
    const r = await runSoak(cluster, { durationMs: 100_000, killEveryMs: 50_000, sampleMs: 5_000, warmupMs: 30_000, workers: 16, log });
    const report = `${formatTrends(r.trends)}\nops ${r.stats.ops} errors ${r.stats.errors}\nkills: ${r.kills.join('; ')}\nfirst errors: ${r.stats.firstErrors.join(' | ')}`;
    console.error(report);
    assert.equal(r.trends.length, 3, report);
    assert.ok(r.stats.ops > 1_000, `the load ran: ${report}`);
    assert.equal(r.kills.length, 1, report);
    assert.match(r.kills[0] as string, /killed leader/, report);
    for (const t of r.trends) {
      assert.ok(t.points >= 3, `${t.server}: enough samples after warm-up\n${report}`);
      assert.ok(t.rssSlope < 40, `${t.server}: RSS slope ${t.rssSlope.toFixed(1)} MiB/min\n${report}`);
      assert.ok(t.rssFinal < t.rssWarm + 48, `${t.server}: final RSS ${t.rssFinal.toFixed(0)} vs warm ${t.rssWarm.toFixed(0)} MiB\n${report}`);
      assert.ok(t.diskMax < 16, `${t.server}: data dir ${t.diskMax.toFixed(1)} MiB\n${report}`);
    }
  } finally {
    await cluster.stop();
  }
});
