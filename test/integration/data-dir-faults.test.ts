// A data dir the agent cannot use gets a clear startup error that names the file, in Consul's
// words, and exit 1: read-only (a tmpfs the test mounts read-only), under a regular file, or held
// by another running agent. Mounting needs root; without it those cases say so and skip.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { eventually } from '../support/cluster.js';
import { TestAgent, allocatePorts, runCli } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const isRoot = process.getuid?.() === 0;
const work = tmpDir('data-dir-faults-');
const mounts: string[] = [];
after(() => {
  for (const m of mounts) execFileSync('umount', [m]);
  work.remove();
});

async function startFails(dataDir: string, server: boolean): Promise<{ code: number | null; out: string }> {
  const p = await allocatePorts();
  const mode = server ? ['-server', '-bootstrap'] : ['-dev'];
  const r = await runCli(['agent', ...mode, `-data-dir=${dataDir}`, '-bind=127.0.0.1', '-client=127.0.0.1', `-http-port=${p.http}`, `-dns-port=${p.dns}`, `-serf-lan-port=${p.serfLan}`, `-serf-wan-port=${p.serfWan}`, `-server-port=${p.server}`], {}, undefined, 30_000);
  return { code: r.code, out: r.stdout + r.stderr };
}

/** A small tmpfs at `dir`, prepared while writable, then remounted read-only. */
function readOnlyTmpfs(dir: string, prepare: (dir: string) => void): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  mounts.unshift(dir);
  prepare(dir);
  execFileSync('mount', ['-o', 'remount,ro', dir]);
}

describe('data dir faults at startup', { timeout: 90_000 }, () => {
  test('a read-only data dir: the node ID cannot be written', { skip: isRoot ? false : 'needs root to mount a read-only tmpfs' }, async () => {
    const dir = path.join(work.path, 'ro');
    readOnlyTmpfs(dir, () => {});
    const r = await startFails(dir, false);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`==> failed to setup node ID: failed to write NodeID to disk: open ${dir}/node-id: read-only file system`));
  });

  test('a read-only data dir that has a node ID: Raft cannot start, and the message names the directory', { skip: isRoot ? false : 'needs root to mount a read-only tmpfs' }, async () => {
    const dir = path.join(work.path, 'ro-with-id');
    readOnlyTmpfs(dir, (d) => writeFileSync(path.join(d, 'node-id'), '6a5e1d9c-1111-2222-3333-444455556666'));
    const r = await startFails(dir, true);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`==> Error starting agent: Failed to start Consul server: Failed to start Raft: mkdir ${dir}/raft: read-only file system`));
  });

  test('a data dir below a regular file', async () => {
    const file = path.join(work.path, 'plain-file');
    writeFileSync(file, 'x');
    const r = await startFails(path.join(file, 'data'), false);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`==> failed to setup node ID: mkdir ${file}/data: not a directory`));
  });

  test('a data dir held by a running server: the second one names the lock, the first keeps serving', async () => {
    const dir = path.join(work.path, 'shared');
    const first = await TestAgent.start({ dev: false, dataDir: dir, args: ['-server', '-bootstrap'] });
    try {
      const r = await startFails(dir, true);
      assert.equal(r.code, 1);
      assert.match(r.out, new RegExp(`Failed to start Raft: lock ${dir}/raft/log/LOCK: resource temporarily unavailable`));
      const res = await fetch(`${first.url}/v1/status/leader`);
      assert.equal(res.status, 200);
    } finally {
      await first.stop();
    }
  });
});

/** Snapshot files of a server's data dir, newest (highest index) first. */
function snapshotFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, 'raft', 'snapshots');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => /^\d+-\d+\.snap$/.test(n));
  } catch {
    return [];
  }
  const index = (n: string): number => Number(n.split('-')[1]?.split('.')[0]);
  return names.sort((a, b) => index(b) - index(a)).map((n) => path.join(dir, n));
}

/** A server that has taken two snapshots of 60 keys, then stopped; returns its data dir. */
async function serverWithTwoSnapshots(name: string, trailingLogs: number): Promise<{ dataDir: string; confFile: string }> {
  const dataDir = path.join(work.path, name);
  const confFile = path.join(work.path, `${name}.json`);
  writeFileSync(confFile, JSON.stringify({ raft_snapshot_threshold: 20, raft_snapshot_interval: '100ms', raft_trailing_logs: trailingLogs }));
  const agent = await TestAgent.start({ dev: false, dataDir, args: ['-server', '-bootstrap', `-config-file=${confFile}`] });
  try {
    const put = async (i: number): Promise<void> => {
      const res = await fetch(`${agent.url}/v1/kv/k${i}`, { method: 'PUT', body: `v${i}` });
      assert.equal(res.status, 200);
    };
    for (let i = 0; i < 30; i++) await put(i);
    await eventually('a first snapshot', async () => snapshotFiles(dataDir).length >= 1, 20_000);
    const first = snapshotFiles(dataDir)[0];
    for (let i = 30; i < 60; i++) await put(i);
    await eventually('a second, newer snapshot', async () => snapshotFiles(dataDir).length >= 2 && snapshotFiles(dataDir)[0] !== first, 20_000);
  } finally {
    assert.equal(await agent.stop(), 0);
  }
  return { dataDir, confFile };
}

function damage(file: string): void {
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(file, bytes);
}

