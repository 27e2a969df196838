// Health read throughput: GET /v1/health/service/web?passing with 1,000 registered instances of
// `web` (each on its own node with a passing node check), 64 concurrent clients.
// Figures only; nothing here is a test.
//   npm run build && node dist/bench/health.js [--seconds=8] [--instances=1000] [--dev]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { TestAgent } from '../test/support/test-agent.js';
import { freePort } from '../test/support/free-port.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '8'));
const INSTANCES = Number(arg('instances', '1000'));
const DEV = process.argv.includes('--dev');
const hasWrk = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).status === 0;

const BARE_SERVER = `
const body = Buffer.alloc(Number(process.argv[2]), 97);
require('http').createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
`;

async function register(url: string): Promise<void> {
  const pool = new Pool(url, { connections: 16 });
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const body = JSON.stringify({
      Node: `web-node-${i}`,
      Address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      Service: { ID: `web-${i}`, Service: 'web', Tags: ['v1'], Port: 8080 },
      Checks: [{ CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing' }],
    });
    jobs.push(
      pool.request({ method: 'PUT', path: '/v1/catalog/register', body }).then(async (r) => {
        await r.body.text();
        if (r.statusCode !== 200) throw new Error(`register failed: ${r.statusCode}`);
      }),
    );
    if (jobs.length >= 64) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  await pool.close();
}

async function nodeLoad(url: string, reqPath: string): Promise<number> {
  const pool = new Pool(url, { connections: 64 });
  let done = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < end) {
        const res = await pool.request({ method: 'GET', path: reqPath });
        await res.body.dump();
        if (res.statusCode === 200) done++;
      }
    }),
  );
  await pool.close();
  return done / SECONDS;
}

function wrkLoad(url: string, reqPath: string, dir: string): number {
  const script = path.join(dir, 'health.lua');
  writeFileSync(script, `wrk.path = "${reqPath}"\nfunction done(s, l, r) io.write(string.format("RPS %.1f ERR %d\\n", s.requests / (s.duration / 1e6), s.errors.status + s.errors.read + s.errors.connect + s.errors.timeout)) end\n`);
  const out = execFileSync('timeout', [String(SECONDS + 20), 'wrk', '-t2', '-c64', `-d${SECONDS}s`, '--timeout', '10s', '-s', script, url], { encoding: 'utf8' });
  const m = /RPS ([\d.]+) ERR (\d+)/.exec(out);
  if (!m || Number(m[2]) > 0) throw new Error(`wrk failed: ${out}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-health-'));
  const agent = DEV
    ? await TestAgent.start({ args: ['-log-level=warn'] })
    : await TestAgent.start({ dev: false, dataDir: path.join(dir, 'data'), args: ['-server', '-bootstrap-expect=1', '-log-level=warn'] });
  try {
    await register(agent.url);
    const reqPath = '/v1/health/service/web?passing';
    const res = await fetch(agent.url + reqPath);
    const body = await res.text();
    const count = (JSON.parse(body) as unknown[]).length;
    console.log(`# consul-ts health bench: ${count} passing instances of web, ${(body.length / 1024).toFixed(0)} KiB per answer, ${DEV ? 'dev (pretty JSON)' : 'server'} agent, ${hasWrk ? 'wrk' : 'node'} load, ${SECONDS}s`);
    const rps = hasWrk ? wrkLoad(agent.url, reqPath, dir) : await nodeLoad(agent.url, reqPath);
    console.log(`GET ${reqPath}, 64 clients: ${rps.toFixed(0)} reads/s (${((rps * body.length) / 1024 / 1024).toFixed(0)} MiB/s of JSON)`);
    // Anchor: a bare node:http server sending a buffer of the same size, under the same load.
    const port = await freePort();
    const bare = spawn(process.execPath, ['-e', BARE_SERVER, String(port), String(body.length)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => bare.stdout?.once('data', () => resolve()));
    try {
      const url = `http://127.0.0.1:${port}`;
      const bareRps = hasWrk ? wrkLoad(url, reqPath, dir) : await nodeLoad(url, reqPath);
      console.log(`anchor: bare Node sending the same ${(body.length / 1024).toFixed(0)} KiB: ${bareRps.toFixed(0)} reads/s (ratio ${(rps / bareRps).toFixed(2)})`);
    } finally {
      bare.kill('SIGKILL');
    }
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
