// CLI for the gossip (memberlist) simulator.
//   node <outDir>/test/sim/gossip/run.js --seeds=200                 every scenario, 200 seeds
//   node <outDir>/test/sim/gossip/run.js --scenario=crash --from=7   one scenario, seeds from 7
//   SEED=123 node <outDir>/test/sim/gossip/run.js --scenario=partition --trace   replay one seed
// Options: --nodes=N (cluster size where a scenario allows it), --verbose. Exit code 1 on any
// failure; each failure prints its seed and how to replay it.
import { runScenario, SCENARIOS, type ScenarioName, type ScenarioResult } from './scenarios.js';

interface Args {
  seeds: number;
  from: number | undefined;
  scenarios: ScenarioName[];
  nodes: number | undefined;
  trace: boolean;
  verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 200, from: undefined, scenarios: [...SCENARIOS], nodes: undefined, trace: false, verbose: false };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'seeds') args.seeds = Number(v);
    else if (k === 'from') args.from = Number(v);
    else if (k === 'nodes') args.nodes = Number(v);
    else if (k === 'scenario') {
      const names = (v ?? '').split(',');
      for (const name of names) {
        if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name} (one of ${SCENARIOS.join(', ')})`);
      }
      args.scenarios = names as ScenarioName[];
    } else if (k === 'trace') args.trace = true;
    else if (k === 'verbose' || k === 'v') args.verbose = true;
    else throw new Error(`unknown argument ${a} (use --seeds=N, --from=N, --scenario=a,b, --nodes=N, --trace, --verbose)`);
  }
  if (!Number.isInteger(args.seeds) || args.seeds < 1) throw new Error('--seeds must be a positive integer');
  return args;
}

function describe(r: ScenarioResult): string {
  const s = r.stats;
  const d = Object.entries(r.details)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${r.scenario} seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'} | ${d} | packets=${s.packetsSent} lost=${s.packetsLost} ` +
    `streams=${s.streams} failed=${s.streamsFailed} suspect=${s.suspicions} refute=${s.refutations} dead=${s.failuresDeclared} events=${s.events}`;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const opts = { trace: args.trace, ...(args.nodes !== undefined ? { nodes: args.nodes } : {}) };
  const envSeed = process.env['SEED'];
  if (envSeed !== undefined && envSeed !== '') {
    let ok = true;
    for (const name of args.scenarios) {
      const r = runScenario(name, Number(envSeed), opts);
      if (r.trace !== undefined) for (const line of r.trace) console.log(line);
      console.log(describe(r));
      if (!r.ok) {
        console.error(r.error);
        ok = false;
      }
    }
    return ok ? 0 : 1;
  }
  const from = args.from ?? Math.floor(Math.random() * 2 ** 31);
  console.log(`gossip sim: ${args.scenarios.join(', ')} x ${args.seeds} seeds from ${from}`);
  const started = performance.now();
  const failed: ScenarioResult[] = [];
  for (let i = 0; i < args.seeds; i++) {
    for (const name of args.scenarios) {
      const r = runScenario(name, from + i, { ...opts, trace: false });
      if (!r.ok) {
        failed.push(r);
        console.error(r.error);
      } else if (args.verbose) {
        console.log(describe(r));
      }
    }
    if ((i + 1) % 20 === 0) {
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`gossip sim: ${i + 1}/${args.seeds} seeds, ${failed.length} failures, ${secs} s`);
    }
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`gossip sim: ${args.seeds * args.scenarios.length - failed.length} runs passed, ${failed.length} failed (${secs} s)`);
  if (failed.length > 0) console.log(`gossip sim: failing: ${failed.map((r) => `${r.scenario}@${r.seed}`).join(' ')}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = main();
