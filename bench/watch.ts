// Blocking-query fan-out: park N concurrent blocking queries on a real dev agent, print the
// agent's RSS with them parked, then PUT and time how long each parked query takes to return
// (p50 / p99 / max from the PUT). Two layouts (--keys=1,1000): N queries on one key and one PUT;
// N queries spread over 1,000 keys and one PUT per key. Beside each agent run, in the same run and
// with the same C client, the bare-Node floor (watch-floor.ts: node:http writing a pre-built
// answer to each parked socket); the two alternate, --rounds times. Figures only; not a test.
//   npm run build && node dist/bench/watch.js [--n=10000] [--keys=1,1000] [--rounds=2] [--timeout=120]
//   --attach=PORT:PID measures an agent started elsewhere (e.g. under --cpu-prof) instead.
//   --batch=500 is the Node client's connection batch.
//   --client=c (the default when gcc is there) parks and times the queries from watch-client.c,
//   one epoll loop in C: on 2 cores a Node client spends as much CPU reading 10,000 answers as
//   the agent spends writing them, which would hide the agent's figure. --client=node keeps the
//   Node client (raw sockets).
// Each query is one raw HTTP/1.1 socket (the cheapest client there is, so the figure is the
// agent's). N is capped by the open-file limit this process inherited (`ulimit -n`); what was
// reached is printed. Everything started is stopped by PID, and the run is bounded in time.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { TestAgent } from '../test/support/test-agent.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const WANT = Number(arg('n', '10000'));
const BATCH = Number(arg('batch', '500'));
const TIMEOUT_S = Number(arg('timeout', '120'));
const ATTACH = arg('attach', '');
const CLIENT = arg('client', 'c');
const KEY = 'bench/watch';
const LAYOUTS = arg('keys', '1,1000').split(',').map(Number);
const ROUNDS = Number(arg('rounds', '2'));

/** The agent to measure: started here, or one given with --attach (left running). */
async function startAgent(): Promise<{ url: string; port: number; pid: number; stop(): Promise<unknown>; kill(): Promise<unknown> }> {
  if (ATTACH) {
    const [port, pid] = ATTACH.split(':').map(Number) as [number, number];
    return { url: `http://127.0.0.1:${port}`, port, pid, stop: async () => undefined, kill: async () => undefined };
  }
  // Every parked query comes from 127.0.0.1: lift http_max_conns_per_client (200 by default), as a
  // Consul operator running this would.
  const a = await TestAgent.start({ args: ['-log-level=warn', '-hcl=limits { http_max_conns_per_client = 0 }'] });
  return { url: a.url, port: a.ports.http, pid: a.proc.pid as number, stop: () => a.stop(), kill: () => a.kill9() };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

interface Parked {
  sock: net.Socket;
  returnedAt?: number;
  status?: string;
}

function park(port: number, index: string): Promise<Parked> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const p: Parked = { sock };
    sock.setNoDelay(true);
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.write(`GET /v1/kv/${KEY}?index=${index}&wait=90s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      sock.off('error', reject);
      sock.on('error', () => undefined);
      resolve(p);
    });
    sock.once('data', (b: Buffer) => {
      p.returnedAt = performance.now();
      p.status = b.subarray(9, 12).toString();
    });
  });
}

const pct = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** Build watch-client.c (once per run) into the temp dir; undefined when there is no C compiler. */
function buildCClient(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const src = path.resolve(here, '..', '..', 'bench', 'watch-client.c');
  const out = path.join(os.tmpdir(), `consul-ts-watch-client-${process.pid}`);
  try {
    execFileSync('gcc', ['-O2', '-o', out, src], { stdio: 'pipe' });
    return out;
  } catch {
    return undefined;
  }
}

/** Park n queries and time them with the C client; resolves with its result line. */
async function runCClient(bin: string, port: number, n: number, index: string, nkeys: number, rss: (label: string) => void): Promise<string> {
  const args = [String(port), String(n), KEY, index];
  if (nkeys > 1) args.push(String(nkeys));
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const lines: string[] = [];
  const waitLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const at = out.indexOf('\n');
        if (at >= 0) {
          const line = out.slice(0, at);
          out = out.slice(at + 1);
          child.stdout.off('data', onData);
          resolve(line);
        }
      };
      const onData = (b: Buffer): void => {
        out += b.toString();
        check();
      };
      child.stdout.on('data', onData);
      child.once('exit', (code) => reject(new Error(`watch-client exited with ${code}: ${lines.join(' ')}`)));
      check();
    });
  try {
    const parked = await waitLine();
    lines.push(parked);
    await new Promise((r) => setTimeout(r, 2000)); // let the agent read and park every request
    rss(parked);
    child.stdin.write('put\n');
    return await waitLine();
  } finally {
    child.kill('SIGKILL');
  }
}

/** The bare-Node floor (watch-floor.ts) in its own process, stopped by PID. */
async function startFloor(): Promise<{ port: number; pid: number; stop(): Promise<unknown> }> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, [path.join(here, 'watch-floor.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`watch-floor exited with ${code}`)));
  });
  const stop = (): Promise<unknown> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  return { port, pid: child.pid as number, stop };
}

interface Figures {
  parked: number;
  rssIdle: number;
  rssParked: number;
  result: string;
}

/** One measurement: park n queries (over nkeys keys) on `target`, PUT every key, time the answers. */
async function measure(cBin: string, target: 'agent' | 'floor', n: number, nkeys: number): Promise<Figures> {
  const t = target === 'agent' ? await startAgent() : await startFloor();
  const guard = setTimeout(() => {
    console.error(`bench/watch: gave up after ${TIMEOUT_S}s`);
    process.kill(t.pid, 'SIGKILL');
    process.exit(2);
  }, TIMEOUT_S * 1000);
  try {
    let index = '1';
    if (target === 'agent') {
      const url = `http://127.0.0.1:${t.port}/v1/kv/`;
      const keys = nkeys > 1 ? Array.from({ length: nkeys }, (_, k) => `${KEY}/${k}`) : [KEY];
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => fetch(url + k, { method: 'PUT', body: 'v0' }).then((r) => r.text())));
      }
      // The highest ModifyIndex of them all: every key's query parks until its own key changes.
      index = (await fetch(`${url}${KEY}?recurse`)).headers.get('x-consul-index') as string;
    }
    const rssIdle = rssMiB(t.pid);
    let rssParked = NaN;
    let parked = 0;
    const result = await runCClient(cBin, t.port, n, index, nkeys, (line) => {
      rssParked = rssMiB(t.pid);
      parked = Number(line.split(' ')[1]);
    });
    return { parked, rssIdle, rssParked, result };
  } finally {
    clearTimeout(guard);
    await t.stop();
  }
}

