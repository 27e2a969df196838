import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, RaftError } from '../../../src/core/raft/core/index.js';
import { Net, commands, enc } from './harness.js';

test('§4 learners replicate but neither vote nor count for the commit quorum', () => {
  const net = new Net(['a', 'b']);
  net.add('d', new MemoryStorage());
  net.elect('a');
  net.node('a').raw.proposeConfChange({ type: 'addLearner', id: 'd' });
  net.stabilize();
  assert.deepEqual(net.node('a').raw.status().conf, { voters: ['a', 'b'], learners: ['d'] });
  net.node('a').raw.propose([enc('x=1')]);
  net.stabilize();
  assert.deepEqual(commands(net.node('d')), ['x=1']);
  // With b gone, a learner's ack does not make a quorum.
  net.isolate('b');
  net.node('a').raw.propose([enc('y=2')]);
  net.stabilize();
  assert.equal(commands(net.node('a')).length, 1);
  // A learner never campaigns.
  for (let i = 0; i < 40; i++) net.tick('d');
  assert.equal(net.node('d').raw.status().role, 'follower');
  net.heal();
  net.run(2);
  assert.deepEqual(commands(net.node('d')), ['x=1', 'y=2']);
});

test('§4.1 add learner, promote to voter: the configuration changes when the entry commits', () => {
  const net = new Net(['a', 'b', 'c']);
  net.add('d', new MemoryStorage());
  net.elect('a');
  net.node('a').raw.proposeConfChange({ type: 'addLearner', id: 'd' });
  assert.throws(() => net.node('a').raw.proposeConfChange({ type: 'addVoter', id: 'd' }),
    (e: unknown) => e instanceof RaftError && e.code === 'confChangePending');
  assert.deepEqual(net.node('a').raw.status().conf.learners, [], 'applied before commit');
  net.stabilize();
  net.node('a').raw.proposeConfChange({ type: 'addVoter', id: 'd' });
  net.stabilize();
  for (const id of ['a', 'b', 'c', 'd']) {
    assert.deepEqual(net.node(id).raw.status().conf, { voters: ['a', 'b', 'c', 'd'], learners: [] });
  }
  // Now 3 of 4 are needed: two voters down stall commits.
  net.isolate('c');
  net.isolate('d');
  net.node('a').raw.propose([enc('x=1')]);
  net.stabilize();
  assert.deepEqual(commands(net.node('a')), []);
});

test('§4.2.2 removing the leader: it steps down once the entry commits and the rest elect', () => {
  const net = new Net(['a', 'b', 'c'], { checkQuorum: true, preVote: true });
  net.elect('a');
  net.node('a').raw.proposeConfChange({ type: 'remove', id: 'a' });
  net.stabilize();
  assert.notEqual(net.node('a').raw.status().role, 'leader');
  assert.deepEqual(net.node('b').raw.status().conf.voters, ['b', 'c']);
  net.run(40);
  const leaders = net.leaders();
  assert.equal(leaders.length, 1);
  assert.notEqual(leaders[0], 'a');
  net.node(leaders[0] as string).raw.propose([enc('after=1')]);
  net.stabilize();
  assert.deepEqual(commands(net.node('b')), ['after=1']);
});

test('§4.1 removing a voter shrinks the quorum; demote turns a voter into a learner', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  net.node('a').raw.proposeConfChange({ type: 'remove', id: 'c' });
  net.stabilize();
  net.node('a').raw.proposeConfChange({ type: 'demote', id: 'b' });
  net.stabilize();
  assert.deepEqual(net.node('a').raw.status().conf, { voters: ['a'], learners: ['b'] });
  net.isolate('b');
  net.node('a').raw.propose([enc('solo=1')]);
  net.stabilize();
  assert.deepEqual(commands(net.node('a')), ['solo=1'], 'a alone is the quorum');
  assert.throws(() => net.node('a').raw.proposeConfChange({ type: 'remove', id: 'a' }), RaftError);
});
