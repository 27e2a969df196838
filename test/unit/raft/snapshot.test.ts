import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../../../src/core/raft/core/index.js';
import { Net, commands, enc } from './harness.js';

test('§7 a follower behind the compaction point receives the snapshot and resumes from it', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.isolate('c');
  for (let i = 0; i < 10; i++) net.node('a').raw.propose([enc(`k=${i}`)]);
  net.stabilize();
  const a = net.node('a');
  const applied = a.raw.status().applied;
  a.storage.createSnapshot(applied, a.raw.status().conf, enc('fsm-state'));
  a.storage.compact(applied);
  net.heal();
  net.tick('a');
  net.stabilize();
  const c = net.node('c');
  const withSnap = c.readies.find((rd) => rd.snapshot !== undefined);
  assert.ok(withSnap !== undefined, 'no Ready carried the snapshot');
  assert.equal(withSnap.snapshot?.meta.index, applied);
  assert.equal(withSnap.mustSync, true);
  assert.equal(c.storage.snapshot().meta.index, applied);
  assert.equal(c.raw.status().applied, applied);
  net.node('a').raw.propose([enc('after=1')]);
  net.stabilize();
  assert.deepEqual(commands(c), ['after=1']);
  assert.equal(a.raw.status().progress['c']?.match, c.raw.status().lastIndex);
});

test('§7 a lost snapshot: reportSnapshot(false) makes the leader retry', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.isolate('c');
  for (let i = 0; i < 5; i++) net.node('a').raw.propose([enc(`k=${i}`)]);
  net.stabilize();
  const a = net.node('a');
  a.storage.createSnapshot(a.raw.status().applied, a.raw.status().conf, enc('s'));
  a.storage.compact(a.raw.status().applied);
  net.heal();
  net.dropTypes.add('snapshot');
  net.tick('a');
  net.stabilize();
  assert.equal(net.node('c').storage.snapshot().meta.index, 0);
  a.raw.reportSnapshot('c', false);
  net.heal();
  net.run(3);
  assert.equal(net.node('c').storage.snapshot().meta.index, a.storage.snapshot().meta.index);
});

test('restart: a node rebuilds from persisted state only and catches up', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.node('a').raw.propose([enc('x=1')]);
  net.stabilize();
  const b = net.restart('b');
  assert.equal(b.raw.status().term, 2);
  assert.equal(b.raw.status().lastIndex, 3);
  net.node('a').raw.propose([enc('y=2')]);
  net.stabilize();
  // The restarted node re-applies from its snapshot (index 0): everything committed, once.
  assert.deepEqual(commands(net.node('b')), ['x=1', 'y=2']);
});

test('a brand-new server with an empty store joins through a snapshot once the log is compacted', () => {
  const net = new Net(['a']);
  net.elect('a');
  for (let i = 0; i < 5; i++) net.node('a').raw.propose([enc(`k=${i}`)]);
  net.stabilize();
  const a = net.node('a');
  a.storage.createSnapshot(a.raw.status().applied, a.raw.status().conf, enc('s'));
  a.storage.compact(a.raw.status().applied);
  net.add('n', new MemoryStorage());
  a.raw.proposeConfChange({ type: 'addLearner', id: 'n' });
  net.stabilize();
  net.run(2);
  assert.equal(net.node('n').storage.snapshot().meta.index, 7);
  assert.deepEqual(net.node('n').raw.status().conf, { voters: ['a'], learners: ['n'] });
});
