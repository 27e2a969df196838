// DNS only, before and after (issue 16 item 3): two server agents with the same 20,000-instance
// catalog (N nodes x 4 instances, `web` with 50 of them), one run from this build ("after") and one
// from another build given by --before=<its bin/consul> ("before"), measured in the same run beside
// nsd serving the same records and the bare Node floor sending our answer bytes
// (bench/catalog-scale-dns.ts). Each agent gets a steady trickle of catalog writes (a node
// check's output on a node without `web`, as anti-entropy pushes them), so answers are rebuilt
// per catalog index as in production. Every round measures A and SRV on all four, the order
// rotating; each round's ratios to nsd are printed, then their range. Figures only.
//   npm run build && node dist/bench/catalog-scale-dns-ab.js --before=/path/to/old/bin/consul
//     [--nodes=5000] [--seconds=6] [--rounds=3] [--writes-per-s=2]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { ROOT, TestAgent } from '../test/support/test-agent.js';
import { freePort } from '../test/support/free-port.js';
import { askOnce, dnsperf, hasDnsTools, startDnsFloor, startNsd, zoneFor } from './catalog-scale-dns.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const BEFORE = arg('before', '');
const NODES = Math.max(50, Number(arg('nodes', '5000')));
const SECONDS = Number(arg('seconds', '6'));
const ROUNDS = Number(arg('rounds', '3'));
const WRITES_PER_S = Number(arg('writes-per-s', '2'));
const WEB = 50;
const PER_NODE = 4;
const QNAME = 'web.service.consul';

const addressOf = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i + 1) & 255 || 1}`;

/** Register the catalog: node i carries `web` (i < 50) and then `svc-j` services up to 4 instances. */
async function fill(url: string): Promise<void> {
  const pool = new Pool(url, { connections: 16 });
  const names = Math.ceil((NODES * PER_NODE - WEB) / 50);
  let g = 0;
  let jobs: Promise<void>[] = [];
  for (let i = 0; i < NODES; i++) {
    for (let k = 0; k < PER_NODE; k++) {
      const j = g++ % names;
      const svc = i < WEB && k === 0 ? { ID: 'web', Service: 'web', Tags: ['v1'], Port: 8080 } : { ID: `svc-${j}`, Service: `svc-${j}`, Tags: [`t${j % 7}`], Port: 7000 + (j % 1000) };
      const checks = [{ CheckID: `service:${svc.ID}`, Name: 'svc', Status: 'passing', ServiceID: svc.ID }];
      if (k === 0) checks.push({ CheckID: 'node-health', Name: 'Node health', Status: 'passing', ServiceID: '' });
      const body = JSON.stringify({ Node: `node-${i}`, Address: addressOf(i), Service: svc, Checks: checks });
      jobs.push(
        pool.request({ method: 'PUT', path: '/v1/catalog/register', body }).then(async (r) => {
          const text = await r.body.text();
          if (r.statusCode !== 200) throw new Error(`register failed: ${r.statusCode} ${text}`);
        }),
      );
      if (jobs.length >= 64) {
        await Promise.all(jobs);
        jobs = [];
      }
    }
  }
  await Promise.all(jobs);
  await pool.close();
}

/** A check output change on a node without `web`, WRITES_PER_S times a second, until stopped. */
function trickle(url: string): () => Promise<void> {
  let n = 0;
  let busy: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const i = WEB + (n++ % (NODES - WEB));
    const body = JSON.stringify({ Node: `node-${i}`, Address: addressOf(i), Check: { CheckID: 'node-health', Name: 'Node health', Status: 'passing', Output: `tick ${n}` } });
    busy = fetch(`${url}/v1/catalog/register`, { method: 'PUT', body }).then((r) => r.text(), () => undefined);
  }, 1000 / WRITES_PER_S);
  return async () => {
    clearInterval(timer);
    await busy;
  };
}

async function main(): Promise<void> {
  if (!hasDnsTools) throw new Error('needs dnsperf and nsd (apt-get install dnsperf nsd)');
  if (BEFORE === '') throw new Error('--before=<path to the other build’s bin/consul> is required');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-dns-ab-'));
  const agents: TestAgent[] = [];
  const stops: (() => void | Promise<void>)[] = [];
  try {
    const start = (name: string, bin?: string): Promise<TestAgent> =>
      TestAgent.start({ dev: false, dataDir: path.join(dir, `data-${name}`), bin, args: ['-server', '-bootstrap-expect=1', '-log-level=warn'] });
    const [after, before] = [await start('after'), await start('before', BEFORE)];
    agents.push(after, before);
    for (const a of agents) await fill(a.url);
    const nsdPort = await freePort();
    const floorPort = await freePort();
    const web = Array.from({ length: WEB }, (_, i) => ({ node: `node-${i}`, address: addressOf(i), port: 8080 }));
    stops.push((await startNsd(ROOT, dir, nsdPort, zoneFor('web', web, 'dc1'), QNAME)).stop);
    const ours = { 1: await askOnce(after.ports.dns, QNAME, 'A'), 33: await askOnce(after.ports.dns, QNAME, 'SRV') };
    for (const t of ['A', 'SRV'] as const) {
      const b = await askOnce(before.ports.dns, QNAME, t);
      if (b.length !== ours[t === 'A' ? 1 : 33].length) throw new Error(`before and after answer ${t} in ${b.length} and ${ours[t === 'A' ? 1 : 33].length} bytes`);
    }
    stops.push((await startDnsFloor(floorPort, ours)).stop);
    for (const a of agents) stops.push(trickle(a.url));
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`# DNS before/after: ${NODES * PER_NODE} instances, ${WRITES_PER_S} writes/s each, ${SECONDS}s per figure, ${ROUNDS} rounds; load avg ${load}`);
    const targets = [
      ['after', after.ports.dns],
      ['before', before.ports.dns],
      ['nsd', nsdPort],
      ['floor', floorPort],
    ] as const;
    const ratios = new Map<string, number[]>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const qtype of ['A', 'SRV']) {
        const qps = new Map<string, number>();
        for (let k = 0; k < targets.length; k++) {
          const [name, port] = targets[(k + r) % targets.length] as (typeof targets)[number];
          qps.set(name, (await dnsperf(port, QNAME, qtype, SECONDS, dir)).qps);
        }
        const nsd = qps.get('nsd') ?? NaN;
        const line = ['after', 'before', 'floor'].map((n) => {
          const ratio = (qps.get(n) ?? NaN) / nsd;
          ratios.set(`${qtype}/${n}`, [...(ratios.get(`${qtype}/${n}`) ?? []), ratio]);
          return `${n} ${Math.round(qps.get(n) ?? NaN)} (${ratio.toFixed(2)}x)`;
        });
        console.log(`round ${r + 1} ${qtype}: nsd ${Math.round(nsd)} q/s; ${line.join('; ')}; after/before ${((qps.get('after') ?? NaN) / (qps.get('before') ?? NaN)).toFixed(2)}x`);
      }
    }
    for (const [key, list] of ratios) console.log(`${key} vs nsd: ${Math.min(...list).toFixed(2)}x - ${Math.max(...list).toFixed(2)}x`);
  } finally {
    for (const stop of stops.reverse()) await stop();
    for (const a of agents) await a.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
