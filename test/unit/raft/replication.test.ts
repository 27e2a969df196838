import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftError } from '../../../src/core/raft/core/index.js';
import { Net, commands, enc, netFrom, storageWith, termsOf } from './harness.js';

test('§5.3 replication: committed entries apply in order on every node', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  const results = net.node('a').raw.propose([enc('x=1'), enc('y=2')]);
  assert.deepEqual(results.map((r) => r.index), [3, 4]);
  net.stabilize();
  for (const id of ['a', 'b', 'c']) assert.deepEqual(commands(net.node(id)), ['x=1', 'y=2']);
});

test('§5.3 Log Matching: a follower\'s conflicting suffix is replaced by the leader\'s entries', () => {
  const voters = ['a', 'b', 'c'];
  const net = netFrom({
    a: storageWith(voters, [1, 2, 3, 3], 3),
    b: storageWith(voters, [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 2), // a stale leader's tail
    c: storageWith(voters, [1, 2, 3], 3),
  });
  net.elect('a');
  assert.deepEqual(net.leaders(), ['a']);
  assert.deepEqual(termsOf(net.node('b').storage), [1, 2, 3, 3, 4]);
  assert.deepEqual(termsOf(net.node('c').storage), [1, 2, 3, 3, 4]);
  // Fast backtracking: b's whole run of term 2 is skipped in one round trip, not entry by entry.
  const rejects = net.delivered.filter((m) => m.type === 'appendResp' && m.from === 'b' && m.reject);
  assert.ok(rejects.length <= 2, `${rejects.length} rejections`);
});

test('§5.4.2 Figure 8: a leader never commits an entry of an earlier term by counting replicas', () => {
  const voters = ['a', 'b', 'c'];
  // a holds 2@2 (never committed); b and c do not. a is elected at term 3.
  const net = netFrom({
    a: storageWith(voters, [1, 2], 2),
    b: storageWith(voters, [1], 2),
    c: storageWith(voters, [1], 2),
  }, { maxSizePerMsg: 0, maxInflight: 1 }); // one entry per append: 2@2 travels alone
  const commits: number[] = [];
  net.afterDeliver = () => commits.push(net.node('a').raw.status().commit);
  net.elect('a');
  assert.deepEqual(net.leaders(), ['a']);
  // While only 2@2 is on a majority, commit stays at 1; it jumps to 3 once 3@3 is.
  assert.ok(commits.every((c) => c === 1 || c === 3), `commit went through ${[...new Set(commits)].join(',')}`);
  assert.ok(commits.includes(1) && commits.includes(3));
  assert.ok(net.delivered.some((m) => m.type === 'appendResp' && m.from === 'b' && m.index === 2 && !m.reject),
    'b acknowledged 2@2 alone before 3@3');
});

test('batching and pipelining: maxSizePerMsg bounds appends; maxInflight bounds the pipeline', () => {
  const net = new Net(['a', 'b'], { maxSizePerMsg: 10, maxInflight: 2 });
  net.elect('a');
  net.dropTypes.add('appendResp');
  net.node('a').raw.propose(Array.from({ length: 20 }, (_, i) => enc(`v=${String(i).padStart(4, '0')}`)));
  net.stabilize();
  const appends = net.delivered.filter((m) => m.type === 'append' && m.from === 'a' && m.entries.length > 0);
  // Entries are 6 bytes: at most 1 per 10-byte message (the first always goes), 2 in flight.
  for (const m of appends) assert.ok(m.type === 'append' && m.entries.length <= 1);
  const afterPropose = appends.filter((m) => m.type === 'append' && (m.entries[0]?.index ?? 0) > 2);
  assert.equal(afterPropose.length, 2);
  net.heal();
  net.run(3);
  assert.equal(commands(net.node('b')).length, 20);
});

test('a proposal to a follower fails with notLeader; a lost proposal shows as a different term', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  assert.throws(() => net.node('b').raw.propose([enc('x')]), (e: unknown) => e instanceof RaftError && e.code === 'notLeader');
  // a appends but is cut off before replicating; b takes over and overwrites index 3.
  net.isolate('a');
  const [lost] = net.node('a').raw.propose([enc('lost')]);
  net.stabilize();
  net.elect('b');
  net.node('b').raw.propose([enc('kept')]);
  net.stabilize();
  net.heal();
  net.run(3);
  const at3 = net.node('a').applied.find((e) => e.index === lost?.index);
  assert.ok(at3 !== undefined && at3.term !== lost?.term);
  assert.deepEqual(commands(net.node('a')), ['kept']);
});
