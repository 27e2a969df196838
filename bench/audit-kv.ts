// What the audit log costs on the KV hot path. Two dev agents run side by side, one without and
// one with an audit file sink; GET and PUT throughput (64 clients) are measured alternately on
// both under the same load from this process and printed as a ratio. Figures only, not a test.
//   npm run build && node dist/bench/audit-kv.js [--seconds=5] [--rounds=2]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { TestAgent } from '../test/support/test-agent.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '5'));
const ROUNDS = Number(arg('rounds', '2'));
const CLIENTS = 64;
const KEYS = 1000;
const key = (i: number): string => `bench/${String(i % KEYS).padStart(8, '0')}`;

async function load(url: string, method: 'PUT' | 'GET', seconds: number): Promise<number> {
  const pool = new Pool(url, { connections: CLIENTS, pipelining: 1 });
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, w) => {
      for (let i = w * 17; Date.now() < end; i++) {
        const res = await pool.request({ method, path: `/v1/kv/${key(i)}`, body: method === 'PUT' ? 'v'.repeat(256) : undefined });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`${method} answered ${res.statusCode}`);
        done++;
      }
    }),
  );
  await pool.close();
  return done / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-audit-'));
  const auditFile = path.join(dir, 'audit.json');
  const off = await TestAgent.start({ dataDir: path.join(dir, 'off'), args: ['-log-level=warn'] });
  const on = await TestAgent.start({
    dataDir: path.join(dir, 'on'),
    args: ['-log-level=warn', '-hcl', `audit { enabled = true sink "bench" { path = "${auditFile}" rotate_bytes = 67108864 rotate_max_files = 2 } }`],
  });
  try {
    for (const a of [off, on]) {
      for (let i = 0; i < KEYS; i++) await (await fetch(`${a.url}/v1/kv/${key(i)}`, { method: 'PUT', body: 'v' })).text();
      await load(a.url, 'GET', 1); // warm up
    }
    for (const method of ['GET', 'PUT'] as const) {
      const r = { off: [] as number[], on: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        r.off.push(await load(off.url, method, SECONDS));
        r.on.push(await load(on.url, method, SECONDS));
      }
      const best = (xs: number[]): number => Math.max(...xs);
      console.log(`${method}: audit off ${best(r.off).toFixed(0)}/s, on ${best(r.on).toFixed(0)}/s = ${(best(r.on) / best(r.off)).toFixed(2)}x`);
    }
    const lines = readFileSync(auditFile, 'utf8').split('\n').length - 1;
    console.log(`audit lines in the live file: ${lines}`);
  } finally {
    await off.stop();
    await on.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
