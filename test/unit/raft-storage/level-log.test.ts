import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { LevelLogStore } from '../../../src/core/raft/storage/level-log.js';
import { FileSnapshotStore } from '../../../src/core/raft/storage/snapshot-store.js';
import type { Entry } from '../../../src/core/raft/core/types.js';
import { tmpDir } from '../../support/tmp-dir.js';
import { writeFileSync, readdirSync } from 'node:fs';

const e = (index: number, term: number, text = ''): Entry => ({ index, term, kind: 'command', data: new TextEncoder().encode(text || `e${index}`) });

test('the log persists entries and hard state, replaces a conflicting suffix, compacts', async () => {
  const dir = tmpDir();
  try {
    let log = new LevelLogStore(path.join(dir.path, 'log'));
    await log.open();
    await log.save([e(1, 1), e(2, 1), e(3, 1), e(4, 1)], { term: 1, vote: 'a', commit: 2 }, true);
    await log.save([e(3, 2, 'new3')], { term: 2, vote: 'b', commit: 3 }, true);
    await log.close();
    log = new LevelLogStore(path.join(dir.path, 'log'));
    let loaded = await log.open();
    assert.deepEqual(loaded.entries.map((x) => [x.index, x.term]), [[1, 1], [2, 1], [3, 2]]);
    assert.equal(new TextDecoder().decode(loaded.entries[2]?.data), 'new3');
    assert.deepEqual(loaded.hardState, { term: 2, vote: 'b', commit: 3 });
    await log.compact(2);
    await log.close();
    log = new LevelLogStore(path.join(dir.path, 'log'));
    loaded = await log.open();
    assert.deepEqual(loaded.entries.map((x) => x.index), [3]);
    await log.close();
  } finally {
    dir.remove();
  }
});

test('snapshot files: newest intact one wins, a corrupt one is skipped, old ones pruned', async () => {
  const dir = tmpDir();
  try {
    const store = new FileSnapshotStore(dir.path);
    const conf = { voters: ['a'], learners: [] };
    for (const i of [10, 20, 30]) await store.save({ meta: { index: i, term: 1, conf }, data: new Uint8Array([i]) });
    assert.equal(readdirSync(dir.path).filter((f) => f.endsWith('.snap')).length, 2);
    assert.equal((await store.loadLatest())?.meta.index, 30);
    writeFileSync(path.join(dir.path, '1-30.snap'), 'corrupt');
    const snap = await store.loadLatest();
    assert.equal(snap?.meta.index, 20);
    assert.deepEqual([...(snap?.data ?? [])], [20]);
  } finally {
    dir.remove();
  }
});

test('logGap: a log that continues the snapshot is fine; a hole or a late start is reported', async () => {
  const { logGap } = await import('../../../src/core/raft/durable-state.js');
  const e = (index: number) => ({ index, term: 1, kind: 'command' as const, data: new Uint8Array(0) });
  assert.equal(logGap([], 10), undefined);
  assert.equal(logGap([e(5), e(6), e(7)], 10), undefined, 'trailing entries behind the snapshot');
  assert.equal(logGap([e(11), e(12)], 10), undefined);
  assert.match(logGap([e(12), e(13)], 10) ?? '', /starts at index 12 but the newest intact snapshot ends at index 10/);
  assert.match(logGap([e(11), e(12), e(14)], 10) ?? '', /hole after index 12/);
});

test('logGap: committed entries that neither the log nor the snapshot holds are reported', async () => {
  const { logGap } = await import('../../../src/core/raft/durable-state.js');
  const e = (index: number) => ({ index, term: 1, kind: 'command' as const, data: new Uint8Array(0) });
  assert.equal(logGap([e(11)], 10, 11), undefined);
  assert.match(logGap([], 42, 63) ?? '', /committed but the log and the newest intact snapshot end at index 42/);
});
