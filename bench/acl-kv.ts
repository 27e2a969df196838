// What ACL enforcement costs on the KV hot path (issue: security). Two dev agents run side by side:
// one with ACLs off, one with `default_policy = "deny"` whose requests carry a token with 20 rules
// (19 key_prefix rules elsewhere, one granting write on the benched prefix), so every request
// resolves a token and walks a real rule set. GET and PUT throughput are measured alternately on
// the two agents under the same load from this process, and printed as a ratio (target >= 0.9x).
// Figures only: nothing here is a test.
//   npm run build && node dist/bench/acl-kv.js [--seconds=5] [--rounds=2]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { TestAgent } from '../test/support/test-agent.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(arg('seconds', '5'));
const ROUNDS = Number(arg('rounds', '2'));
const CLIENTS = 64;
const KEYS = 1000;
const VALUE = 'v'.repeat(256);
const MANAGEMENT = 'b1e8ad5e-6d43-4a7d-9d0c-3c1f3e0a0001';
const key = (i: number): string => `bench/${String(i % KEYS).padStart(8, '0')}`;

/** 19 rules on prefixes the bench never touches, then the one that grants it. */
function twentyRules(): string {
  const lines: string[] = [];
  for (let i = 0; i < 19; i++) lines.push(`key_prefix "other/${i}/" { policy = "${i % 3 === 0 ? 'deny' : 'read'}" }`);
  lines.push('key_prefix "bench/" { policy = "write" }');
  return lines.join('\n');
}

async function api(agent: TestAgent, method: string, p: string, body: unknown, token: string): Promise<unknown> {
  const res = await fetch(agent.url + p, { method, body: JSON.stringify(body), headers: { 'X-Consul-Token': token } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

async function load(url: string, method: 'PUT' | 'GET', seconds: number, token: string | undefined): Promise<number> {
  const pool = new Pool(url, { connections: CLIENTS, pipelining: 1 });
  const headers = token ? { 'x-consul-token': token } : {};
  let done = 0;
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, w) => {
      for (let i = w * 17; Date.now() < end; i++) {
        const res = await pool.request({ method, path: `/v1/kv/${key(i)}`, body: method === 'PUT' ? VALUE : undefined, headers });
        await res.body.text();
        if (res.statusCode === 200) done++;
        else errors++;
      }
    }),
  );
  await pool.close();
  if (errors > 0) throw new Error(`${errors} requests failed (${method} ${url})`);
  return done / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-acl-'));
  const off = await TestAgent.start({ dataDir: path.join(dir, 'off'), args: ['-log-level=warn'] });
  const on = await TestAgent.start({
    dataDir: path.join(dir, 'on'),
    args: ['-log-level=warn', '-hcl', `acl { enabled = true, default_policy = "deny", tokens { initial_management = "${MANAGEMENT}" } }`],
  });
  try {
    // The leader creates the initial management token shortly after it is elected.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${on.url}/v1/acl/token/self`, { headers: { 'X-Consul-Token': MANAGEMENT } });
      await res.text();
      if (res.status === 200) break;
      if (Date.now() > deadline) throw new Error(`initial management token never became usable (last status ${res.status})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await api(on, 'PUT', '/v1/acl/policy', { Name: 'bench-20-rules', Rules: twentyRules() }, MANAGEMENT);
    const token = (await api(on, 'PUT', '/v1/acl/token', { Description: 'bench', Policies: [{ Name: 'bench-20-rules' }] }, MANAGEMENT)) as { SecretID: string };
    const denied = await fetch(`${on.url}/v1/kv/${key(1)}`, { method: 'PUT', body: 'x' });
    await denied.text();
    if (denied.status !== 403) throw new Error(`a PUT without a token was answered ${denied.status}, not 403: ACLs are not enforced`);

    console.log(`# consul-ts ACL cost on KV: 2 dev agents, ${os.cpus().length} cores, ${CLIENTS} clients, ${SECONDS}s per step, ${ROUNDS} rounds (alternating)`);
    const sums = { getOff: 0, getOn: 0, putOff: 0, putOn: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      sums.putOff += await load(off.url, 'PUT', SECONDS, undefined);
      sums.putOn += await load(on.url, 'PUT', SECONDS, token.SecretID);
      sums.getOff += await load(off.url, 'GET', SECONDS, undefined);
      sums.getOn += await load(on.url, 'GET', SECONDS, token.SecretID);
    }
    const f = (n: number): string => (n / ROUNDS).toFixed(0).padStart(7);
    console.log(`GET  ACLs off ${f(sums.getOff)} ops/s   ACLs on (deny, 20 rules) ${f(sums.getOn)} ops/s   ratio ${(sums.getOn / sums.getOff).toFixed(2)}x (target >= 0.9x)`);
    console.log(`PUT  ACLs off ${f(sums.putOff)} ops/s   ACLs on (deny, 20 rules) ${f(sums.putOn)} ops/s   ratio ${(sums.putOn / sums.putOff).toFixed(2)}x (target >= 0.9x)`);
  } finally {
    await Promise.all([off.stop(), on.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
