// The long version of test/integration/partition.test.ts: 5 servers in network namespaces under
// a seeded partition / kill -9 / SIGSTOP nemesis for --minutes, with the client history checked
// for linearizability (writes, cas, default and ?consistent reads) and max_stale (stale reads).
// Needs root, iproute2 and nftables (see docs/reliability.md, "Partitions in network namespaces").
// Exits 1 on any finding, 2 when the machine cannot create namespaces.
//   npm run build && node dist/bench/partition.js [--minutes=10] [--seed=N] [--workers=6]
import { netnsUnsupported } from '../test/support/netns.js';
import { runPartitions } from '../test/support/partition-run.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const MINUTES = Number(arg('minutes', '10'));
const SEED = Number(arg('seed', String(Date.now() % 1_000_000)));
const WORKERS = Number(arg('workers', '6'));

// Ctrl-C: exit through process.exit so the harness's exit hooks kill the agents and remove the
// namespaces, the bridge and the nftables table of this run.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

async function main(): Promise<number> {
  const why = netnsUnsupported();
  if (why !== undefined) {
    console.error(`partition bench cannot run here: ${why}`);
    return 2;
  }
  const t0 = Date.now();
  const r = await runPartitions({ seconds: MINUTES * 60, seed: SEED, workers: WORKERS, log: (l) => console.error(`[partition] ${l}`) });
  console.log(r.summary);
  console.log(`wall time ${Math.round((Date.now() - t0) / 1000)} s`);
  if (r.failures.length > 0) {
    console.log(`FINDINGS (${r.failures.length}):\n${r.failures.join('\n\n')}`);
    return 1;
  }
  console.log('no findings');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