const p99Of = (result: string): number => Number(/p99_ms=([\d.]+)/.exec(result)?.[1]);

function report(label: string, f: Figures): void {
  const perQuery = ((f.rssParked - f.rssIdle) * 1024) / Math.max(1, f.parked);
  console.log(
    `  ${label.padEnd(6)} parked ${f.parked}, RSS ${f.rssIdle.toFixed(1)} -> ${f.rssParked.toFixed(1)} MiB (${perQuery.toFixed(2)} KiB per query); PUT to answer: ${f.result}`,
  );
}

async function main(): Promise<void> {
  const limit = openFileLimit();
  // Both ends live on this machine: our sockets count against our limit, the agent's against its own.
  const n = Math.min(WANT, limit - 256);
  if (n < WANT) console.log(`open-file limit is ${limit} (ulimit -n); parking ${n} instead of ${WANT}. Raise it with: ulimit -n ${WANT + 1024}`);
  const cBin = CLIENT === 'c' ? buildCClient() : undefined;
  if (!cBin) {
    if (CLIENT === 'c') console.log('no C compiler: using the Node client (one key, agent only, no floor)');
    return nodeClient(n);
  }
  // Agent and floor alternate, each started fresh, so that the machine's drift hits both sides.
  for (const nkeys of LAYOUTS) {
    console.log(`${n} blocking queries ${nkeys > 1 ? `over ${nkeys} keys, one PUT per key (pipelined)` : `on one key, one PUT`}:`);
    for (let round = 1; round <= ROUNDS; round++) {
      const floor = await measure(cBin, 'floor', n, nkeys);
      report('floor', floor);
      const agent = await measure(cBin, 'agent', n, nkeys);
      report('agent', agent);
      if (/early=[1-9]/.test(agent.result + floor.result)) console.log('  (queries answered before the PUT: these figures are not valid)');
      console.log(`  round ${round}: agent p99 / floor p99 = ${(p99Of(agent.result) / p99Of(floor.result)).toFixed(2)}x`);
    }
  }
}

/** The Node client (--client=node): one key, the agent only. */
async function nodeClient(n: number): Promise<void> {
  const agent = await startAgent();
  const pid = agent.pid;
  const guard = setTimeout(() => {
    console.error(`bench/watch: gave up after ${TIMEOUT_S}s`);
    void agent.kill().then(() => process.exit(2));
  }, TIMEOUT_S * 1000);
  const parked: Parked[] = [];
  try {
    await fetch(`${agent.url}/v1/kv/${KEY}`, { method: 'PUT', body: 'v0' });
    const index = (await fetch(`${agent.url}/v1/kv/${KEY}`)).headers.get('x-consul-index') as string;
    const rssIdle = rssMiB(pid);
    let failure = '';
    while (parked.length < n && !failure) {
      const size = Math.min(BATCH, n - parked.length);
      const batch = await Promise.allSettled(Array.from({ length: size }, () => park(agent.port, index)));
      for (const r of batch) {
        if (r.status === 'fulfilled') parked.push(r.value);
        else failure ||= (r.reason as Error).message;
      }
    }
    if (failure) console.log(`stopped opening connections at ${parked.length}: ${failure}`);
    await new Promise((r) => setTimeout(r, 1000)); // let the agent read and park every request
    const early = parked.filter((p) => p.returnedAt !== undefined).length;
    const rssParked = rssMiB(pid);
    console.log(`parked ${parked.length} blocking queries on ${KEY} (${early} returned early)`);
    console.log(`agent RSS: ${rssIdle.toFixed(1)} MiB idle, ${rssParked.toFixed(1)} MiB with them parked (${(((rssParked - rssIdle) * 1024) / Math.max(1, parked.length)).toFixed(2)} KiB per query)`);

    const t0 = performance.now();
    const put = await fetch(`${agent.url}/v1/kv/${KEY}`, { method: 'PUT', body: 'v1' });
    const putMs = performance.now() - t0;
    await put.text();
    const deadline = Date.now() + 30_000;
    while (parked.some((p) => p.returnedAt === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const returned = parked.filter((p) => p.returnedAt !== undefined && p.returnedAt >= t0);
    const lat = returned.map((p) => (p.returnedAt as number) - t0).sort((a, b) => a - b);
    const ok = returned.filter((p) => p.status === '200').length;
    console.log(`PUT answered in ${putMs.toFixed(1)} ms; ${returned.length}/${parked.length} queries returned (${ok} with 200) within 30 s`);
    console.log(`time from the PUT to a parked query returning: min ${(lat[0] ?? NaN).toFixed(1)} ms, p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms, max ${(lat[lat.length - 1] ?? NaN).toFixed(1)} ms`);
  } finally {
    clearTimeout(guard);
    for (const p of parked) p.sock.destroy();
    await agent.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
