// KV memory (issue 16 item 1): RSS of one server after loading N keys of 100-byte values through
// /v1/txn (64 ops per txn, several txns in flight), beside one etcd 3.4 member (Debian
// etcd-server, as ../shared/bench/etcd3.sh runs it) loaded with the same keys through its v3 JSON
// gateway (/v3/kv/txn, 64 puts per txn). Both are left to go idle (RSS steady) before reading it;
// nothing artificial (no forced GC, no compaction) is done to either. Figures only, not a test.
//   npm run build && node dist/bench/kv-memory.js [--keys=200000] [--inflight=4] [--heap-snapshot=FILE]
// --heap-snapshot writes a V8 heap snapshot of the loaded agent (NODE_OPTIONS
// --heapsnapshot-signal=SIGUSR2) for the per-structure breakdown in docs/benchmarks.md.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { TestAgent } from '../test/support/test-agent.js';
import { freePort } from '../test/support/free-port.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const KEYS = Number(arg('keys', '200000'));
const INFLIGHT = Number(arg('inflight', '4'));
const HEAP_SNAPSHOT = arg('heap-snapshot', '');
const OPS_PER_TXN = 64;
const VALUE = Buffer.alloc(100, 'v');
const VALUE_B64 = VALUE.toString('base64');
const ETCD = process.env.ETCD ?? '/usr/bin/etcd';

const keyOf = (i: number): string => `kvmem/${String(i).padStart(10, '0')}`;
const mib = (bytes: number): string => (bytes / 1048576).toFixed(0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssBytes(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024;
}

/** Wait until RSS has changed by under 1% across 3 one-second samples (bounded: 60 s). */
async function idleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  const deadline = Date.now() + 60_000;
  for (;;) {
    samples.push(rssBytes(pid));
    const last = samples.slice(-4);
    if (last.length === 4 && Math.max(...last) - Math.min(...last) < 0.01 * Math.max(...last)) return last[3];
    if (Date.now() > deadline) return samples[samples.length - 1];
    await sleep(1000);
  }
}

/** Send `count` batches through `send`, INFLIGHT at a time. */
async function loadBatches(send: (first: number, n: number) => Promise<void>): Promise<number> {
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < KEYS) {
        const first = next;
        const n = Math.min(OPS_PER_TXN, KEYS - first);
        next += n;
        await send(first, n);
      }
    }),
  );
  return (Date.now() - t0) / 1000;
}

async function loadConsul(url: string): Promise<number> {
  const pool = new Pool(url, { connections: INFLIGHT });
  try {
    return await loadBatches(async (first, n) => {
      const ops = Array.from({ length: n }, (_, j) => ({ KV: { Verb: 'set', Key: keyOf(first + j), Value: VALUE_B64 } }));
      const res = await pool.request({ method: 'PUT', path: '/v1/txn', body: JSON.stringify(ops) });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`/v1/txn: ${res.statusCode} ${text}`);
    });
  } finally {
    await pool.close();
  }
}

async function loadEtcd(url: string): Promise<number> {
  const pool = new Pool(url, { connections: INFLIGHT });
  try {
    return await loadBatches(async (first, n) => {
      const success = Array.from({ length: n }, (_, j) => ({
        requestPut: { key: Buffer.from(keyOf(first + j)).toString('base64'), value: VALUE_B64 },
      }));
      const res = await pool.request({ method: 'POST', path: '/v3/kv/txn', body: JSON.stringify({ success }) });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`etcd /v3/kv/txn: ${res.statusCode} ${text}`);
    });
  } finally {
    await pool.close();
  }
}

async function consulCount(url: string): Promise<number> {
  const res = await fetch(`${url}/v1/kv/kvmem/?keys`);
  return ((await res.json()) as string[]).length;
}

async function etcdCount(url: string): Promise<number> {
  const body = { key: Buffer.from('kvmem/').toString('base64'), range_end: Buffer.from('kvmem0').toString('base64'), count_only: true };
  const res = await fetch(`${url}/v3/kv/range`, { method: 'POST', body: JSON.stringify(body) });
  return Number(((await res.json()) as { count?: string }).count ?? 0);
}

