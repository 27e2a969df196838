// Soak, no growth (issue 16 item 5): a 3-server cluster (raft_multiplier 1, fast gossip,
// raft_snapshot_threshold lowered so compaction runs often) and a client agent under a mixed load
// through the client (KV put/get/cas on a bounded key space, TTL sessions created/renewed/
// destroyed or left to expire, service register/deregister, blocking queries, user events),
// with kill -9 of the leader every --kill-every minutes (it is restarted on its data dir).
// Every --sample seconds each server's RSS (ps -o rss) and data-dir size (du -sb) is sampled;
// after --warmup seconds (per process incarnation for RSS) the growth analysis of
// test/support/soak-trend.ts is printed: per incarnation the slope of the RSS low envelope (the
// minimum of each --window seconds) and the raw slope, per server the data-dir slope and range,
// plus the ops and error counts (errors during elections are expected and counted, not fatal).
// --samples-out=FILE writes every sample as JSON for a later look.
//   npm run build && node dist/bench/soak.js --minutes=20 [--kill-every=4] [--sample=10] [--warmup=120] [--window=60] [--workers=16]
import { writeFileSync } from 'node:fs';
import { runSoak, startSoakCluster, SNAPSHOT_THRESHOLD, TRAILING_LOGS } from '../test/support/soak.js';
import { formatChecks, formatTrends, judgeGrowth } from '../test/support/soak-trend.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}

const MINUTES = arg('minutes', 20);
const KILL_EVERY = arg('kill-every', 4);
const SAMPLE_S = arg('sample', 10);
const WARMUP_S = arg('warmup', 120);
const WORKERS = arg('workers', 16);
const WINDOW_S = arg('window', 60);
const SAMPLES_OUT = process.argv.find((x) => x.startsWith('--samples-out='))?.slice('--samples-out='.length);
const log = (msg: string): void => console.error(`[soak] ${msg}`);

const cluster = await startSoakCluster();
let stopping = false;
const onSignal = (): void => {
  if (stopping) return;
  stopping = true;
  void cluster.stop().then(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  log(`cluster up; ${MINUTES} min, leader kill every ${KILL_EVERY} min, ${WORKERS} workers, snapshot threshold ${SNAPSHOT_THRESHOLD}, trailing logs ${TRAILING_LOGS}`);
  const r = await runSoak(cluster, {
    durationMs: MINUTES * 60_000,
    killEveryMs: KILL_EVERY * 60_000,
    sampleMs: SAMPLE_S * 1000,
    warmupMs: WARMUP_S * 1000,
    workers: WORKERS,
    log,
  });
  console.log(`soak: ${MINUTES} min, kill every ${KILL_EVERY} min, warm-up ${WARMUP_S} s, samples every ${SAMPLE_S} s`);
  console.log(`ops ${r.stats.ops} (${(r.stats.ops / (MINUTES * 60)).toFixed(0)}/s), errors ${r.stats.errors}`);
  console.log([...r.stats.byOp].map(([op, s]) => `  ${op}: ${s.ops} ops, ${s.errors} errors`).join('\n'));
  if (r.stats.firstErrors.length > 0) console.log(`first errors:\n  ${r.stats.firstErrors.join('\n  ')}`);
  console.log(`kills:\n  ${r.kills.join('\n  ')}`);
  if (SAMPLES_OUT) writeFileSync(SAMPLES_OUT, JSON.stringify(r.samples));
  // The CI test's disk bounds; RSS slope 5 MiB/min (a long run shows what 2 minutes cannot).
  const { trends, checks } = judgeGrowth(r.samples, {
    warmupMs: WARMUP_S * 1000,
    windowMs: WINDOW_S * 1000,
    minTrendWindows: 4,
    rssSlopeMiBPerMin: 5,
    rssLevelSlackMiB: 48,
    diskMaxMiB: 16,
    diskTailMiB: 10,
    diskTailMs: 60_000,
  });
  console.log(formatTrends(trends));
  console.log(formatChecks(checks));
} finally {
  if (!stopping) await cluster.stop();
}
