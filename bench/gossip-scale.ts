// Gossip at scale in the seeded simulator (issue 16 item 6): N memberlist cores (our pure core,
// Consul's LAN defaults = memberlist's DefaultLANConfig) in virtual time; per packet-loss rate,
// the time for a join to be seen by all and for a crash to be declared by all, p50 / p99 over
// every trial of every seed, beside the published convergence model (test/sim/gossip/
// convergence-model.ts: serf's convergence simulator for dissemination, memberlist's documented
// probe + suspicion timing for failures) and the ratio measured / model. Also the wall time.
// Figures only; nothing here is a test (test/sim/gossip/scale.test.ts is the CI version).
//   npm run build && node dist/bench/gossip-scale.js [--n=1000] [--seeds=3] [--trials=3] [--loss=0,5] [--from=1]
//   SEED=7 node dist/bench/gossip-scale.js --n=1000      replay one seed
import { LAN_TIMING } from '../src/core/gossip/memberlist/profiles.js';
import { predict } from '../test/sim/gossip/convergence-model.js';
import { percentile, runScale, type ScaleRun, type Trial } from '../test/sim/gossip/scale.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const N = Number(arg('n', '1000'));
const TRIALS = Number(arg('trials', '3'));
const LOSSES = arg('loss', '0,5')
  .split(',')
  .map((x) => Number(x) / 100);
const envSeed = process.env['SEED'];
const SEEDS =
  envSeed !== undefined && envSeed !== ''
    ? [Number(envSeed)]
    : Array.from({ length: Number(arg('seeds', '3')) }, (_, i) => Number(arg('from', '1')) + i);

const s = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
const r = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : 'n/a');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function main(): number {
  const runs: ScaleRun[] = [];
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const seed of SEEDS) runs.push(runScale({ seed, nodes: N, lossRates: LOSSES, trials: TRIALS, progress: (l) => console.error(l) }));
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const trials: Trial[] = runs.flatMap((x) => x.trials);

  const t = LAN_TIMING;
  console.log(
    `gossip sim, N=${N}, LAN profile (gossip ${t.gossipNodes} nodes / ${t.gossipIntervalMs} ms, probe ${t.probeIntervalMs} / ${t.probeTimeoutMs} ms, ` +
      `${t.indirectChecks} indirect, suspicion mult ${t.suspicionMult}), seeds ${SEEDS.join(',')} x ${TRIALS} trials; virtual seconds`,
  );
  const rows: string[][] = [];
  for (const loss of LOSSES) {
    const mine = trials.filter((x) => x.loss === loss);
    const m = predict(t, N, loss);
    const join = mine.map((x) => x.joinMs);
    const fail = mine.map((x) => x.failAllMs);
    const first = mine.map((x) => x.failFirstMs);
    rows.push([
      String(N),
      `${loss * 100}%`,
      String(mine.length),
      `${s(percentile(join, 50))} / ${s(percentile(join, 99))}`,
      s(m.joinMs),
      r(percentile(join, 50), m.joinMs),
      s(percentile(first, 50)),
      `${s(percentile(fail, 50))} / ${s(percentile(fail, 99))}`,
      `${s(m.failP50Ms)} / ${s(m.failP99Ms)}`,
      `${r(percentile(fail, 50), m.failP50Ms)} / ${r(percentile(fail, 99), m.failP99Ms)}`,
    ]);
  }
  console.log(
    table(
      ['N', 'loss', 'trials', 'join all p50/p99', 'model', 'ratio', 'fail first p50', 'fail all p50/p99', 'model p50/p99', 'ratio p50/p99'],
      rows,
    ),
  );
  const m0 = predict(t, N, 0);
  console.log(
    `model: join = serf simulator to 99.99% (${s(m0.joinMs)} s at 0% loss); fail = Exp(probe interval) first probe + ` +
      `${s(m0.parts.probeIntervalMs)} probe + ${s(m0.parts.suspicionMs)} suspicion (4 x log10(${N}) x 1 s) + dissemination`,
  );
  const boot = runs.map((x) => `${s(x.bootstrapWallMs)}`).join(', ');
  const events = runs.reduce((a, x) => a + x.stats.events, 0);
  console.log(
    `wall: ${s(wallMs)} s, CPU ${s(cpuMs)} s, for ${runs.length} seed(s) (bootstrap of ${N - 1} members: ${boot} s wall; ` +
      `${events.toLocaleString('en-US')} events; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`,
  );
  const errors = runs.flatMap((x) => x.errors);
  for (const e of errors) console.log(`ERROR ${e}`);
  return errors.length === 0 ? 0 : 1;
}

process.exitCode = main();
