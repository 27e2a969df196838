import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, RawNode } from '../../../src/core/raft/core/index.js';
import { Net, config, netFrom, storageWith } from './harness.js';

test('§5.2 election timeout: a follower campaigns after a randomized timeout in [E, 2E)', () => {
  const seen = new Set<number>();
  for (let seed = 1; seed <= 40; seed++) {
    const raw = new RawNode(config('a', MemoryStorage.bootstrap(['a', 'b', 'c']), {}, seed));
    let ticks = 0;
    while (raw.status().role === 'follower') {
      raw.tick();
      ticks++;
      assert.ok(ticks < 20, 'no election within 2E ticks');
    }
    assert.ok(ticks >= 10, `campaigned after ${ticks} < E ticks`);
    assert.equal(raw.status().role, 'candidate');
    assert.equal(raw.status().term, 2);
    assert.equal(raw.status().vote, 'a');
    seen.add(ticks);
  }
  assert.ok(seen.size >= 4, `timeouts are not randomized: ${[...seen].join(',')}`);
});

test('§5.2 a candidate with a majority becomes leader; the others follow it', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  assert.deepEqual(net.leaders(), ['a']);
  for (const id of ['b', 'c']) {
    const st = net.node(id).raw.status();
    assert.equal(st.leader, 'a');
    assert.equal(st.term, 2);
  }
  // §8: the new leader's noop commits everywhere.
  assert.equal(net.node('b').raw.status().commit, 2);
});

test('§5.2 each node votes for at most one candidate per term', () => {
  const net = new Net(['a', 'b', 'c']);
  net.node('a').raw.campaign(); // term 2, votes for itself
  net.node('b').raw.campaign(); // term 2, votes for itself
  net.cutLink('a', 'b');
  net.stabilize();
  // c received both requests at term 2 and granted only the first one it processed.
  const grants = net.delivered.filter((m) => m.type === 'voteResp' && m.from === 'c' && !m.reject);
  assert.equal(grants.length, 1);
  assert.equal(net.leaders().length, 1);
});

test('§5.4.1 a voter rejects a candidate whose log is less up-to-date', () => {
  // a and b hold entry 2@2; c does not. c campaigns and must lose.
  const net = netFrom({
    a: storageWith(['a', 'b', 'c'], [1, 2], 2),
    b: storageWith(['a', 'b', 'c'], [1, 2], 2),
    c: storageWith(['a', 'b', 'c'], [1], 2),
  });
  net.elect('c');
  assert.notEqual(net.node('c').raw.status().role, 'leader');
  const resps = net.delivered.filter((m) => m.type === 'voteResp' && m.to === 'c');
  assert.equal(resps.length, 2);
  assert.ok(resps.every((m) => m.type === 'voteResp' && m.reject));
  // A candidate with a higher last term wins even with a shorter log.
  const net2 = netFrom({
    a: storageWith(['a', 'b', 'c'], [1, 2, 2, 2], 3),
    b: storageWith(['a', 'b', 'c'], [1, 3], 3),
    c: storageWith(['a', 'b', 'c'], [1], 3),
  });
  net2.elect('b');
  assert.deepEqual(net2.leaders(), ['b']);
});

test('§9.6 PreVote: an isolated node does not inflate its term and cannot disrupt the leader', () => {
  const net = new Net(['a', 'b', 'c'], { preVote: true, checkQuorum: false });
  net.elect('a');
  const term = net.node('a').raw.status().term;
  net.isolate('c');
  for (let i = 0; i < 100; i++) {
    net.tick('c');
    net.stabilize();
  }
  assert.equal(net.node('c').raw.status().term, term, 'pre-candidate bumped its term');
  assert.equal(net.node('c').raw.status().role, 'preCandidate');
  net.heal();
  net.run(3);
  assert.deepEqual(net.leaders(), ['a']);
  assert.equal(net.node('a').raw.status().term, term);
  assert.equal(net.node('c').raw.status().leader, 'a');
});

