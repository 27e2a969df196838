// KV figures for a single dev server with a data dir on loopback (issue: the KV foundation):
//   a) sequential PUT latency, 1 client (median, p99)
//   b) PUT throughput, 64 concurrent clients (every PUT fsynced before it is acknowledged)
//   c) GET throughput, 64 concurrent clients (default consistency: leader lease)
//   d) `consul kv get` CLI wall time next to `node -e 0`
// Load comes from wrk (Debian package `wrk`) when it is installed, as ../shared/bench does for
// etcd, else from a Node client. Figures only: nothing here is a test.
//   npm run build && node dist/bench/kv.js [--seconds=8] [--loader=wrk|node]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { CONSUL_BIN, TestAgent } from '../test/support/test-agent.js';
import { freePort } from '../test/support/free-port.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '8'));
const KEYS = 1000;
const VALUE = 'v'.repeat(256);
const hasWrk = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).status === 0;
const LOADER = arg('loader', hasWrk ? 'wrk' : 'node');

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const key = (i: number): string => `bench/${String(i % KEYS).padStart(8, '0')}`;

async function sequentialPuts(pool: Pool, seconds: number): Promise<number[]> {
  const lat: number[] = [];
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    const t0 = process.hrtime.bigint();
    const res = await pool.request({ method: 'PUT', path: `/v1/kv/${key(i)}`, body: VALUE });
    await res.body.text();
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return lat.sort((a, b) => a - b);
}

async function nodeLoad(url: string, method: 'PUT' | 'GET', seconds: number): Promise<number> {
  const pool = new Pool(url, { connections: 64, pipelining: 1 });
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async (_, w) => {
      for (let i = w * 17; Date.now() < end; i++) {
        const res = await pool.request({ method, path: `/v1/kv/${key(i)}`, body: method === 'PUT' ? VALUE : undefined });
        await res.body.text();
        if (res.statusCode === 200) done++;
      }
    }),
  );
  await pool.close();
  return done / seconds;
}

const WRK_SCRIPT = `
local method = os.getenv("KV_OP") == "put" and "PUT" or "GET"
local value = string.rep("v", 256)
local reqs, idx = {}, 0
function init(args)
  for i = 1, ${KEYS} do
    local path = string.format("/v1/kv/bench/%08d", i - 1)
    reqs[i] = wrk.format(method, path, nil, method == "PUT" and value or nil)
  end
  idx = math.random(${KEYS})
end
function request() idx = idx % ${KEYS} + 1; return reqs[idx] end
function done(summary, latency, requests)
  io.write(string.format("RPS %.1f ERR %d\\n", summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status))
end
`;

function wrkLoad(url: string, method: 'PUT' | 'GET', seconds: number, script: string): number {
  const out = execFileSync('timeout', [String(seconds + 20), 'wrk', '-t2', '-c64', `-d${seconds}s`, '--latency', '--timeout', '5s', '-s', script, url], {
    env: { ...process.env, KV_OP: method.toLowerCase() },
    encoding: 'utf8',
  });
  const m = /RPS ([\d.]+) ERR (\d+)/.exec(out);
  if (!m) throw new Error(`unexpected wrk output: ${out}`);
  if (Number(m[2]) > 0) throw new Error(`wrk reported ${m[2]} errors (non-2xx or socket errors):\n${out}`);
  return Number(m[1]);
}

// The "bare Node" anchor: an in-memory Consul-shaped /v1/kv on node:http (no Raft, no fsync),
// measured under the same load, so a figure can be read as a fraction of what Node itself allows.
const BARE_SERVER = `
const http = require('http'); const kv = new Map(); let index = 1;
http.createServer((req, res) => {
  const key = decodeURIComponent(req.url.split('?')[0].slice(7));
  if (req.method === 'PUT') {
    const chunks = []; req.on('data', (c) => chunks.push(c)).on('end', () => {
      kv.set(key, { raw: Buffer.concat(chunks), idx: ++index });
      res.setHeader('Content-Type', 'application/json'); res.end('true');
    });
    return;
  }
  const e = kv.get(key);
  res.setHeader('X-Consul-Index', String(e ? e.idx : index));
  if (!e) { res.statusCode = 404; return res.end(); }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify([{ LockIndex: 0, Key: key, Flags: 0, Value: e.raw.toString('base64'), CreateIndex: e.idx, ModifyIndex: e.idx }]));
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
`;

