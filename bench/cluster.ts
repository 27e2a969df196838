// Figures for a 3-server consul-ts cluster on loopback next to a 3-member etcd, measured with the
// shared KV protocol (../shared/bench/kvbench.sh: wrk + kv.lua), plus leader failover time:
//   - PUT throughput and latency with 1 and 64 clients (through the leader's HTTP),
//   - default-consistency GET, 64 clients through the leader; ?stale GET, 64 clients spread over
//     all three servers,
//   - failover: kill -9 the leader -> first successful write through a surviving server, 3x per
//     raft_multiplier (5 = Consul's production default, 1 = Consul's recommended "high
//     performance" setting), and the same for etcd (default 1 s election timeout).
// Figures only: nothing here is a test. Every process is stopped by PID; the run is bounded by a
// watchdog (--budget seconds, default 290).
//   npx tsc -p . && node dist/bench/cluster.js [--seconds=5] [--mults=5,1] [--etcd=1] [--budget=290]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../test/support/test-agent.js';
import { ServerSet, setStabilizationTime, tryGetRaw, tryPut, waitAllVoters, type ServerSlot } from '../test/support/servers.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '5'));
const MULTS = arg('mults', '5,1').split(',').map(Number);
const WITH_ETCD = arg('etcd', '1') === '1';
const BUDGET_S = Number(arg('budget', '290'));
const FAILOVERS = 3;
const BENCH_DIR = path.resolve(ROOT, '..', 'shared', 'bench');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
};
const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

/** One RESULT line of kv.lua. */
interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** kvbench step label prefix ("a)", "b)", "c)", "d3)" ...) -> its result. */
type KvFigures = Map<string, WrkResult>;

const children = new Set<number>();

