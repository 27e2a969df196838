import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeArchive } from '../../src/core/snapshot/index.js';
import { type FakeAgent, runConsul, startFakeAgent } from './fake-agent.js';

/** state.bin records: [type u8][len u32 BE][body]. */
function records(...recs: Array<[number, number]>): Uint8Array {
  const parts: Buffer[] = [];
  for (const [type, len] of recs) {
    const head = Buffer.alloc(5);
    head[0] = type;
    head.writeUInt32BE(len, 1);
    parts.push(head, Buffer.alloc(len, 0x61));
  }
  return Buffer.concat(parts);
}

describe('consul snapshot', { timeout: 60_000 }, () => {
  let agent: FakeAgent;
  let dir: string;
  let archive: Buffer;
  const run = (...args: string[]) => runConsul(args, { addr: agent.addr });
  before(async () => {
    agent = await startFakeAgent();
    dir = mkdtempSync(join(tmpdir(), 'consul-ts-snap-'));
    const state = records([2, 40], [2, 40], [0, 1700]);
    archive = await writeArchive({ ID: '2-13-1602161216', Size: state.length, Index: 13, Term: 2, Version: 1 }, state);
    agent.snapshot = archive;
    agent.index = 13;
  });
  after(() => agent.close());

  it('save writes, verifies and renames the file', async () => {
    const file = join(dir, 'backup.snap');
    const r = await run('snapshot', 'save', file);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Saved and verified snapshot to index 13\n', '']);
    assert.deepEqual(readFileSync(file), archive);
    assert.equal(existsSync(`${file}.unverified`), false);
  });

  it('save refuses a damaged archive and leaves no file behind', async () => {
    agent.snapshot = archive.subarray(0, 100);
    const file = join(dir, 'bad.snap');
    const r = await run('snapshot', 'save', file);
    agent.snapshot = archive;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error verifying snapshot file: /);
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(`${file}.unverified`), false);
  });

  it('inspect prints the meta block and the type table', async () => {
    const file = join(dir, 'inspect.snap');
    writeFileSync(file, archive);
    const r = await run('snapshot', 'inspect', file);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 5), [' ID           2-13-1602161216', ` Size         ${1780 + 15}`, ' Index        13', ' Term         2', ' Version      1']);
    assert.match(r.stdout, /\n Register {2,}1 {2,}1\.7KB {2,}\n KVS {2,}2 {2,}90B {2,}\n/);
    const json = JSON.parse((await run('snapshot', 'inspect', '-format=json', file)).stdout) as { Meta: { Index: number }; Stats: unknown[]; TotalSize: number };
    assert.equal(json.Meta.Index, 13);
    assert.deepEqual(json.Stats, [
      { Name: 'Register', Sum: 1705, Count: 1 },
      { Name: 'KVS', Sum: 90, Count: 2 },
    ]);
  });

  it('inspect refuses damaged files', async () => {
    const bad = join(dir, 'trunc.snap');
    writeFileSync(bad, archive.subarray(0, 300));
    const r = await run('snapshot', 'inspect', bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error reading snapshot: /);
    const missing = await run('snapshot', 'inspect', join(dir, 'nope.snap'));
    assert.equal(missing.stderr, `Error opening snapshot file: open ${join(dir, 'nope.snap')}: no such file or directory\n`);
  });

  it('restore uploads the file', async () => {
    const file = join(dir, 'restore.snap');
    writeFileSync(file, archive);
    agent.snapshot = Buffer.alloc(0);
    const r = await run('snapshot', 'restore', file);
    assert.deepEqual([r.code, r.stdout], [0, 'Restored snapshot\n']);
    assert.deepEqual(agent.snapshot, archive);
    agent.override.set('/v1/snapshot', { status: 500, body: 'failed to restore' });
    const bad = await run('snapshot', 'restore', file);
    assert.deepEqual([bad.code, bad.stderr], [1, 'Error restoring snapshot: Unexpected response code: 500 (failed to restore)\n']);
    assert.equal((await run('snapshot', 'restore')).stderr, 'Missing FILE argument\n');
  });
});
