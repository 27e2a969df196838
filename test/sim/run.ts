// CLI for the Raft simulator.
//   npm run sim                       200 seeds from a random base seed
//   npm run sim -- --seeds=10000      many seeds (start with --from=N to pick the first)
//   SEED=123 npm run sim              replay one seed; add `-- --trace` to print its event log
// Exit code 1 if any seed fails; every failure prints its seed and how to replay it.

import { runSeed, type SimResult } from './simulate.js';

interface Args {
  seeds: number;
  from: number | undefined;
  trace: boolean;
  verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 200, from: undefined, trace: false, verbose: false };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'seeds') args.seeds = Number(v);
    else if (k === 'from') args.from = Number(v);
    else if (k === 'trace') args.trace = true;
    else if (k === 'verbose' || k === 'v') args.verbose = true;
    else throw new Error(`unknown argument ${a} (use --seeds=N, --from=N, --trace, --verbose)`);
  }
  if (!Number.isInteger(args.seeds) || args.seeds < 1) throw new Error('--seeds must be a positive integer');
  return args;
}

function describe(r: SimResult): string {
  const p = r.profile;
  const s = r.stats;
  return `seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'} voters=${p.voters} preVote=${p.preVote} checkQuorum=${p.checkQuorum} ` +
    `drop=${p.dropRate} dup=${p.dupRate} delay<=${p.maxDelayUnits} skew=${p.skew} crash=${p.crashRate}/${p.leaderCrashRate} | ` +
    `terms=${s.terms} committed=${s.committed} crashes=${s.crashes} snapshots=${s.snapshotsInstalled} ` +
    `conf=${s.confChanges} transfers=${s.transfers} reads=${s.readsServed}/${s.reads}`;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const envSeed = process.env['SEED'];
  if (envSeed !== undefined && envSeed !== '') {
    const seed = Number(envSeed);
    const r = runSeed(seed, { trace: args.trace });
    if (r.trace !== undefined) for (const line of r.trace) console.log(line);
    console.log(describe(r));
    if (!r.ok) console.error(r.error);
    return r.ok ? 0 : 1;
  }
  const from = args.from ?? Math.floor(Math.random() * 2 ** 31);
  console.log(`sim: running ${args.seeds} seeds from ${from}`);
  const started = performance.now();
  const failed: SimResult[] = [];
  for (let i = 0; i < args.seeds; i++) {
    const r = runSeed(from + i);
    if (!r.ok) {
      failed.push(r);
      console.error(r.error);
    } else if (args.verbose) {
      console.log(describe(r));
    }
    if ((i + 1) % 100 === 0) console.log(`sim: ${i + 1}/${args.seeds} seeds, ${failed.length} failed, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`sim: ${args.seeds - failed.length} seeds passed, ${failed.length} failed (${secs} s)`);
  if (failed.length > 0) console.log(`sim: failing seeds: ${failed.map((r) => r.seed).join(' ')}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = main();
