import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, RaftError, RawNode } from '../../../src/core/raft/core/index.js';
import { config, enc, persist } from './harness.js';

test('single voter: campaign() elects itself and a proposal commits in the same Ready', () => {
  const storage = MemoryStorage.bootstrap(['a']);
  const raw = new RawNode(config('a', storage));
  raw.campaign();
  assert.equal(raw.status().role, 'leader');
  let rd = raw.ready();
  persist(storage, rd);
  // The bootstrap config entry (index 1) and the leader's noop (index 2) both apply.
  assert.deepEqual(rd.committedEntries.map((e) => e.index), [1, 2]);
  assert.equal(rd.mustSync, true);
  raw.advance(rd);
  const [p] = raw.propose([enc('x')]);
  assert.deepEqual(p, { index: 3, term: 2 });
  assert.equal(raw.hasReady(), true);
  rd = raw.ready();
  assert.deepEqual(rd.entries.map((e) => e.index), [3]);
  assert.deepEqual(rd.committedEntries.map((e) => e.index), [3]);
  assert.equal(rd.messages.length, 0);
  persist(storage, rd);
  raw.advance(rd);
  assert.equal(raw.hasReady(), false);
  assert.equal(storage.lastIndex(), 3);
  assert.equal(raw.status().applied, 3);
});

test('single voter: elects itself after an election timeout', () => {
  const storage = MemoryStorage.bootstrap(['a']);
  const raw = new RawNode(config('a', storage));
  for (let i = 0; i < 20 && raw.status().role !== 'leader'; i++) raw.tick();
  assert.equal(raw.status().role, 'leader');
});

test('propose on a follower throws notLeader; ready() twice without advance throws', () => {
  const storage = MemoryStorage.bootstrap(['a', 'b', 'c']);
  const raw = new RawNode(config('a', storage));
  assert.throws(() => raw.propose([enc('x')]), (e: unknown) => e instanceof RaftError && e.code === 'notLeader');
  raw.ready();
  assert.throws(() => raw.ready(), /advance/);
});

test('single voter: batch proposals of thousands of entries stay cheap', () => {
  const storage = MemoryStorage.bootstrap(['a']);
  const raw = new RawNode(config('a', storage));
  raw.campaign();
  let applied = 0;
  for (let round = 0; round < 200; round++) {
    const batch = Array.from({ length: 50 }, (_, i) => enc(`v${round}-${i}`));
    raw.propose(batch);
    const rd = raw.ready();
    persist(storage, rd);
    applied += rd.committedEntries.filter((e) => e.kind === 'command').length;
    raw.advance(rd);
  }
  assert.equal(applied, 10000);
  assert.equal(raw.status().commit, 10002);
});
