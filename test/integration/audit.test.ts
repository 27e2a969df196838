// The audit log on a real agent: one JSON line per HTTP request, written off the request path,
// never carrying a token's secret (header or ?token=), rotated by size.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';
import type { AuditRecord } from '../../src/core/audit/index.js';

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('audit log on a real agent', { timeout: 120_000 }, () => {
  const dir = tmpDir('audit-it-');
  const file = join(dir.path, 'audit', 'audit.json');
  let agent: TestAgent;
  const read = (): AuditRecord[] => {
    try {
      return readFileSync(file, 'utf8').trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
    } catch {
      return [];
    }
  };

  before(async () => {
    const hcl = `audit { enabled = true sink "file" { type = "file" format = "json" path = "${file}" rotate_bytes = 4096 rotate_max_files = 2 } }`;
    agent = await TestAgent.start({ args: ['-hcl', hcl] });
  });
  after(async () => {
    await agent?.stop();
    dir.remove();
  });

  it('writes one line per request with method, path, status, duration and client address; secrets never', async () => {
    const secret = 'f0e1d2c3-aaaa-bbbb-cccc-00000000beef';
    const put = await fetch(`${agent.url}/v1/kv/audit/a?flags=7`, { method: 'PUT', body: 'v', headers: { 'X-Consul-Token': secret } });
    assert.equal(put.status, 200);
    const get = await fetch(`${agent.url}/v1/kv/audit/a?token=${secret}&raw`);
    assert.equal(await get.text(), 'v');
    const missing = await fetch(`${agent.url}/v1/kv/audit/none`);
    assert.equal(missing.status, 404);
    const lines = await waitFor('three audit lines', () => {
      const l = read().filter((r) => r.path.startsWith('/v1/kv/audit/'));
      return l.length >= 3 ? l : undefined;
    });
    assert.deepEqual(
      lines.map((l) => [l.method, l.path, l.status]),
      [
        ['PUT', '/v1/kv/audit/a?flags=7', 200],
        ['GET', '/v1/kv/audit/a?raw', 200],
        ['GET', '/v1/kv/audit/none', 404],
      ],
    );
    for (const l of lines) {
      assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(l.duration_ms >= 0 && l.duration_ms < 10_000);
      assert.match(l.remote_addr, /^127\.0\.0\.1:\d+$/);
      assert.equal(typeof l.accessor_id, 'string');
    }
    assert.ok(!readFileSync(file, 'utf8').includes(secret), 'no secret in the audit file');
  });

  it('rotates by size, keeping rotate_max_files files beside the live one', async () => {
    for (let i = 0; i < 80; i++) assert.equal((await fetch(`${agent.url}/v1/kv/rot/${i}`, { method: 'PUT', body: 'x' })).status, 200);
    const files = await waitFor('rotated files', () => {
      const f = readdirSync(join(dir.path, 'audit'));
      return f.length === 3 ? f : undefined;
    });
    assert.ok(files.includes('audit.json'));
    for (const f of files) assert.ok(readFileSync(join(dir.path, 'audit', f)).length <= 4096);
  });

  it('a sink on a full disk (/dev/full) drops and counts lines; the agent keeps answering', { skip: !existsSync('/dev/full') }, async () => {
    const full = await TestAgent.start({ args: ['-hcl', 'audit { enabled = true sink "full" { path = "/dev/full" } }'] });
    try {
      for (let i = 0; i < 20; i++) assert.equal((await fetch(`${full.url}/v1/kv/full/${i}`, { method: 'PUT', body: 'x' })).status, 200);
      const count = await (async () => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const m = (await (await fetch(`${full.url}/v1/agent/metrics`)).json()) as { Counters: Array<{ Name: string; Count: number; Sum: number }> };
          const c = m.Counters.find((x) => x.Name === 'consul.audit.dropped');
          if (c && c.Sum >= 20) return c.Sum;
          if (Date.now() > deadline) throw new Error(`no consul.audit.dropped >= 20 in ${JSON.stringify(m.Counters.map((x) => x.Name))}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      assert.ok(count >= 20);
      await waitFor('the drop warning', () => (/\[WARN\]\s+agent\.audit: sink "full" dropped \d+ line\(s\): ENOSPC/.test(full.output) ? true : undefined));
      assert.equal((await fetch(`${full.url}/v1/kv/full/0?raw`)).status, 200);
    } finally {
      await full.stop();
    }
  });

  it('a client agent names the caller of a call it forwarded to a server (resolved over the server port after the answer)', async () => {
    const mgmt = '5d9e1c3a-1111-4a2b-9c3d-00000000a0d1';
    const server = await TestAgent.start({
      dev: false,
      dataDir: join(dir.path, 's1'),
      args: ['-server', '-bootstrap', '-node=s1', '-hcl', `acl { enabled = true default_policy = "deny" tokens { initial_management = "${mgmt}" } }`],
    });
    const clientFile = join(dir.path, 'client-audit.json');
    let client: TestAgent | undefined;
    try {
      client = await TestAgent.start({
        dev: false,
        dataDir: join(dir.path, 'c1'),
        waitForLeader: false,
        args: [
          '-node=c1',
          `-retry-join=127.0.0.1:${server.ports.serfLan}`,
          '-hcl',
          'acl { enabled = true default_policy = "deny" }',
          '-hcl',
          `audit { enabled = true sink "c" { path = "${clientFile}" } }`,
        ],
      });
      const c = client;
      let accessor = '';
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await fetch(`${c.url}/v1/acl/token/self`, { headers: { 'X-Consul-Token': mgmt } }).catch(() => undefined);
        if (r?.status === 200) {
          accessor = ((await r.json()) as { AccessorID: string }).AccessorID;
          break;
        }
        await r?.text();
        if (Date.now() > deadline) throw new Error('the client never resolved the management token');
        await new Promise((res) => setTimeout(res, 200));
      }
      assert.equal((await fetch(`${c.url}/v1/kv/fwd/a`, { method: 'PUT', body: 'x', headers: { 'X-Consul-Token': mgmt } })).status, 200);
      const lines = await waitFor('the forwarded PUT in the client\'s audit log', () => {
        try {
          const l = readFileSync(clientFile, 'utf8').trimEnd().split('\n').map((x) => JSON.parse(x) as AuditRecord);
          return l.some((r) => r.path === '/v1/kv/fwd/a') ? l : undefined;
        } catch {
          return undefined;
        }
      });
      const put = lines.find((r) => r.path === '/v1/kv/fwd/a')!;
      assert.deepEqual([put.method, put.status, put.accessor_id], ['PUT', 200, accessor]);
      assert.ok(!readFileSync(clientFile, 'utf8').includes(mgmt));
    } finally {
      await client?.stop();
      await server.stop();
    }
  });
});
