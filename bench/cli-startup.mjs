#!/usr/bin/env node
// CLI start-up cost: wall time of `consul kv get foo` against a local agent, compared with `node -e 0`.
// Requirement: ratio <= 2.5.
//   node bench/cli-startup.mjs [runs]        uses a tiny in-process fake agent on a free port
//   CONSUL_HTTP_ADDR=127.0.0.1:8500 node bench/cli-startup.mjs   measures against a real agent
// Prints medians (ms) and the ratio. Figures only: never an assertion in tests.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 15);
const consul = fileURLToPath(new URL('../bin/consul', import.meta.url));

function timeOnce(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`));
      else resolve(ms);
    });
  });
}

/** Medians of interleaved runs, so that a change in machine load hits every command alike. */
async function medians(cases) {
  for (const c of cases) await timeOnce(...c.cmd, env); // warm the page cache
  const times = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, c] of cases.entries()) times[j].push(await timeOnce(...c.cmd, env));
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

async function startFakeAgent() {
  const server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Consul-Index', '7');
    res.end(JSON.stringify([{ Key: 'foo', Value: Buffer.from('bar').toString('base64'), Flags: 0, CreateIndex: 7, ModifyIndex: 7, LockIndex: 0 }]));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const server = process.env.CONSUL_HTTP_ADDR ? undefined : await startFakeAgent();
const addr = process.env.CONSUL_HTTP_ADDR ?? `127.0.0.1:${server.address().port}`;
const env = { ...process.env, CONSUL_HTTP_ADDR: addr };
try {
  if (!server) await timeOnce(consul, ['kv', 'put', 'foo', 'bar'], env); // a real agent: make sure the key exists
  const [base, version, kvGet] = await medians([
    { cmd: [process.execPath, ['-e', '0']] },
    { cmd: [consul, ['version']] },
    { cmd: [consul, ['kv', 'get', 'foo']] },
  ]);
  const ratio = kvGet / base;
  console.log(`node -e 0          ${base.toFixed(1)} ms`);
  console.log(`consul version     ${version.toFixed(1)} ms  (x${(version / base).toFixed(2)})`);
  console.log(`consul kv get foo  ${kvGet.toFixed(1)} ms  (x${ratio.toFixed(2)}, target <= x2.50) ${ratio <= 2.5 ? 'OK' : 'SLOW'}`);
} finally {
  server?.close();
}
