// A data dir the agent cannot use gets a clear startup error that names the file, in Consul's
// words, and exit 1: read-only (a tmpfs the test mounts read-only), under a regular file, or held
// by another running agent. Mounting needs root; without it those cases say so and skip.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
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
