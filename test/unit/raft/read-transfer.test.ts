import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, RaftError, RawNode } from '../../../src/core/raft/core/index.js';
import { Net, config, enc, persist } from './harness.js';

test('§6.4 ReadIndex on the leader: answered only after a heartbeat quorum, at the commit index', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.node('a').raw.propose([enc('x=1')]);
  net.stabilize();
  net.isolate('a');
  net.node('a').raw.readIndex('r1');
  net.stabilize();
  assert.equal(net.node('a').readStates.length, 0, 'answered without confirming leadership');
  net.heal();
  net.tick('a'); // the next heartbeat carries the pending context
  net.stabilize();
  assert.deepEqual(net.node('a').readStates, [{ context: 'r1', index: 3 }]);
});

test('§6.4 ReadIndex from a follower is forwarded to the leader and answered there', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.node('b').raw.readIndex('rb');
  net.stabilize();
  assert.deepEqual(net.node('b').readStates, [{ context: 'rb', index: 2 }]);
  assert.ok(net.delivered.some((m) => m.type === 'readIndex' && m.from === 'b' && m.to === 'a'));
});

test('§6.4 a new leader answers reads only after committing an entry of its term', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.node('a').raw.propose([enc('x=1')]);
  net.stabilize();
  // b becomes leader, but its noop cannot commit while it is alone.
  net.isolate('b');
  net.node('b').raw.campaign();
  net.heal();
  net.dropTypes.add('append');
  net.stabilize();
  assert.equal(net.node('b').raw.status().role, 'leader');
  net.node('b').raw.readIndex('r');
  net.tick('b');
  net.stabilize();
  assert.equal(net.node('b').readStates.length, 0, 'read answered before the noop committed');
  net.heal();
  net.tick('b');
  net.stabilize();
  net.tick('b');
  net.stabilize();
  assert.equal(net.node('b').readStates.length, 1);
  assert.ok((net.node('b').readStates[0]?.index ?? 0) >= 4, 'read index must cover the noop of term 3');
});

test('§6.4 a single voter answers a read at once; a follower without a leader refuses', () => {
  const storage = MemoryStorage.bootstrap(['a']);
  const raw = new RawNode(config('a', storage));
  raw.campaign();
  raw.readIndex('solo');
  const rd = raw.ready();
  persist(storage, rd);
  assert.deepEqual(rd.readStates, [{ context: 'solo', index: 2 }]);
  raw.advance(rd);
  const lonely = new RawNode(config('x', MemoryStorage.bootstrap(['x', 'y', 'z'])));
  assert.throws(() => lonely.readIndex('r'), (e: unknown) => e instanceof RaftError && e.code === 'unavailable');
});

test('§3.10 leadership transfer: the target catches up, gets timeoutNow and wins', () => {
  const net = new Net(['a', 'b', 'c'], { checkQuorum: true, preVote: true });
  net.elect('a');
  net.cutLink('a', 'c');
  net.node('a').raw.propose([enc('x=1'), enc('y=2')]);
  net.stabilize();
  net.heal();
  net.node('a').raw.transferLeader('c');
  assert.throws(() => net.node('a').raw.propose([enc('z')]),
    (e: unknown) => e instanceof RaftError && e.code === 'transferInProgress');
  net.stabilize();
  assert.deepEqual(net.leaders(), ['c']);
  assert.ok(net.delivered.some((m) => m.type === 'timeoutNow' && m.to === 'c'));
  assert.equal(net.node('a').raw.status().leader, 'c');
});

test('§3.10 a transfer to an unreachable target aborts after an election timeout', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.isolate('c');
  net.node('a').raw.transferLeader('c');
  net.stabilize();
  for (let i = 0; i < 10; i++) {
    net.tick('a');
    net.stabilize();
  }
  assert.deepEqual(net.leaders(), ['a']);
  assert.doesNotThrow(() => net.node('a').raw.propose([enc('after')]));
  assert.throws(() => net.node('a').raw.transferLeader('nobody'), RaftError);
});
