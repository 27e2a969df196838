// Overload and abusive clients against a real dev agent: limits { http_max_conns_per_client,
// http_handshake_timeout, request_limits { mode, read_rate, write_rate } } as Consul has them, a
// slowloris client, and a client that opens 5,000 connections while another keeps being served.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { api } from '../support/cluster.js';
import { TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const work = tmpDir('limits-');
const agents: TestAgent[] = [];
after(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  work.remove();
});

async function agentWith(name: string, limits: Record<string, unknown>): Promise<TestAgent> {
  const file = path.join(work.path, `${name}.json`);
  writeFileSync(file, JSON.stringify({ limits }));
  const agent = await TestAgent.start({ args: [`-node=${name}`, `-config-file=${file}`] });
  agents.push(agent);
  return agent;
}

/** A raw TCP connection from `localAddress`; resolves once connected. */
function connect(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `ms` passes). */
function readUntilClose(s: net.Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), ms);
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.once('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

describe('limits and abusive clients', { timeout: 180_000 }, () => {
  test('http_max_conns_per_client: one connection over the limit gets go-connlimit 429 and is closed', async () => {
    const agent = await agentWith('conns', { http_max_conns_per_client: 5 });
    const held = await Promise.all(Array.from({ length: 5 }, () => connect(agent.ports.http)));
    const extra = await connect(agent.ports.http);
    const answer = await readUntilClose(extra, 5_000);
    assert.ok(answer.closed, 'the sixth connection is closed');
    assert.match(answer.text, /^HTTP\/1\.1 429 Too Many Requests\r\n[\s\S]*\r\n\r\nYour IP is issuing too many concurrent connections, please rate limit your calls\n$/);
    held[0]?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${agent.url}/v1/status/leader`);
    assert.equal(res.status, 200, 'a freed slot is usable again');
    for (const s of held) s.destroy();
  });

  test('request_limits enforcing: writes over write_rate get 503 on the leader, reads over read_rate 429', async () => {
    const agent = await agentWith('enforce', { request_limits: { mode: 'enforcing', read_rate: 5, write_rate: 3 } });
    const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => api(agent, 'PUT', `/v1/kv/w${i}`, 'x')));
    const refusedWrites = writes.filter((r) => r.status === 503);
    assert.ok(refusedWrites.length >= 10, `most of 20 writes at once are refused (${refusedWrites.length})`);
    assert.equal(refusedWrites[0]?.text, 'rate limit exceeded, try again later');
    assert.ok(writes.some((r) => r.status === 200), 'the burst allowance goes through');
    const reads = await Promise.all(Array.from({ length: 30 }, () => api(agent, 'GET', '/v1/kv/w0')));
    const refusedReads = reads.filter((r) => r.status === 429);
    assert.ok(refusedReads.length >= 15, `most of 30 reads at once are refused (${refusedReads.length})`);
    assert.equal(refusedReads[0]?.text, 'rate limit exceeded, try a different server');
    assert.equal((await api(agent, 'GET', '/v1/agent/self')).status, 200, 'agent-local endpoints are not rate limited');
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal((await api(agent, 'PUT', '/v1/kv/later', 'x')).status, 200, 'the bucket refills');
  });

  test('request_limits permissive: everything is served and the excess is logged', async () => {
    const agent = await agentWith('permissive', { request_limits: { mode: 'permissive', write_rate: 2 } });
    const writes = await Promise.all(Array.from({ length: 10 }, (_, i) => api(agent, 'PUT', `/v1/kv/p${i}`, 'x')));
    assert.ok(writes.every((r) => r.status === 200));
    assert.match(agent.output, /RPC exceeded allowed rate limit: rpc="PUT \/v1\/kv\/p\d" source_addr=127\.0\.0\.1 limit_type=global\/write limit_enforced=false/);
  });

  test('a slowloris client trickling headers is cut off after http_handshake_timeout; others are served meanwhile', async () => {
    const agent = await agentWith('slowloris', { http_handshake_timeout: '2s' });
    const slow = await connect(agent.ports.http);
    const started = Date.now();
    const line = 'GET /v1/status/leader HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    let i = 0;
    const trickle = setInterval(() => {
      if (!slow.destroyed) slow.write(line[i++ % line.length] as string);
    }, 200);
    try {
      const served = await api(agent, 'GET', '/v1/status/leader');
      assert.equal(served.status, 200);
      const end = await readUntilClose(slow, 15_000);
      assert.ok(end.closed, 'the trickling connection is closed');
      const heldMs = Date.now() - started;
      assert.ok(heldMs < 2_000 + 1_000 + 3_000, `held for ${heldMs} ms: the 2 s limit, its 1 s check, and margin`);
    } finally {
      clearInterval(trickle);
      slow.destroy();
    }
  });

  test('a client opening 5,000 connections: others keep being served, memory stays bounded', async () => {
    const agent = await agentWith('flood', {});
    const pid = agent.proc.pid as number;
    const before = rssKiB(pid);
    const flood: net.Socket[] = [];
    const latencies: number[] = [];
    try {
      // The abusive client comes from 127.0.0.2; it gets 200 connections (Consul's default).
      const attempts = await Promise.allSettled(Array.from({ length: 5_000 }, () => connect(agent.ports.http, '127.0.0.2')));
      for (const a of attempts) if (a.status === 'fulfilled') flood.push(a.value);
      for (let k = 0; k < 50; k++) {
        const t0 = performance.now();
        const r = await api(agent, 'GET', '/v1/kv/?keys');
        latencies.push(performance.now() - t0);
        assert.ok(r.status === 200 || r.status === 404);
      }
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.floor(latencies.length * 0.99)] as number;
      assert.ok(p99 < 1_000, `a well-behaved client's p99 stays under 1 s (${p99.toFixed(1)} ms)`);
      const grownMiB = (rssKiB(pid) - before) / 1024;
      assert.ok(grownMiB < 150, `the agent grew by ${grownMiB.toFixed(0)} MiB`);
    } finally {
      for (const s of flood) s.destroy();
    }
  });
});