async function bareNode(port: number): Promise<() => void> {
  const p = spawn(process.execPath, ['-e', BARE_SERVER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => p.stdout?.once('data', () => resolve()));
  return () => p.kill('SIGKILL');
}

function wallMs(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, args, { env, stdio: 'ignore' });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

async function medianWall(cmd: string, args: string[], env: NodeJS.ProcessEnv, runs: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await wallMs(cmd, args, env));
  return pct(xs.sort((a, b) => a - b), 0.5);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-'));
  const agent = await TestAgent.start({ dataDir: path.join(dir, 'data'), args: ['-log-level=warn'] });
  const script = path.join(dir, 'kv.lua');
  writeFileSync(script, WRK_SCRIPT);
  try {
    console.log(`# consul-ts KV bench: dev server, data dir on ${os.tmpdir()}, ${os.cpus().length} cores, loader=${LOADER}, ${SECONDS}s per step`);
    const pool = new Pool(agent.url, { connections: 1 });
    const seq = await sequentialPuts(pool, Math.min(5, SECONDS));
    await pool.close();
    console.log(`sequential PUT, 1 client:  ${seq.length} ops  median ${pct(seq, 0.5).toFixed(2)} ms  p99 ${pct(seq, 0.99).toFixed(2)} ms`);
    const load = (m: 'PUT' | 'GET') => (LOADER === 'wrk' ? Promise.resolve(wrkLoad(agent.url, m, SECONDS, script)) : nodeLoad(agent.url, m, SECONDS));
    // GET first: after the 64-client PUT phase LevelDB compacts in the background for a while.
    const get = await load('GET');
    const put = await load('PUT');
    let anchor = '';
    if (LOADER === 'wrk') {
      const port = await freePort();
      const stop = await bareNode(port);
      try {
        const url = `http://127.0.0.1:${port}`;
        const barePut = wrkLoad(url, 'PUT', SECONDS, script); // fills its store: GETs must find keys
        const bareGet = wrkLoad(url, 'GET', SECONDS, script);
        anchor = ` | bare Node: GET ${bareGet.toFixed(0)}, PUT ${barePut.toFixed(0)} (ratio GET ${(get / bareGet).toFixed(2)}, PUT ${(put / barePut).toFixed(2)})`;
      } finally {
        stop();
      }
    }
    console.log(`GET, 64 clients:           ${get.toFixed(0)} ops/s (default consistency)`);
    console.log(`PUT, 64 clients:           ${put.toFixed(0)} ops/s (fsynced, group commit)`);
    if (anchor) console.log(`anchor, same load${anchor}`);
    const env = { ...process.env, CONSUL_HTTP_ADDR: agent.addr };
    await wallMs(process.execPath, [CONSUL_BIN, 'kv', 'get', key(1)], env); // warm the page cache
    const bare = await medianWall(process.execPath, ['-e', '0'], env, 15);
    const cli = await medianWall(process.execPath, [CONSUL_BIN, 'kv', 'get', key(1)], env, 15);
    console.log(`consul kv get (CLI):       median ${cli.toFixed(0)} ms vs node -e 0 ${bare.toFixed(0)} ms  ratio ${(cli / bare).toFixed(2)}x`);
    const rss = execFileSync('ps', ['-o', 'rss=', '-p', String(agent.proc.pid)], { encoding: 'utf8' }).trim();
    console.log(`agent RSS after the run:   ${(Number(rss) / 1024).toFixed(0)} MiB`);
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
