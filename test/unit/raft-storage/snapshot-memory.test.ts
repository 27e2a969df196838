// A snapshot's state is held once, not twice, while it is received (InstallSnapshot chunks), saved
// and loaded: at 1,000,000 keys a second full copy is hundreds of MB (docs/benchmarks.md, issue
// 16 item 4).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Message, Snapshot } from '../../../src/core/raft/core/types.js';
import { FileSnapshotStore, snapshotFileParts } from '../../../src/core/raft/storage/snapshot-store.js';
import { chunksOf, SnapshotAssembler } from '../../../src/core/raft/snapshot-transfer.js';
import { tmpDir } from '../../support/tmp-dir.js';

type SnapshotMessage = Extract<Message, { type: 'snapshot' }>;
const MB = 1024 * 1024;

function snapshotOf(size: number): Snapshot {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) & 0xff;
  return { meta: { index: 42, term: 3, conf: { voters: ['a', 'b', 'c'], learners: [] } }, data };
}

test('InstallSnapshot chunks are assembled into one buffer: at delivery the data exists once, not as chunks plus their join', () => {
  const total = 32 * MB;
  const msg: SnapshotMessage = { type: 'snapshot', from: 'a', to: 'b', term: 3, snapshot: snapshotOf(total) };
  let atDelivery = NaN;
  let got: SnapshotMessage | undefined;
  const asm = new SnapshotAssembler((m) => {
    atDelivery = process.memoryUsage().arrayBuffers;
    got = m as SnapshotMessage;
  });
  // Chunks are copied as the RPC layer hands them over (a fresh buffer per frame).
  const chunks = [...chunksOf(msg, 't1', MB)].map((c) => ({ ...c, data: c.data.slice() }));
  const before = process.memoryUsage().arrayBuffers;
  for (const c of chunks) asm.receive(c);
  assert.ok(got);
  assert.deepEqual(got.snapshot.meta, msg.snapshot.meta);
  assert.ok(Buffer.from(got.snapshot.data).equals(Buffer.from(msg.snapshot.data)));
  // One assembled copy (32 MB) on top of what existed; a list of kept chunks plus their
  // concatenation would be 64 MB.
  const grown = atDelivery - before;
  assert.ok(grown < 1.5 * total, `array buffers grew ${(grown / MB).toFixed(0)} MB for a ${total / MB} MB snapshot`);
  asm.close();
});

test('a snapshot file is written from the state as it is (no joined copy) and loaded as a view of the file read', async () => {
  const dir = tmpDir();
  try {
    const snap = snapshotOf(4 * MB + 7);
    const parts = snapshotFileParts(snap);
    assert.equal(parts[3], snap.data, 'the state is written from the caller buffer, not a copy');
    const store = new FileSnapshotStore(dir.path);
    await store.save(snap);
    const file = path.join(dir.path, '3-42.snap');
    assert.equal(readFileSync(file).length, parts.reduce((n, p) => n + p.length, 0));
    const loaded = await store.loadLatest();
    assert.ok(loaded);
    assert.deepEqual(loaded.meta, snap.meta);
    assert.ok(Buffer.from(loaded.data).equals(Buffer.from(snap.data)));
    // The loaded state shares the buffer the file was read into: one copy of the state.
    assert.equal(loaded.data.buffer.byteLength, readFileSync(file).length);
  } finally {
    dir.remove();
  }
});
