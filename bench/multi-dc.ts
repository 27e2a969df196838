// Figures for several datacenters (issue: many datacenters), two servers on loopback, dc1 and
// dc2, joined over the WAN:
//   a) GET latency of a KV read answered in dc1 for dc2 (?dc=dc2: dc1 server -> WAN -> dc2 server)
//      next to the same read answered locally, sequential, p50 and p99, same run;
//   b) prepared query execute throughput next to the plain health query it runs
//      (/v1/health/service/web?passing), 64 concurrent clients, same agent, same run (target >= 0.8x).
// Figures only: nothing here is a test.
//   npm run build && node dist/bench/multi-dc.js [--seconds=5]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { TestAgent } from '../test/support/test-agent.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '5'));
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function sequential(pool: Pool, p: string, seconds: number): Promise<number[]> {
  const lat: number[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const t0 = process.hrtime.bigint();
    const res = await pool.request({ method: 'GET', path: p });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${p}: ${res.statusCode}`);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return lat.sort((a, b) => a - b);
}

async function throughput(url: string, p: string, seconds: number): Promise<number> {
  const pool = new Pool(url, { connections: 64 });
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < end) {
        const res = await pool.request({ method: 'GET', path: p });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`GET ${p}: ${res.statusCode}`);
        done++;
      }
    }),
  );
  await pool.close();
  return done / seconds;
}

async function put(agent: TestAgent, p: string, body: unknown): Promise<unknown> {
  const res = await fetch(agent.url + p, { method: p.startsWith('/v1/query') ? 'POST' : 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${p}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-dc-'));
  for (const d of ['dc1', 'dc2']) mkdirSync(path.join(dir, d));
  const dc1 = await TestAgent.start({ dev: false, dataDir: path.join(dir, 'dc1'), args: ['-server', '-bootstrap-expect=1', '-datacenter=dc1', '-node=b1', '-log-level=warn'] });
  const dc2 = await TestAgent.start({
    dev: false,
    dataDir: path.join(dir, 'dc2'),
    args: ['-server', '-bootstrap-expect=1', '-datacenter=dc2', '-node=b2', '-log-level=warn', `-join-wan=127.0.0.1:${dc1.ports.serfWan}`],
  });
  try {
    for (;;) {
      const dcs = (await (await fetch(`${dc1.url}/v1/catalog/datacenters`)).json()) as string[];
      if (dcs.includes('dc2')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await put(dc1, '/v1/kv/bench/key', 'local-value');
    await put(dc2, '/v1/kv/bench/key', 'remote-value');
    for (let i = 0; i < 50; i++) {
      await put(dc1, '/v1/catalog/register', { Node: `node-${i}`, Address: `10.0.${i >> 8}.${i & 255}`, Service: { ID: `web-${i}`, Service: 'web', Port: 80 }, Check: { Name: 'ok', Status: 'passing', ServiceID: `web-${i}` } });
    }
    await put(dc1, '/v1/query', { Name: 'web', Service: { Service: 'web', OnlyPassing: true } });

    const check = await (await fetch(`${dc1.url}/v1/kv/bench/key?dc=dc2&raw`)).text();
    if (check !== 'remote-value') throw new Error(`?dc=dc2 answered ${JSON.stringify(check)}, not dc2's value`);
    console.log(`# consul-ts multi-datacenter bench: 2 single-server datacenters on loopback, ${os.cpus().length} cores, ${SECONDS}s per step`);
    const pool = new Pool(dc1.url, { connections: 1 });
    await sequential(pool, '/v1/kv/bench/key?dc=dc2', 1); // warm the WAN connection
    const local = await sequential(pool, '/v1/kv/bench/key', SECONDS);
    const remote = await sequential(pool, '/v1/kv/bench/key?dc=dc2', SECONDS);
    await pool.close();
    const f = (x: number): string => x.toFixed(2);
    console.log(`KV GET local (dc1):       p50 ${f(pct(local, 0.5))} ms  p99 ${f(pct(local, 0.99))} ms`);
    console.log(`KV GET for dc2 via dc1:   p50 ${f(pct(remote, 0.5))} ms  p99 ${f(pct(remote, 0.99))} ms  overhead p50 +${f(pct(remote, 0.5) - pct(local, 0.5))} ms`);

    // Alternating rounds, so that a load change on the machine hits both sides alike.
    let health = 0;
    let query = 0;
    for (let round = 0; round < 2; round++) {
      health += (await throughput(dc1.url, '/v1/health/service/web?passing', SECONDS)) / 2;
      query += (await throughput(dc1.url, '/v1/query/web/execute', SECONDS)) / 2;
    }
    console.log(`health/service (50 inst): ${health.toFixed(0)} req/s`);
    console.log(`query execute (same):     ${query.toFixed(0)} req/s  ratio ${(query / health).toFixed(2)}x (target >= 0.8x)`);
  } finally {
    await Promise.all([dc1.stop(), dc2.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