async function heapUsed(url: string): Promise<number | undefined> {
  const res = await fetch(`${url}/v1/agent/metrics`);
  const m = (await res.json()) as { Gauges?: { Name: string; Value: number }[] };
  return m.Gauges?.find((g) => g.Name.endsWith('runtime.alloc_bytes'))?.Value;
}

async function startEtcd(dir: string): Promise<{ proc: ChildProcess; url: string }> {
  const client = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${client}`;
  const proc = spawn(
    ETCD,
    [
      '--name', 'm1', '--data-dir', path.join(dir, 'etcd'),
      '--listen-client-urls', url, '--advertise-client-urls', url,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `m1=http://127.0.0.1:${peer}`, '--initial-cluster-state', 'new',
      '--log-level', 'warn', `--quota-backend-bytes=${4 * 1024 * 1024 * 1024}`,
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return { proc, url };
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null) throw new Error(`etcd exited ${proc.exitCode}`);
    if (Date.now() > deadline) throw new Error('etcd not healthy within 20 s');
    await sleep(100);
  }
}

async function stopProc(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

async function writeHeapSnapshot(pid: number, cwd: string, target: string): Promise<void> {
  const before = new Set(readdirSync(cwd));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 300_000;
  for (;;) {
    const fresh = readdirSync(cwd).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (fresh) {
      // V8 writes the file in place: done when its size stops changing.
      const file = path.join(cwd, fresh);
      let size = -1;
      while (statSync(file).size !== size) {
        size = statSync(file).size;
        await sleep(2000);
      }
      execFileSync('mv', [file, target]);
      return;
    }
    if (Date.now() > deadline) throw new Error('no heap snapshot within 300 s');
    await sleep(500);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-kvmem-'));
  console.log(`# KV memory: ${KEYS} keys x ${VALUE.length} B values, ${OPS_PER_TXN} ops per txn, ${INFLIGHT} txns in flight, ${os.cpus().length} cores`);
  try {
    const env: Record<string, string> = HEAP_SNAPSHOT ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2`.trim() } : {};
    const agent = await TestAgent.start({ dataDir: path.join(dir, 'data'), args: ['-log-level=warn'], env });
    let ours: number;
    try {
      const base = rssBytes(agent.proc.pid ?? 0);
      const secs = await loadConsul(agent.url);
      const count = await consulCount(agent.url);
      if (count !== KEYS) throw new Error(`consul holds ${count} keys, expected ${KEYS}`);
      ours = await idleRss(agent.proc.pid ?? 0);
      const heap = await heapUsed(agent.url);
      console.log(
        `consul-ts: loaded in ${secs.toFixed(1)} s; RSS ${mib(ours)} MiB (empty ${mib(base)} MiB, ${((ours - base) / KEYS).toFixed(0)} B/key)` +
          (heap === undefined ? '' : `; V8 heap used ${mib(heap)} MiB`),
      );
      if (HEAP_SNAPSHOT) {
        await writeHeapSnapshot(agent.proc.pid ?? 0, process.cwd(), path.resolve(HEAP_SNAPSHOT));
        console.log(`heap snapshot: ${path.resolve(HEAP_SNAPSHOT)}`);
      }
    } finally {
      await agent.stop();
    }
    if (!existsSync(ETCD)) {
      console.log(`etcd: ${ETCD} not installed (apt-get install etcd-server); no ratio`);
      return;
    }
    const etcd = await startEtcd(dir);
    try {
      const pid = etcd.proc.pid ?? 0;
      const base = rssBytes(pid);
      const secs = await loadEtcd(etcd.url);
      const count = await etcdCount(etcd.url);
      if (count !== KEYS) throw new Error(`etcd holds ${count} keys, expected ${KEYS}`);
      const theirs = await idleRss(pid);
      const version = execFileSync(ETCD, ['--version'], { encoding: 'utf8' }).split('\n')[0];
      console.log(`etcd (${version}, 1 member): loaded in ${secs.toFixed(1)} s; RSS ${mib(theirs)} MiB (empty ${mib(base)} MiB, ${((theirs - base) / KEYS).toFixed(0)} B/key)`);
      console.log(`ratio consul-ts / etcd RSS: ${(ours / theirs).toFixed(2)}x (target <= 1.0x)`);
    } finally {
      await stopProc(etcd.proc);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
