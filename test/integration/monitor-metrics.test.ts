// `consul monitor`, /v1/agent/monitor under a client that stops reading, /v1/agent/metrics (JSON
// and Prometheus), against real agents. Every agent and CLI process is stopped by PID.
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { CONSUL_BIN, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dataDir = tmpDir();
after(() => dataDir.remove());

interface Summary {
  Timestamp: string;
  Gauges: { Name: string; Value: number; Labels: Record<string, string> }[];
  Points: unknown[];
  Counters: { Name: string; Count: number; Sum: number }[];
  Samples: { Name: string; Count: number; Mean: number }[];
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A `consul monitor` process whose stdout is collected; stopped with SIGINT by PID. */
function startMonitor(agent: TestAgent, args: string[]): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CONSUL_BIN, 'monitor', `-http-addr=${agent.addr}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, exited };
}

let n = 0;
/** Something the agent logs at DEBUG: registering a local service ("added service: service=..."). */
async function logSomething(agent: TestAgent, id = `svc-${++n}`): Promise<string> {
  const res = await fetch(`${agent.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ ID: id, Name: 'mon' }) });
  assert.equal(res.status, 200);
  return id;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

describe('consul monitor and /v1/agent/monitor', { timeout: 180_000 }, () => {
  let agent: TestAgent;
  before(async () => {
    agent = await TestAgent.start({ args: ['-node=mon1'] });
  });
  after(async () => {
    await agent?.stop();
  });

  test('consul monitor -log-level=debug receives a line logged after it started; SIGINT exits 0', async () => {
    const mon = startMonitor(agent, ['-log-level=debug']);
    try {
      let id = '';
      // The monitor attaches at some point after spawn: log until a line logged now shows up.
      await waitFor('the monitor to print a fresh line', async () => {
        id = await logSomething(agent);
        await new Promise((r) => setTimeout(r, 100));
        return mon.out().includes(`added service: service=${id}`);
      });
      assert.match(mon.out(), /^\d{4}-\d\d-\d\dT[\d:.]+Z \[DEBUG\] agent\.agent: added service: service=svc-\d+$/m);
    } finally {
      mon.proc.kill('SIGINT');
    }
    assert.equal(await mon.exited, 0);
  });

  test('-log-json emits hclog JSON lines', async () => {
    const mon = startMonitor(agent, ['-log-level=trace', '-log-json']);
    try {
      let id = '';
      await waitFor('a JSON line', async () => {
        id = await logSomething(agent);
        await new Promise((r) => setTimeout(r, 100));
        return mon.out().includes(`"service":"${id}"`);
      });
      const line = mon.out().split('\n').find((l) => l.includes(`"service":"${id}"`) && l.includes('added service')) ?? '';
      const obj = JSON.parse(line) as Record<string, string>;
      assert.equal(obj['@level'], 'debug');
      assert.equal(obj['@message'], 'added service');
      assert.equal(obj['@module'], 'agent.agent');
      assert.match(obj['@timestamp'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    } finally {
      mon.proc.kill('SIGINT');
    }
    assert.equal(await mon.exited, 0);
  });

  test('a bad -log-level gets Consul\'s error, exit 1', async () => {
    const r = await runCli(['monitor', `-http-addr=${agent.addr}`, '-log-level=verbose']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error starting monitor: Unexpected response code: 400 (Unknown log level: verbose)\n');
    const res = await fetch(`${agent.url}/v1/agent/monitor?loglevel=nope`);
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'Unknown log level: nope');
  });

  test('a client that stops reading never stalls the agent; memory stays bounded; drops are logged', async (t) => {
    // A lone client agent holds no replicated state: re-registering one service logs a line each
    // time and grows nothing, so its memory shows what a stuck monitor client costs.
    const client = await TestAgent.start({ dev: false, waitForLeader: false, args: ['-node=mon-client', `-data-dir=${dataDir.path}`] });
    try {
      await waitFor('the client agent HTTP API', async () => (await fetch(`${client.url}/v1/agent/self`).catch(() => undefined))?.ok === true);
      const pid = client.proc.pid ?? 0;
      const id = 'x'.repeat(16 * 1024);
      // Warm up (first registration, persisted file, JIT) before the baseline.
      for (let i = 0; i < 200; i++) await logSomething(client, id);
      // A raw client that asks for the stream and then never reads a byte.
      const sock = net.connect(client.ports.http, '127.0.0.1');
      await new Promise<void>((r) => sock.once('connect', () => r()));
      sock.write('GET /v1/agent/monitor?loglevel=debug HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise<void>((r) => sock.once('data', () => r()));
      sock.pause();
      const rssBefore = rssBytes(pid);
      // 4,000 lines of 16 KiB: ~64 MiB that an unbounded buffer would hold for the stuck client.
      let worstMs = 0;
      for (let i = 0; i < 4000; i++) {
        await logSomething(client, id);
        if (i % 200 === 0) {
          const t0 = performance.now();
          const res = await fetch(`${client.url}/v1/agent/self`);
          await res.arrayBuffer();
          worstMs = Math.max(worstMs, performance.now() - t0);
          assert.equal(res.status, 200);
        }
      }
      const grown = rssBytes(pid) - rssBefore;
      t.diagnostic(`RSS growth ${(grown / 1048576).toFixed(1)} MiB; slowest agent/self ${worstMs.toFixed(0)} ms`);
      assert.ok(grown < 32 * 1024 * 1024, `RSS grew ${Math.round(grown / 1048576)} MiB`);
      assert.ok(worstMs < 2_000, `agent/self took ${Math.round(worstMs)} ms while a monitor client was stuck`);
      sock.destroy();
      await waitFor('the agent to log the drops', () => /\[WARN\]  agent: Dropped logs during monitor request: dropped_count=\d+/.test(client.output));
    } finally {
      await client.stop();
    }
  });
});

describe('/v1/agent/metrics', { timeout: 180_000 }, () => {
  test('JSON shape, named metrics move after a KV write, Prometheus refused without retention', async () => {
    const agent = await TestAgent.start({ args: ['-node=metrics1', '-hcl', 'telemetry { disable_hostname = true }'] });
    try {
      const get = async (): Promise<Summary> => (await (await fetch(`${agent.url}/v1/agent/metrics`)).json()) as Summary;
      const first = await get();
      assert.deepEqual(Object.keys(first), ['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
      assert.match(first.Timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
      assert.ok(!first.Samples.some((x) => x.Name === 'consul.kvs.apply'), 'no KV write yet');
      const put = await fetch(`${agent.url}/v1/kv/metrics-key`, { method: 'PUT', body: 'v' });
      assert.equal((await put.text()).trim(), 'true');
      // The endpoint shows the last finished 10 s interval: wait for one that has a whole write.
      // raft.apply is counted when the write is proposed and kvs.apply / commitTime when it is
      // applied, so a write that straddles an interval boundary (likely when fsync is slow on a
      // loaded machine) splits its metrics over two intervals, as go-metrics' sink does in Consul:
      // keep writing, at most once a second, so that some interval holds a whole write.
      let lastPut = Date.now();
      const names = (xs: { Name: string }[]): string[] => xs.map((x) => x.Name);
      const wanted = {
        Samples: ['consul.kvs.apply', 'consul.raft.commitTime', 'consul.raft.fsm.apply'],
        Counters: ['consul.raft.apply'],
        Gauges: ['consul.runtime.alloc_bytes', 'consul.runtime.sys_bytes', 'consul.autopilot.healthy', 'consul.members.servers'],
      };
      let s = first;
      const missing = (): string[] => (Object.keys(wanted) as (keyof typeof wanted)[]).flatMap((k) => wanted[k].filter((name) => !names(s[k]).includes(name)));
      await waitFor('the named metrics in one interval', async () => {
        if (Date.now() - lastPut >= 1_000) {
          lastPut = Date.now();
          assert.equal((await (await fetch(`${agent.url}/v1/kv/metrics-key`, { method: 'PUT', body: 'v' })).text()).trim(), 'true');
        }
        s = await get();
        return missing().length === 0;
      }, 60_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; missing in the last interval: ${missing().join(', ')}`);
      });
      assert.ok((s.Samples.find((x) => x.Name === 'consul.kvs.apply')?.Count ?? 0) >= 1);
      const servers = s.Gauges.find((g) => g.Name === 'consul.members.servers');
      assert.deepEqual(servers, { Name: 'consul.members.servers', Value: 1, Labels: { datacenter: 'dc1' } });
      const prom = await fetch(`${agent.url}/v1/agent/metrics?format=prometheus`);
      assert.equal(prom.status, 415);
      assert.equal(await prom.text(), 'Prometheus is not enabled since its retention time is not positive');
    } finally {
      await agent.stop();
    }
  });

  test('?format=prometheus parses when prometheus_retention_time is set', async () => {
    const agent = await TestAgent.start({ args: ['-node=metrics2', '-hcl', 'telemetry { prometheus_retention_time = "60s" disable_hostname = true }'] });
    try {
      await fetch(`${agent.url}/v1/kv/p`, { method: 'PUT', body: 'v' });
      const res = await fetch(`${agent.url}/v1/agent/metrics?format=prometheus`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const families = new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
      assert.equal(families.get('consul_runtime_alloc_bytes')?.type, 'GAUGE');
      assert.equal(families.get('consul_kvs_apply')?.type, 'SUMMARY');
      assert.equal(families.get('consul_raft_apply')?.type, 'COUNTER');
      const accept = await fetch(`${agent.url}/v1/agent/metrics`, { headers: { Accept: 'application/openmetrics-text' } });
      assert.match(await accept.text(), /^# HELP/m, 'an OpenMetrics Accept header asks for the text format too');
    } finally {
      await agent.stop();
    }
  });
});
