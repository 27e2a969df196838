import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readArchive, SnapshotArchiveError, writeArchive } from '../../../src/core/snapshot/index.js';

const meta = { ID: '2-10-1', Size: 0, Index: 10, Term: 2, Version: 1 };

test('an archive round-trips and carries its metadata', async () => {
  const state = new Uint8Array([1, 2, 3, 4, 5]);
  const buf = await writeArchive(meta, state);
  const back = await readArchive(buf);
  assert.deepEqual([...back.state], [1, 2, 3, 4, 5]);
  assert.equal(back.meta.Index, 10);
  assert.equal(back.meta.Size, 5);
});

test('damaged archives are refused', async () => {
  const buf = await writeArchive(meta, new Uint8Array(4096).fill(7));
  await assert.rejects(readArchive(buf.subarray(0, 100)), SnapshotArchiveError);
  await assert.rejects(readArchive(Buffer.from('garbage')), SnapshotArchiveError);
  const { gunzipSync, gzipSync } = await import('node:zlib');
  const tar = gunzipSync(buf);
  const at = tar.indexOf(Buffer.from([7, 7, 7, 7]));
  tar[at] = 8; // flip a byte of state.bin inside an intact gzip stream
  await assert.rejects(readArchive(gzipSync(tar)), /sha256 hash mismatch/);
});

test('a large state streams through tar and gzip in many chunks and comes back whole, in one buffer of its size', async () => {
  const state = new Uint8Array(24 * 1024 * 1024 + 13);
  for (let i = 0; i < state.length; i += 97) state[i] = (i * 31) & 0xff;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const buf = await writeArchive(meta, state);
  const back = await readArchive(buf);
  clearInterval(timer);
  assert.equal(back.state.length, state.length);
  assert.ok(Buffer.from(back.state).equals(Buffer.from(state)));
  assert.equal(back.state.buffer.byteLength, state.length, 'the state is one buffer, not a slice of a joined tar');
  assert.ok(ticks > 0, 'the event loop kept turning while the archive was written and read');
});
