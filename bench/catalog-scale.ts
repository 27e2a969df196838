// Large catalogs (issue 16 item 3). Two server agents (data dirs on loopback, every write fsynced),
// measured side by side in one run so that the machine's drift hits both alike:
//   small  50 nodes with `web` and `api` (100 instances);
//   big    N nodes x 4 instances (20,000 at the default N=5,000), the same 50 `web` among them;
// all registered through PUT /v1/catalog/register. Each server gets client-agent-style
// anti-entropy syncs at a steady rate over its server port (bench/catalog-scale-ae.ts). `web`'s
// answer is the same on both, so any difference in its reads is the cost of the rest of the
// catalog. Each figure is taken in every round (small and big alternate who goes first) and the
// median is printed beside its anchor or target:
//   - GET /v1/health/service/web?passing and GET /v1/catalog/services: reads/s and p99 (wrk); the
//     catalog/services answer grows with the catalog, so a bare node:http server sending the same
//     bytes under the same load is its anchor;
//   - DNS web.service.consul A and SRV (50 instances, EDNS) with dnsperf, and nsd serving the same
//     records, and a bare Node UDP responder sending our answer bytes (bench/catalog-scale-dns.ts);
//   - anti-entropy: each sync's p50/p99 at the steady rate, and one full pass in which every node
//     of the big catalog syncs once (16 agents at a time);
//   - registration rate and both servers' RSS.
// Targets: the fixed-size reads no more than 2x slower on big than on small; DNS >= 0.5x nsd.
// "slower at big" is small's rate / big's rate (big's p99 / small's p99 for latencies).
// Figures only; nothing here is a test. Needs Debian's wrk, dnsperf and nsd for the full set
// (a Node HTTP client stands in for wrk; the DNS rows are skipped without dnsperf and nsd).
//   npm run build && node dist/bench/catalog-scale.js [--nodes=5000] [--seconds=8] [--rounds=3]
//     [--conns=32] [--ae-per-min=500] [--ae-dirty=0.2] [--pass-agents=16]
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { ROOT, TestAgent } from '../test/support/test-agent.js';
import { freePort } from '../test/support/free-port.js';
import { AgentFleet, type LocalNode } from './catalog-scale-ae.js';
import { askOnce, dnsperf, hasDnsTools, startDnsFloor, startNsd, zoneFor, type DnsLoad } from './catalog-scale-dns.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const NODES = Math.max(50, Number(arg('nodes', '5000')));
const SECONDS = Number(arg('seconds', '8'));
const CONNS = Number(arg('conns', '32'));
const AE_PER_MIN = Number(arg('ae-per-min', '500'));
const AE_DIRTY = Number(arg('ae-dirty', '0.2'));
const PASS_AGENTS = Number(arg('pass-agents', '16'));
const ROUNDS = Number(arg('rounds', '3'));
const WEB_INSTANCES = 50;
const PER_NODE = 4;
const hasWrk = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).status === 0;

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const addressOf = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

// ---- the catalog's layout ----

