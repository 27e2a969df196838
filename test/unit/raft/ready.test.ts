import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, RawNode } from '../../../src/core/raft/core/index.js';
import { Net, config, enc, persist } from './harness.js';

test('Ready: never hands out the same entries, messages or committed entries twice', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  for (let i = 0; i < 5; i++) {
    net.node('a').raw.propose([enc(`k=${i}`)]);
    net.stabilize();
  }
  for (const id of ['a', 'b', 'c']) {
    const n = net.node(id);
    const entries = n.readies.flatMap((rd) => rd.entries.map((e) => `${e.index}@${e.term}`));
    assert.equal(new Set(entries).size, entries.length, `${id} got an entry twice`);
    const applied = n.readies.flatMap((rd) => rd.committedEntries.map((e) => e.index));
    assert.deepEqual(applied, Array.from({ length: applied.length }, (_, i) => i + 1));
  }
});

test('Ready: mustSync for new entries or term/vote changes, not for a commit-only change', () => {
  const storage = MemoryStorage.bootstrap(['a', 'b', 'c']);
  const raw = new RawNode(config('b', storage));
  raw.step({ from: 'a', to: 'b', term: 2, type: 'vote', lastIndex: 1, lastTerm: 1, transfer: false });
  let rd = raw.ready();
  assert.equal(rd.mustSync, true); // term and vote changed
  assert.deepEqual(rd.hardState, { term: 2, vote: 'a', commit: 1 });
  persist(storage, rd);
  raw.advance(rd);
  raw.step({ from: 'a', to: 'b', term: 2, type: 'append', prevIndex: 1, prevTerm: 1, commit: 1,
    entries: [{ index: 2, term: 2, kind: 'noop', data: new Uint8Array(0) }] });
  rd = raw.ready();
  assert.equal(rd.mustSync, true); // entries
  persist(storage, rd);
  raw.advance(rd);
  raw.step({ from: 'a', to: 'b', term: 2, type: 'heartbeat', commit: 2, context: '' });
  rd = raw.ready();
  assert.equal(rd.mustSync, false); // commit only
  assert.equal(rd.hardState?.commit, 2);
  assert.deepEqual(rd.committedEntries.map((e) => e.index), [2]); // 1 went out in the first Ready
  persist(storage, rd);
  raw.advance(rd);
  assert.equal(raw.hasReady(), false);
});

test('Ready: messages of a Ready are only those produced since the last one; unstable state is lost on restart', () => {
  const storage = MemoryStorage.bootstrap(['a', 'b', 'c']);
  let raw = new RawNode(config('a', storage));
  raw.campaign();
  const rd = raw.ready();
  assert.equal(rd.messages.filter((m) => m.type === 'vote').length, 2);
  assert.equal(raw.hasReady(), false);
  // Crash before persisting: the term bump and vote are gone.
  raw = new RawNode(config('a', storage));
  assert.equal(raw.status().term, 1);
  assert.equal(raw.status().vote, '');
});

test('restart with applied > 0 resumes applying after it and keeps the configuration', () => {
  const net = new Net(['a']);
  net.elect('a');
  net.node('a').raw.propose([enc('x=1'), enc('y=2')]);
  net.stabilize();
  const storage = net.node('a').storage;
  const raw = new RawNode(config('a', storage, { applied: 3 }));
  assert.equal(raw.status().commit, 4);
  assert.deepEqual(raw.status().conf, { voters: ['a'], learners: [] });
  const rd = raw.ready();
  assert.deepEqual(rd.committedEntries.map((e) => e.index), [4]);
});