describe('a damaged newest Raft snapshot', { timeout: 120_000 }, () => {
  test('with the log reaching back to the previous snapshot: a warning naming the file, and every write is still there', async () => {
    const { dataDir, confFile } = await serverWithTwoSnapshots('snap-fallback', 10_000);
    const newest = snapshotFiles(dataDir)[0] as string;
    damage(newest);
    const agent = await TestAgent.start({ dev: false, dataDir, args: ['-server', '-bootstrap', `-config-file=${confFile}`] });
    try {
      assert.match(agent.output, new RegExp(`failed to open snapshot: ${newest}`));
      for (const i of [0, 29, 59]) {
        const res = await fetch(`${agent.url}/v1/kv/k${i}?raw`);
        assert.equal(await res.text(), `v${i}`, `k${i} after the fallback`);
      }
    } finally {
      await agent.stop();
    }
  });

  test('with the log compacted past the previous snapshot: the server refuses to start and names the file', async () => {
    const { dataDir, confFile } = await serverWithTwoSnapshots('snap-gap', 0);
    const newest = snapshotFiles(dataDir)[0] as string;
    damage(newest);
    const p = await allocatePorts();
    const r = await runCli(['agent', '-server', '-bootstrap', `-data-dir=${dataDir}`, `-config-file=${confFile}`, '-bind=127.0.0.1', '-client=127.0.0.1', `-http-port=${p.http}`, `-dns-port=${p.dns}`, `-serf-lan-port=${p.serfLan}`, `-serf-wan-port=${p.serfWan}`, `-server-port=${p.server}`], {}, undefined, 30_000);
    assert.equal(r.code, 1);
    const out = r.stdout + r.stderr;
    assert.match(out, new RegExp(`Failed to start Raft: snapshot ${newest} is damaged, and (the log starts at index \\d+ but the newest intact snapshot ends|entries up to index \\d+ were committed but the log and the newest intact snapshot end) at index \\d+`));
  });
});

describe('a torn last Raft log record', { timeout: 60_000 }, () => {
  test('after kill -9 and a cut into the last WAL record, the server starts from the intact prefix', async () => {
    const dataDir = path.join(work.path, 'torn');
    const agent = await TestAgent.start({ dev: false, dataDir, args: ['-server', '-bootstrap'] });
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${agent.url}/v1/kv/t${i}`, { method: 'PUT', body: `v${i}` });
      assert.equal(res.status, 200);
    }
    await agent.kill9();
    const logDir = path.join(dataDir, 'raft', 'log');
    const wal = readdirSync(logDir).filter((n) => n.endsWith('.log')).sort().pop();
    assert.ok(wal, 'a LevelDB write-ahead log');
    const bytes = readFileSync(path.join(logDir, wal));
    writeFileSync(path.join(logDir, wal), bytes.subarray(0, bytes.length - 7));
    const again = await TestAgent.start({ dev: false, dataDir, args: ['-server', '-bootstrap'] });
    try {
      // The cut record was the last write (t19, or the leader's entries after it); every earlier
      // acknowledged write is in the intact prefix.
      for (let i = 0; i < 19; i++) {
        const res = await fetch(`${again.url}/v1/kv/t${i}?raw`);
        assert.equal(await res.text(), `v${i}`, `t${i}`);
      }
      const write = await fetch(`${again.url}/v1/kv/after`, { method: 'PUT', body: 'x' });
      assert.equal(write.status, 200, 'the server takes writes again');
    } finally {
      await again.stop();
    }
  });
});

describe('a full disk under a running server', { timeout: 240_000, skip: isRoot ? false : 'needs root to mount a small tmpfs' }, () => {
  for (const [label, extra] of [
    ['', []],
    [' (snapshots taken every 20 writes, so a snapshot write may be the one refused)', ['-hcl=raft_snapshot_threshold = 20', '-hcl=raft_snapshot_interval = "100ms"', '-hcl=raft_trailing_logs = 10']],
  ] as const) {
    test(`writes are refused with the error, nothing acknowledged is lost, and the server recovers when space returns${label}`, async () => {
      const mount = path.join(work.path, `small${label === '' ? '' : '-snap'}`);
      mkdirSync(mount, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
      mounts.unshift(mount);
      const dataDir = path.join(mount, 'data');
      const value = 'v'.repeat(15_000);
      const agent = await TestAgent.start({ dataDir, args: ['-node=full', ...extra] });
      let acked = 0;
      let refusal = '';
      try {
        for (let i = 0; i < 400 && refusal === ''; i++) {
          const res = await fetch(`${agent.url}/v1/kv/k${i}`, { method: 'PUT', body: value });
          const text = await res.text();
          if (res.status === 200 && text.trim() === 'true') acked = i + 1;
          else refusal = `${res.status} ${text}`;
        }
        assert.ok(acked > 10, `some writes fit (${acked})`);
        assert.match(refusal, /^500 failed to persist the Raft log: write \S+: no space left on device$/);
        const stale = await fetch(`${agent.url}/v1/kv/k0?stale&raw`);
        assert.equal(await stale.text(), value, 'the agent keeps serving stale reads');

        execFileSync('mount', ['-o', 'remount,size=64m', mount]);
        await eventually('writes to work again', async () => (await fetch(`${agent.url}/v1/kv/after`, { method: 'PUT', body: 'x' })).status === 200, 60_000, 250);
        for (const i of [0, acked - 1]) assert.equal(await (await fetch(`${agent.url}/v1/kv/k${i}?raw`)).text(), value, `k${i}`);
      } finally {
        await agent.kill9();
      }
      const again = await TestAgent.start({ dataDir, args: ['-node=full', ...extra] });
      try {
        const keys = (await (await fetch(`${again.url}/v1/kv/?keys`)).json()) as string[];
        for (let i = 0; i < acked; i++) assert.ok(keys.includes(`k${i}`), `acknowledged k${i} survives kill -9 after the fault`);
        assert.ok(keys.includes('after'));
      } finally {
        await again.stop();
      }
    });
  }
});
