// Acknowledged writes survive kill -9: concurrent writers, the server killed mid-stream, restarted
// from its data dir (LevelDB log + snapshots), every acknowledged write read back.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TestAgent, allocatePorts } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dirs: { remove(): void }[] = [];
const agents: TestAgent[] = [];
after(async () => {
  for (const a of agents) await a.stop('SIGKILL');
  for (const d of dirs) d.remove();
});

async function startServer(dataDir: string, ports: Awaited<ReturnType<typeof allocatePorts>>, extra: string[] = []): Promise<TestAgent> {
  const a = await TestAgent.start({ dev: false, dataDir, ports, args: ['-server', '-bootstrap-expect=1', '-node=durable', ...extra] });
  agents.push(a);
  return a;
}

async function writer(url: string, id: number, acked: Map<string, string>, stop: { now: boolean }): Promise<void> {
  for (let i = 0; !stop.now; i++) {
    const key = `w${id}/k${i}`;
    const value = `v${id}-${i}`;
    try {
      const res = await fetch(`${url}/v1/kv/${key}`, { method: 'PUT', body: value });
      if (res.ok && (await res.text()).trim() === 'true') acked.set(key, value);
    } catch {
      return; // the server died under us: this write was not acknowledged
    }
  }
}

describe('durability', { timeout: 120_000 }, () => {
  for (const [name, extra] of [
    ['log only', [] as string[]],
    ['through snapshots and compaction', ['snapshot']],
  ] as const) {
    test(`kill -9 loses no acknowledged write (${name})`, async () => {
      const dir = tmpDir();
      dirs.push(dir);
      const args: string[] = [];
      if (extra.length > 0) {
        const cfg = path.join(dir.path, 'raft.json');
        writeFileSync(cfg, JSON.stringify({ raft_snapshot_threshold: 64, raft_trailing_logs: 16, raft_snapshot_interval: '200ms' }));
        args.push(`-config-file=${cfg}`);
      }
      const dataDir = path.join(dir.path, 'data');
      const ports = await allocatePorts();
      let agent = await startServer(dataDir, ports, args);
      const acked = new Map<string, string>();
      const stop = { now: false };
      const writers = Array.from({ length: 8 }, (_, i) => writer(agent.url, i, acked, stop));
      await new Promise((r) => setTimeout(r, 1500));
      await agent.kill9();
      stop.now = true;
      await Promise.all(writers);
      assert.ok(acked.size > 50, `only ${acked.size} writes were acknowledged`);
      if (extra.length > 0) {
        const snaps = readdirSync(path.join(dataDir, 'raft', 'snapshots')).filter((f) => f.endsWith('.snap'));
        assert.ok(snaps.length > 0, 'the restart goes through a snapshot');
      }
      agent = await startServer(dataDir, ports, args);
      for (const [key, value] of acked) {
        const res = await fetch(`${agent.url}/v1/kv/${key}?raw`);
        assert.equal(res.status, 200, `acknowledged key ${key} is missing after kill -9`);
        assert.equal(await res.text(), value);
      }
      const res = await fetch(`${agent.url}/v1/kv/w0/?keys`);
      const idx = Number(res.headers.get('x-consul-index'));
      assert.equal((await (await fetch(`${agent.url}/v1/kv/after`, { method: 'PUT', body: 'x' })).text()).trim(), 'true');
      const res2 = await fetch(`${agent.url}/v1/kv/after`);
      assert.ok(Number(res2.headers.get('x-consul-index')) > idx, 'the index keeps growing after a restart');
      await agent.stop();
    });
  }
});