test('§9.6 without PreVote the same isolation forces a new election (the problem PreVote solves)', () => {
  const net = new Net(['a', 'b', 'c']);
  net.elect('a');
  const term = net.node('a').raw.status().term;
  net.isolate('c');
  for (let i = 0; i < 30; i++) net.tick('c');
  net.stabilize();
  assert.ok(net.node('c').raw.status().term > term);
  net.heal();
  net.run(40);
  assert.ok(net.node('a').raw.status().term > term);
});

test('§6.2 CheckQuorum: an isolated leader steps down after an election timeout', () => {
  const net = new Net(['a', 'b', 'c'], { checkQuorum: true, preVote: true });
  net.elect('a');
  net.isolate('a');
  let ticks = 0;
  while (net.node('a').raw.status().role === 'leader') {
    net.tick('a');
    net.stabilize();
    ticks++;
    assert.ok(ticks <= 11, 'still leader after an election timeout without a quorum');
  }
  assert.ok(ticks >= 10, `stepped down after ${ticks} ticks, before an election timeout`);
});

test('§6.2 CheckQuorum lease: followers that hear from a leader ignore higher-term vote requests', () => {
  const net = new Net(['a', 'b', 'c'], { checkQuorum: true });
  net.elect('a');
  const term = net.node('a').raw.status().term;
  net.run(3);
  // c forces an election (no PreVote): b and a are within their lease and ignore it.
  net.node('c').raw.campaign();
  net.stabilize();
  assert.deepEqual(net.leaders(), ['a']);
  assert.equal(net.node('b').raw.status().term, term);
  assert.ok(!net.delivered.some((m) => m.type === 'voteResp' && m.to === 'c' && m.from === 'b'));
});

test('Status: the leader holds a lease while a quorum answers, and loses it when cut off', () => {
  const net = new Net(['a', 'b', 'c'], { checkQuorum: true, preVote: true });
  net.elect('a');
  net.run(2);
  assert.equal(net.node('a').raw.status().hasLease, true);
  assert.equal(net.node('b').raw.status().hasLease, false);
  net.isolate('a');
  for (let i = 0; i < 9; i++) {
    net.tick('a');
    net.stabilize();
  }
  assert.equal(net.node('a').raw.status().hasLease, false);
});

// hashicorp/raft runFollower: a heartbeat timeout clears the leader before anything else, so a
// server stops naming (and forwarding to) a dead leader; tick() says so for the driver's log.
test('a follower forgets its leader when its election timer fires, and tick() reports the timeout', () => {
  for (const preVote of [false, true]) {
    const raw = new RawNode(config('b', MemoryStorage.bootstrap(['a', 'b', 'c']), { preVote, checkQuorum: preVote }));
    raw.step({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 0, context: '' });
    assert.equal(raw.status().leader, 'a');
    const events: string[] = [];
    for (let i = 0; i < 20 && raw.status().leader !== ''; i++) events.push(raw.tick());
    assert.equal(raw.status().leader, '', `preVote=${preVote}: still names the silent leader`);
    assert.equal(events.at(-1), 'heartbeatTimeout');
    assert.ok(events.slice(0, -1).every((e) => e === 'none'));
    assert.notEqual(raw.status().role, 'follower');
    // Its next timeout restarts the election.
    let next = 'none';
    for (let i = 0; i < 20 && next === 'none'; i++) next = raw.tick();
    assert.equal(next, 'electionTimeout');
  }
});

test('a server that may not campaign (not a voter) forgets its leader too, without campaigning', () => {
  const raw = new RawNode(config('z', MemoryStorage.bootstrap(['a', 'b', 'c'])));
  raw.step({ type: 'heartbeat', from: 'a', to: 'z', term: 1, commit: 0, context: '' });
  assert.equal(raw.status().leader, 'a');
  const events: string[] = [];
  for (let i = 0; i < 40; i++) events.push(raw.tick());
  assert.deepEqual(events.filter((e) => e !== 'none'), ['leaderLost']);
  assert.equal(raw.status().leader, '');
  assert.equal(raw.status().role, 'follower');
  assert.equal(raw.status().term, 1);
  // Hearing from the leader again restores it.
  raw.step({ type: 'heartbeat', from: 'a', to: 'z', term: 1, commit: 0, context: '' });
  assert.equal(raw.status().leader, 'a');
});