function serviceOf(node: LocalNode, id: string, name: string, port: number, tags: string[]): LocalNode['services'][number] {
  const check = {
    Node: node.node.Node,
    CheckID: `service:${id}`,
    Name: `Service '${name}' check`,
    Status: 'passing' as const,
    Notes: '',
    Output: '',
    ServiceID: id,
    ServiceName: name,
    ServiceTags: tags,
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
  const service = { Kind: '', ID: id, Service: name, Tags: tags, Address: '', TaggedAddresses: {}, Meta: {}, Port: port, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false };
  return { service, checks: [check] };
}

function newNode(i: number): LocalNode {
  return { node: { ID: '', Node: `node-${i}`, Address: addressOf(i + 1), Datacenter: 'dc1', TaggedAddresses: {}, NodeMeta: {} }, services: [] };
}

/** The registrations that take `nodes` from the small catalog to the full one (in place). */
function grow(nodes: LocalNode[], total: number): LocalNode['services'][number][] {
  const added: { node: LocalNode; svc: LocalNode['services'][number] }[] = [];
  const poolSize = total * PER_NODE - WEB_INSTANCES * 2;
  const names = Math.ceil(poolSize / WEB_INSTANCES);
  let g = 0;
  for (let i = 0; i < total; i++) {
    if (!nodes[i]) nodes[i] = newNode(i);
    const node = nodes[i] as LocalNode;
    while (node.services.length < PER_NODE) {
      const j = g++ % names;
      const svc = serviceOf(node, `svc-${j}`, `svc-${j}`, 7000 + (j % 1000), [`t${j % 7}`]);
      node.services.push(svc);
      added.push({ node, svc });
    }
  }
  return added.map((a) => a.svc);
}

// ---- HTTP: registration and read load ----

async function register(url: string, nodes: readonly LocalNode[], which: Set<LocalNode['services'][number]>): Promise<{ n: number; ms: number }> {
  const pool = new Pool(url, { connections: 16 });
  const jobs: Promise<void>[] = [];
  let n = 0;
  const t0 = performance.now();
  for (const node of nodes) {
    node.services.forEach((s, k) => {
      if (!which.has(s)) return;
      const checks = s.checks.map((c) => ({ CheckID: c.CheckID, Name: c.Name, Status: c.Status, ServiceID: c.ServiceID }));
      // A node-level check, but not `serfHealth`: the leader reaps catalog nodes that carry it and
      // that gossip does not know (Consul's reconcileReaped), and these nodes are not in gossip.
      if (k === 0) checks.push({ CheckID: 'node-health', Name: 'Node health', Status: 'passing', ServiceID: '' });
      const body = JSON.stringify({ Node: node.node.Node, Address: node.node.Address, Service: { ID: s.service.ID, Service: s.service.Service, Tags: s.service.Tags, Port: s.service.Port }, Checks: checks });
      n++;
      jobs.push(
        pool.request({ method: 'PUT', path: '/v1/catalog/register', body }).then(async (r) => {
          const text = await r.body.text();
          if (r.statusCode !== 200) throw new Error(`register failed: ${r.statusCode} ${text}`);
        }),
      );
    });
    if (jobs.length >= 64) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  await pool.close();
  return { n, ms: performance.now() - t0 };
}

interface ReadLoad {
  rps: number;
  p99: number;
}

// Load tools run as async children: the paced anti-entropy syncs share this event loop.
const run = promisify(execFile);

async function wrkLoad(url: string, reqPath: string, dir: string): Promise<ReadLoad> {
  const script = path.join(dir, 'read.lua');
  writeFileSync(
    script,
    `wrk.path = "${reqPath}"\nfunction done(s, l, r) io.write(string.format("RPS %.1f P99 %.3f ERR %d\\n", s.requests / (s.duration / 1e6), l:percentile(99) / 1000, s.errors.status + s.errors.read + s.errors.connect + s.errors.timeout)) end\n`,
  );
  const { stdout: out } = await run('timeout', [String(SECONDS + 30), 'wrk', '-t1', `-c${CONNS}`, `-d${SECONDS}s`, '--timeout', '10s', '-s', script, url], { encoding: 'utf8' });
  const m = /RPS ([\d.]+) P99 ([\d.]+) ERR (\d+)/.exec(out);
  if (!m || Number(m[3]) > 0) throw new Error(`wrk failed: ${out}`);
  return { rps: Number(m[1]), p99: Number(m[2]) };
}

async function nodeLoad(url: string, reqPath: string): Promise<ReadLoad> {
  const pool = new Pool(url, { connections: CONNS });
  const lat: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const res = await pool.request({ method: 'GET', path: reqPath });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`GET ${reqPath}: ${res.statusCode}`);
        lat.push(performance.now() - t0);
      }
    }),
  );
  await pool.close();
  return { rps: lat.length / SECONDS, p99: pct(lat.sort((a, b) => a - b), 0.99) };
}