/** Runs a shell script to completion (own process group, killed on timeout); stdout. */
function runScript(file: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = p.pid as number;
    children.add(pid);
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => killGroup(pid), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(pid);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}: ${err || out}`));
    });
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function parseKvbench(out: string): KvFigures {
  const figures: KvFigures = new Map();
  let label = '';
  for (const line of out.split('\n')) {
    const head = /^### (\S+)\)/.exec(line);
    if (head) label = head[1] as string;
    const m = /^RESULT .* rps=([\d.]+) p50_ms=([\d.]+) p90_ms=[\d.]+ p99_ms=([\d.]+) .* errors=(\d+) status_ge400=(\d+)/.exec(line);
    if (m && label) {
      figures.set(label, { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), errors: Number(m[4]), non2xx: Number(m[5]) });
    }
  }
  return figures;
}

async function kvbench(api: 'consul' | 'etcd', args: string[]): Promise<KvFigures> {
  const out = await runScript(path.join(BENCH_DIR, 'kvbench.sh'), [api, ...args], { DUR: String(SECONDS) }, (SECONDS + 25) * 10 * 1000);
  return parseKvbench(out);
}

interface Failover {
  /** kill -> some survivor names a live leader. */
  leaderMs: number;
  /** kill -> first write acknowledged through a survivor. */
  writeMs: number;
}

/** Polls `put` through the survivors until one acknowledges; ms since `t0`. */
async function firstWrite(t0: number, put: (attempt: number) => Promise<boolean>, timeoutMs: number): Promise<number> {
  for (let i = 0; ; i++) {
    if (await put(i)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`no write acknowledged within ${timeoutMs} ms of the kill`);
    await sleep(10);
  }
}

async function consulFailovers(set: ServerSet, rounds: number): Promise<Failover[]> {
  const out: Failover[] = [];
  for (let round = 1; round <= rounds; round++) {
    const old = await set.waitCommonLeader(60_000);
    const survivors = set.slots.filter((s) => s !== old);
    const t0 = performance.now();
    await set.kill9(old);
    let leaderMs = NaN;
    const writeMs = await firstWrite(t0, async (i) => {
      if (Number.isNaN(leaderMs) && (await set.findLeader()) !== undefined) leaderMs = performance.now() - t0;
      return tryPut(survivors[i % survivors.length] as ServerSlot, 'bench/failover', `r${round}`, 500);
    }, 60_000);
    if (Number.isNaN(leaderMs)) leaderMs = writeMs;
    out.push({ leaderMs, writeMs });
    log(`consul mult=${set.raftMultiplier} failover ${round}: leader ${leaderMs.toFixed(0)} ms, write ${writeMs.toFixed(0)} ms`);
    // Bring the old leader back, caught up and a voter again, before the next kill.
    await setStabilizationTime(survivors[0] as ServerSlot, '1s');
    await set.start(old);
    const marker = `m${round}-${Date.now()}`;
    await firstWrite(performance.now(), (i) => tryPut(survivors[i % 2] as ServerSlot, 'bench/marker', marker, 1_000), 30_000);
    const t1 = performance.now();
    while ((await tryGetRaw(old, 'bench/marker', 'stale', 1_000)) !== marker) {
      if (performance.now() - t1 > 60_000) throw new Error(`${old.name} did not catch up`);
      await sleep(100);
    }
    await waitAllVoters(set, 60_000);
  }
  return out;
}

async function startConsul(mult: number): Promise<ServerSet> {
  const set = await ServerSet.create({ count: 3, raftMultiplier: mult, logLevel: 'warn' });
  clusters.add(set);
  await set.startAll();
  await set.waitCommonLeader(60_000);
  await setStabilizationTime(set.slots[0] as ServerSlot, '1s');
  await waitAllVoters(set, 60_000);
  return set;
}

async function stopConsul(set: ServerSet): Promise<void> {
  clusters.delete(set);
  await set.stopAll(5_000);
}

// ---- etcd (../shared/bench/etcd3.sh: members m1..m3, client ports 2379/12379/22379) ----

const ETCD_CLIENT = ['http://127.0.0.1:2379', 'http://127.0.0.1:12379', 'http://127.0.0.1:22379'];
let etcdRoot: string | undefined;

function etcdScript(cmd: string, timeoutMs = 30_000): Promise<string> {
  return runScript(path.join(BENCH_DIR, 'etcd3.sh'), [cmd], { ROOT: etcdRoot as string }, timeoutMs);
}

async function etcdPut(url: string, value: string, timeoutMs: number): Promise<boolean> {
  try {
    const body = JSON.stringify({ key: Buffer.from('bench/failover').toString('base64'), value: Buffer.from(value).toString('base64') });
    const res = await fetch(`${url}/v3/kv/put`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return res.status === 200 && text.includes('"header"');
  } catch {
    return false;
  }
}

async function etcdLeader(): Promise<number | undefined> {
  for (let i = 0; i < 50; i++) {
    const url = (await etcdScript('leader').catch(() => '')).trim();
    const idx = ETCD_CLIENT.indexOf(url);
    if (idx >= 0) return idx;
    await sleep(200);
  }
  return undefined;
}

async function etcdFailovers(rounds: number): Promise<Failover[]> {
  const out: Failover[] = [];
  for (let round = 1; round <= rounds; round++) {
    const idx = await etcdLeader();
    if (idx === undefined) throw new Error('etcd has no leader');
    const pid = Number(readFileSync(path.join(etcdRoot as string, `m${idx + 1}.pid`), 'utf8').trim());
    const survivors = ETCD_CLIENT.filter((_, i) => i !== idx);
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    const writeMs = await firstWrite(t0, (i) => etcdPut(survivors[i % 2] as string, `r${round}`, 500), 60_000);
    out.push({ leaderMs: NaN, writeMs });
    log(`etcd failover ${round}: write ${writeMs.toFixed(0)} ms`);
    // etcd3.sh start skips a member whose PID still answers kill -0, and a killed process stays a
    // zombie until init reaps it (about 1.5 s here): wait for that first.
    await waitReaped(pid, 15_000);
    await etcdScript('start', 60_000); // restarts the missing member with its data dir
    await sleep(1_000);
  }
  return out;
}

async function waitReaped(pid: number, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`process ${pid} was not reaped within ${timeoutMs} ms`);
    await sleep(100);
  }
}

// ---- main ----

const clusters = new Set<ServerSet>();
let etcdRunning = false;

async function cleanup(): Promise<void> {
  for (const pid of children) killGroup(pid);
  await Promise.all([...clusters].map((s) => s.stopAll(3_000)));
  if (etcdRunning && etcdRoot) {
    spawnSync('bash', [path.join(BENCH_DIR, 'etcd3.sh'), 'stop'], { env: { ...process.env, ROOT: etcdRoot }, timeout: 20_000 });
    etcdRunning = false;
  }
  if (etcdRoot) rmSync(etcdRoot, { recursive: true, force: true });
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);
}

function ratio(ours: number | undefined, theirs: number | undefined): string {
  return ours === undefined || theirs === undefined || Number.isNaN(ours) || Number.isNaN(theirs) || theirs === 0 ? '-' : (ours / theirs).toFixed(2);
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    log(`budget of ${BUDGET_S} s exceeded: stopping everything`);
    void cleanup().finally(() => process.exit(2));
  }, BUDGET_S * 1000);
  watchdog.unref();
  if (spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).status !== 0) throw new Error('wrk is not installed (apt-get install -y wrk)');
  const started = Date.now();

  // 1. consul-ts throughput (raft_multiplier 5) and failover per multiplier.
  let ours: KvFigures = new Map();
  const failovers = new Map<number, Failover[]>();
  for (const [i, mult] of MULTS.entries()) {
    log(`starting a 3-server cluster, raft_multiplier=${mult}`);
    const set = await startConsul(mult);
    try {
      if (i === 0) {
        const leader = await set.waitCommonLeader(30_000);
        log(`kvbench consul (leader ${leader.name}, ${SECONDS}s per step)`);
        ours = await kvbench('consul', [leader.url, set.slots.map((s) => `127.0.0.1:${s.ports.http}`).join(',')]);
      }
      failovers.set(mult, await consulFailovers(set, FAILOVERS));
    } finally {
      await stopConsul(set);
    }
  }

  // 2. etcd, the same protocol.
  let etcd: KvFigures = new Map();
  let etcdFail: Failover[] = [];
  const haveEtcd = existsSync('/usr/bin/etcd') && existsSync('/usr/bin/etcdctl');
  if (WITH_ETCD && haveEtcd) {
    etcdRoot = mkdtempSync(path.join(os.tmpdir(), 'bench-etcd3-'));
    log('starting etcd x3');
    etcdRunning = true;
    await etcdScript('start', 60_000);
    const idx = await etcdLeader();
    log(`kvbench etcd (${SECONDS}s per step)`);
    etcd = await kvbench('etcd', [ETCD_CLIENT[idx ?? 0] as string]);
    etcdFail = await etcdFailovers(FAILOVERS);
  } else if (WITH_ETCD) log('etcd-server/etcd-client not installed: etcd columns left empty');

  // 3. The table.
  const rows: [string, number | undefined, number | undefined, string, number][] = [];
  const add = (what: string, step: string, field: keyof WrkResult, target: string, digits = 0, etcdStep = step): void => {
    rows.push([what, ours.get(step)?.[field], etcd.get(etcdStep)?.[field], target, digits]);
  };
  add('PUT 1 client, req/s', 'a', 'rps', '');
  add('PUT 1 client, p50 ms', 'a', 'p50', '<= 2 ms', 2);
  add('PUT 1 client, p99 ms', 'a', 'p99', '', 2);
  add('PUT 64 clients, req/s', 'b', 'rps', '>= 5000');
  add('PUT 64 clients, p50 ms', 'b', 'p50', '', 2);
  add('PUT 64 clients, p99 ms', 'b', 'p99', '', 2);
  add('GET default, 64 -> leader, req/s', 'c', 'rps', '');
  add('GET default, 64 -> leader, p99 ms', 'c', 'p99', '', 2);
  // etcd has no leader-local default read: its default (linearizable, ReadIndex) is the peer of ?consistent.
  add('GET ?consistent, 64 -> leader, req/s', 'c2', 'rps', '', 0, 'c');
  add('GET ?consistent, 64 -> leader, p99 ms', 'c2', 'p99', '', 2, 'c');
  add('GET stale, 64 over 3 servers, req/s', 'd3', 'rps', '>= 15000');
  add('GET stale, 64 over 3 servers, p99 ms', 'd3', 'p99', '', 2);
  for (const [mult, f] of failovers) {
    rows.push([`failover mult=${mult}: kill -> write, median ms`, median(f.map((x) => x.writeMs)), median(etcdFail.map((x) => x.writeMs)), '< 3000', 0]);
  }
  const lines = [
    `consul-ts 3 servers vs etcd ${etcdVersion()} 3 members, loopback, ${os.cpus().length} CPUs, wrk via kvbench.sh (${SECONDS}s per step, 256 B values, 1000 keys); writes through the leader`,
    `${'metric'.padEnd(44)}${'consul-ts'.padStart(11)}${'etcd'.padStart(11)}${'ours/etcd'.padStart(11)}  target`,
    ...rows.map(([what, o, e, target, d]) => `${what.padEnd(44)}${fmt(o, d).padStart(11)}${fmt(e, d).padStart(11)}${ratio(o, e).padStart(11)}  ${target}`),
    ...[...failovers].map(([mult, f]) => `failover mult=${mult} each (kill -> leader known / -> first write, ms): ${f.map((x) => `${fmt(x.leaderMs)}/${fmt(x.writeMs)}`).join(', ')}`),
    `etcd failover each (kill -> first write, ms): ${etcdFail.map((x) => fmt(x.writeMs)).join(', ') || '-'}`,
    `errors/non-2xx (consul-ts): ${[...ours].map(([k, r]) => `${k}:${r.errors}/${r.non2xx}`).join(' ')}; (etcd): ${[...etcd].map(([k, r]) => `${k}:${r.errors}/${r.non2xx}`).join(' ')}`,
    `total ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  ];
  console.log(lines.join('\n'));
  clearTimeout(watchdog);
}

function etcdVersion(): string {
  const r = spawnSync('/usr/bin/etcd', ['--version'], { encoding: 'utf8', timeout: 5_000 });
  return /etcd Version: (\S+)/.exec(r.stdout ?? '')?.[1] ?? '?';
}

try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