const readLoad = (url: string, reqPath: string, dir: string): Promise<ReadLoad> => (hasWrk ? wrkLoad(url, reqPath, dir) : nodeLoad(url, reqPath));

const BARE_SERVER = `
const body = Buffer.alloc(Number(process.argv[2]), 97);
require('http').createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
`;

/** A bare node:http server sending `bytes` bytes: the floor for an answer of that size. */
async function startBare(bytes: number): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const bare = spawn(process.execPath, ['-e', BARE_SERVER, String(port), String(bytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => bare.stdout?.once('data', () => resolve()));
  return { port, stop: () => void bare.kill('SIGKILL') };
}

// ---- the two catalogs, measured side by side ----

const HEALTH = '/v1/health/service/web?passing';
const SERVICES = '/v1/catalog/services';
const QNAME = 'web.service.consul';

/** One server agent with its catalog and the agents that sync to it. */
interface Side {
  name: 'small' | 'big';
  agent: TestAgent;
  nodes: LocalNode[];
  fleet: AgentFleet;
}

async function startSide(name: Side['name'], dir: string): Promise<Side> {
  const agent = await TestAgent.start({ dev: false, dataDir: path.join(dir, `data-${name}`), args: ['-server', '-bootstrap-expect=1', '-log-level=warn'] });
  const nodes: LocalNode[] = [];
  for (let i = 0; i < WEB_INSTANCES; i++) {
    const n = newNode(i);
    n.services.push(serviceOf(n, 'web', 'web', 8080, ['v1']), serviceOf(n, 'api', 'api', 9090, ['v1']));
    nodes.push(n);
  }
  await register(agent.url, nodes, new Set(nodes.flatMap((n) => n.services)));
  return { name, agent, nodes, fleet: new AgentFleet(`127.0.0.1:${agent.ports.server}`, nodes, AE_DIRTY) };
}

async function bodySize(url: string, p: string, check: (v: unknown) => boolean): Promise<number> {
  const text = await (await fetch(url + p)).text();
  if (!check(JSON.parse(text))) throw new Error(`unexpected answer to ${p}: ${text.slice(0, 200)}`);
  return Buffer.byteLength(text);
}

interface Sample {
  rate: number;
  p99: number;
  bytes: number;
}

/** Samples per figure and side ("health/small", "dnsA/nsd", ...), one per round. */
const samples = new Map<string, Sample[]>();
function keep(key: string, s: Sample): void {
  samples.set(key, [...(samples.get(key) ?? []), s]);
}
/** The median sample of a figure (by rate). */
function median(key: string): Sample | undefined {
  const list = [...(samples.get(key) ?? [])].sort((a, b) => a.rate - b.rate);
  return list[Math.floor(list.length / 2)];
}

interface DnsAnchors {
  nsd: number;
  floor: number;
}

async function round(sides: readonly Side[], bytes: Map<string, number>, dnsPorts: DnsAnchors | undefined, barePort: number, dir: string): Promise<void> {
  const http = async (fig: string, reqPath: string): Promise<void> => {
    for (const s of sides) {
      const r = await readLoad(s.agent.url, reqPath, dir);
      keep(`${fig}/${s.name}`, { rate: r.rps, p99: r.p99, bytes: bytes.get(`${fig}/${s.name}`) ?? 0 });
    }
  };
  await http('health', HEALTH);
  await http('services', SERVICES);
  const bare = await readLoad(`http://127.0.0.1:${barePort}`, SERVICES, dir);
  keep('services/bare', { rate: bare.rps, p99: bare.p99, bytes: bytes.get('services/big') ?? 0 });
  if (dnsPorts === undefined) return;
  for (const qtype of ['A', 'SRV']) {
    for (const [name, port] of [...sides.map((s) => [s.name, s.agent.ports.dns] as const), ['nsd', dnsPorts.nsd] as const, ['floor', dnsPorts.floor] as const]) {
      const d = await dnsperf(port, QNAME, qtype, SECONDS, dir);
      keep(`dns${qtype}/${name}`, { rate: d.qps, p99: NaN, bytes: d.responseBytes });
    }
  }
}

// ---- report ----

const f0 = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');

interface Extra {
  instances: [number, number];
  ae: [ReturnType<AgentFleet['takeStats']>, ReturnType<AgentFleet['takeStats']>];
  pass: Awaited<ReturnType<AgentFleet['fullPass']>>;
  rss: [number, number];
  regRate: number;
}

function report(x: Extra): void {
  const rows: string[][] = [['figure', `${f0(x.instances[0])} instances`, `${f0(x.instances[1])} instances`, 'slower at big', 'anchor (same run); target']];
  const m = (k: string): Sample => median(k) ?? { rate: NaN, p99: NaN, bytes: NaN };
  const [hs, hb, ss, sb, bare] = [m('health/small'), m('health/big'), m('services/small'), m('services/big'), m('services/bare')];
  rows.push([`${HEALTH} reads/s (${f0(hb.bytes)} B)`, f0(hs.rate), f0(hb.rate), ratio(hs.rate, hb.rate), '<= 2x']);
  rows.push(['  p99 ms', f1(hs.p99), f1(hb.p99), ratio(hb.p99, hs.p99), '']);
  rows.push([`${SERVICES} reads/s`, `${f0(ss.rate)} (${f0(ss.bytes)} B)`, `${f0(sb.rate)} (${f0(sb.bytes)} B)`, ratio(ss.rate, sb.rate), `bare Node sending the same ${f0(sb.bytes)} B: ${f0(bare.rate)}/s, ours ${ratio(sb.rate, bare.rate)}`]);
  rows.push(['  p99 ms', f1(ss.p99), f1(sb.p99), ratio(sb.p99, ss.p99), `bare Node p99 ${f1(bare.p99)} ms`]);
  for (const [qtype, what] of [['A', '50 A'], ['SRV', '50 SRV + 50 A']]) {
    const [a, b, nsd, floor] = [m(`dns${qtype}/small`), m(`dns${qtype}/big`), m(`dns${qtype}/nsd`), m(`dns${qtype}/floor`)];
    if (!Number.isFinite(nsd.rate)) continue;
    rows.push([`DNS ${QNAME} ${qtype} q/s (EDNS, ${what})`, `${f0(a.rate)} (${f0(a.bytes)} B)`, `${f0(b.rate)} (${f0(b.bytes)} B)`, ratio(a.rate, b.rate), `nsd ${f0(nsd.rate)} q/s (${f0(nsd.bytes)} B): ours ${ratio(b.rate, nsd.rate)}; >= 0.5x`]);
    rows.push(['', '', '', '', `bare Node sending our bytes: ${f0(floor.rate)} q/s = ${ratio(floor.rate, nsd.rate)} nsd; ours ${ratio(b.rate, floor.rate)} of it`]);
  }
  const [as, ab] = x.ae;
  rows.push([`anti-entropy sync at ${AE_PER_MIN}/min, p50 / p99 ms`, `${f1(as.p50)} / ${f1(as.p99)}`, `${f1(ab.p50)} / ${f1(ab.p99)}`, ratio(ab.p99, as.p99), `${as.count} / ${ab.count} syncs, ${as.pushed} / ${ab.pushed} registrations pushed`]);
  rows.push([`full anti-entropy pass, ${PASS_AGENTS} agents at a time`, '', `${f0(x.pass.ms)} ms`, '', `${f0((x.instances[1] / PER_NODE / x.pass.ms) * 1000)} syncs/s, sync p99 ${f1(x.pass.p99)} ms, ${x.pass.pushed} pushed`]);
  rows.push(['server RSS MiB', f0(x.rss[0]), f0(x.rss[1]), ratio(x.rss[1], x.rss[0]), `${f1(((x.rss[1] - x.rss[0]) * 1024) / (x.instances[1] - x.instances[0]))} KiB per added instance`]);
  rows.push(['registration, PUT /v1/catalog/register', '', `${f0(x.regRate)}/s`, '', '64 in flight, each fsynced']);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ').trimEnd());
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-catalog-'));
  const sides: Side[] = [];
  const stops: (() => void)[] = [];
  try {
    sides.push(await startSide('small', dir), await startSide('big', dir));
    const [small, big] = sides as [Side, Side];
    const reg = await register(big.agent.url, big.nodes, new Set(grow(big.nodes, NODES)));
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`# consul-ts catalog scale: ${os.cpus().length} CPUs, load avg ${load}; ${hasWrk ? 'wrk' : 'node'} -c${CONNS}; ${SECONDS}s per figure, ${ROUNDS} rounds (medians); ${AE_PER_MIN} syncs/min per server, ${AE_DIRTY * 100}% push a changed check output`);
    console.log(`# small: ${small.nodes.length} nodes, ${WEB_INSTANCES * 2} instances; big: ${NODES} nodes, ${NODES * PER_NODE} instances (${f0(reg.n)} registered in ${f0(reg.ms)} ms)`);
    const bytes = new Map<string, number>();
    for (const s of sides) {
      bytes.set(`health/${s.name}`, await bodySize(s.agent.url, HEALTH, (v) => Array.isArray(v) && v.length === WEB_INSTANCES));
      bytes.set(`services/${s.name}`, await bodySize(s.agent.url, SERVICES, (v) => typeof v === 'object' && v !== null && 'web' in v));
    }
    const bare = await startBare(bytes.get('services/big') ?? 0);
    stops.push(bare.stop);
    let dnsPorts: DnsAnchors | undefined;
    if (hasDnsTools) {
      dnsPorts = { nsd: await freePort(), floor: await freePort() };
      const web = big.nodes.slice(0, WEB_INSTANCES).map((n) => ({ node: n.node.Node, address: n.node.Address, port: 8080 }));
      stops.push((await startNsd(ROOT, dir, dnsPorts.nsd, zoneFor('web', web, 'dc1'), QNAME)).stop);
      const ours = { 1: await askOnce(big.agent.ports.dns, QNAME, 'A'), 33: await askOnce(big.agent.ports.dns, QNAME, 'SRV') };
      stops.push((await startDnsFloor(dnsPorts.floor, ours)).stop);
    } else console.log('# DNS rows skipped: dnsperf and nsd are not both installed (apt-get install dnsperf nsd)');
    for (const s of sides) s.fleet.startPaced(AE_PER_MIN);
    for (let r = 0; r < ROUNDS; r++) await round(r % 2 === 0 ? sides : [big, small], bytes, dnsPorts, bare.port, dir);
    for (const s of sides) await s.fleet.stopPaced();
    // The same answers as at the start: nothing (the leader, anti-entropy) changed what was measured.
    for (const s of sides) await bodySize(s.agent.url, HEALTH, (v) => Array.isArray(v) && v.length === WEB_INSTANCES);
    const ae: Extra['ae'] = [small.fleet.takeStats(), big.fleet.takeStats()];
    const pass = await big.fleet.fullPass(PASS_AGENTS);
    const rss: Extra['rss'] = [rssMiB(small.agent.proc.pid as number), rssMiB(big.agent.proc.pid as number)];
    for (const s of sides) if (s.fleet.errors > 0) console.log(`# anti-entropy errors (${s.name}): ${s.fleet.errors} (last: ${s.fleet.lastError})`);
    report({ instances: [WEB_INSTANCES * 2, NODES * PER_NODE], ae, pass, rss, regRate: (reg.n / reg.ms) * 1000 });
  } finally {
    for (const stop of stops) stop();
    for (const s of sides) {
      await s.fleet.stopPaced();
      s.fleet.close();
      await s.agent.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
