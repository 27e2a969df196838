import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSerfMessage, encodeSerfMessage } from '../../../../src/core/gossip/serf/codec.js';
import type { MemberEvent } from '../../../../src/core/gossip/serf/types.js';
import { makeSerf } from './fake-memberlist.js';

const status = (h: ReturnType<typeof makeSerf>, name: string): string | undefined =>
  h.serf.members().find((m) => m.name === name)?.status;
const memberEvents = (h: ReturnType<typeof makeSerf>): string[] =>
  h.events()
    .filter((e): e is MemberEvent => e.kind === 'member')
    .map((e) => `${e.type}:${e.members.map((m) => m.name).join(',')}`);
const intent = (type: 'join' | 'leave', node: string, ltime: number, prune = false): Uint8Array =>
  type === 'join' ? encodeSerfMessage({ type, node, ltime }) : encodeSerfMessage({ type, node, ltime, prune });

test('memberlist joins, failures, leaves and updates become member events', () => {
  const h = makeSerf('a', { tags: { role: 'web' } });
  h.ml.addNode('b', '10.0.0.2', 7946, { role: 'db' }, 10);
  assert.deepEqual(memberEvents(h), ['member-join:a', 'member-join:b']);
  const b = h.serf.members().find((m) => m.name === 'b');
  assert.deepEqual(b?.tags, { role: 'db' });
  assert.equal(b?.delegateCur, 4);
  assert.equal(h.serf.localMember().tags.role, 'web');

  h.ml.updateNode('b', { role: 'db2' }, 20);
  assert.deepEqual(memberEvents(h), ['member-update:b']);
  h.ml.removeNode('b', 30);
  assert.equal(status(h, 'b'), 'failed');
  assert.deepEqual(memberEvents(h), ['member-failed:b']);
  assert.equal(h.serf.stats().failed, '1');
  h.ml.addNode('b', '10.0.0.2', 7946, { role: 'db' }, 40);
  assert.equal(status(h, 'b'), 'alive');
  assert.equal(h.serf.stats().failed, '0');
});

test('a leave intent makes a member leaving, and memberlist then reports it left', () => {
  const h = makeSerf('a');
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.events();
  h.ml.delegate.notifyMsg(intent('leave', 'b', 5), 1);
  assert.equal(status(h, 'b'), 'leaving');
  // News: it is rebroadcast.
  assert.equal(h.ml.gossip().length, 1);
  h.ml.removeNode('b', 2, true);
  assert.equal(status(h, 'b'), 'left');
  assert.deepEqual(memberEvents(h), ['member-leave:b']);
  assert.equal(h.serf.stats().left, '1');
});

test('intents are ordered by Lamport time: older ones are ignored and not rebroadcast', () => {
  const h = makeSerf('a');
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.delegate.notifyMsg(intent('join', 'b', 10), 1);
  h.ml.gossip();
  h.ml.delegate.notifyMsg(intent('leave', 'b', 9), 2);
  assert.equal(status(h, 'b'), 'alive', 'leave older than the join');
  h.ml.delegate.notifyMsg(intent('leave', 'b', 11), 3);
  assert.equal(status(h, 'b'), 'leaving');
  h.ml.delegate.notifyMsg(intent('leave', 'b', 11), 4);
  h.ml.delegate.notifyMsg(intent('join', 'b', 12), 5);
  assert.equal(status(h, 'b'), 'alive', 'a newer join cancels the leave');
  // Our member clock witnessed everything.
  assert.equal(h.serf.stats().member_time, '13');
});

test('intents for unknown nodes are buffered and applied when memberlist reports the node', () => {
  const h = makeSerf('a');
  h.ml.delegate.notifyMsg(intent('join', 'c', 3), 0);
  h.ml.delegate.notifyMsg(intent('leave', 'c', 4), 0);
  h.ml.delegate.notifyMsg(intent('leave', 'c', 4), 0); // same time: not news
  assert.equal(h.ml.gossip().length, 2, 'two news items rebroadcast');
  h.ml.addNode('c', '10.0.0.3', 7946, {}, 1);
  assert.equal(status(h, 'c'), 'leaving', 'the newest buffered intent (leave) applies');

  // Buffered intents expire after recentIntentTimeout (checked by the reaper).
  const h2 = makeSerf('a', { reapIntervalMs: 1000, recentIntentTimeoutMs: 5000 });
  h2.serf.tick(0);
  h2.ml.delegate.notifyMsg(intent('leave', 'd', 3), 0);
  h2.serf.tick(10_000);
  h2.ml.addNode('d', '10.0.0.4', 7946, {}, 10_001);
  assert.equal(status(h2, 'd'), 'alive');
});

test('a leave intent about ourselves while alive is refuted with a newer join', () => {
  const h = makeSerf('a');
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: intent('leave', 'a', 20) }, 1);
  // The handler alone would not run deferred work; go through a Serf entry point.
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: intent('leave', 'a', 21) }, 2);
  assert.equal(status(h, 'a'), 'alive');
  const out = h.ml.gossip().map((m) => decodeSerfMessage(m));
  const joins = out.filter((m) => m.type === 'join');
  assert.ok(joins.length >= 1, JSON.stringify(out));
  const j = joins[0];
  assert.ok(j && j.type === 'join' && j.node === 'a' && j.ltime > 21);
  // The agent hears of it: it was force-left, so the leader may have deregistered it.
  assert.deepEqual(
    h.events().filter((e) => e.kind === 'refuted'),
    [{ kind: 'refuted', accusation: 'leave' }, { kind: 'refuted', accusation: 'leave' }],
  );
});

test('force leave: failed -> left with a leave event, then reaped after the tombstone timeout', () => {
  const h = makeSerf('a', { reapIntervalMs: 1000, tombstoneTimeoutMs: 60_000, reconnectTimeoutMs: 3_600_000 });
  h.serf.tick(0);
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.addNode('c', '10.0.0.3', 7946, {}, 0);
  h.ml.removeNode('b', 100);
  h.events();
  h.serf.removeFailedNode('b', false, 200);
  assert.equal(status(h, 'b'), 'left');
  assert.deepEqual(memberEvents(h), ['member-leave:b']);
  // Broadcast because c is alive.
  const sent = h.ml.gossip().map((m) => decodeSerfMessage(m));
  assert.deepEqual(sent.map((m) => m.type), ['leave']);
  // The push/pull state lists it among the left members.
  const pp = decodeSerfMessage(h.serf.localState(false));
  assert.ok(pp.type === 'pushPull' && pp.leftMembers.includes('b'));
  // leaveTime is when it failed (100): reaped once 60 s have passed since then.
  h.serf.tick(60_000);
  assert.equal(status(h, 'b'), 'left');
  h.serf.tick(61_000);
  assert.equal(status(h, 'b'), undefined);
  assert.deepEqual(memberEvents(h), ['member-reap:b']);
});

test('failed members are reaped after the reconnect timeout', () => {
  const h = makeSerf('a', { reapIntervalMs: 15_000, reconnectTimeoutMs: 30_000 });
  h.serf.tick(0);
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.removeNode('b', 1000);
  h.events();
  h.serf.tick(15_000);
  h.serf.tick(30_000);
  assert.equal(status(h, 'b'), 'failed');
  h.serf.tick(45_000);
  assert.equal(status(h, 'b'), undefined);
  assert.deepEqual(memberEvents(h), ['member-reap:b']);
  assert.equal(h.serf.stats().failed, '0');
});

test('force leave with prune erases a failed member at once, a leaving one after the propagate wait', () => {
  const h = makeSerf('a', { broadcastTimeoutMs: 5000, leavePropagateDelayMs: 1000 });
  h.serf.tick(0);
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.addNode('c', '10.0.0.3', 7946, {}, 0);
  h.ml.removeNode('b', 10);
  h.events();
  h.serf.removeFailedNode('b', true, 20);
  assert.equal(status(h, 'b'), undefined);
  assert.deepEqual(memberEvents(h), ['member-leave:b', 'member-reap:b']);

  h.ml.delegate.notifyMsg(encodeSerfMessage({ type: 'leave', node: 'c', ltime: 50, prune: true }), 100);
  assert.equal(status(h, 'c'), 'leaving');
  assert.equal(h.serf.nextDeadline(), 6100);
  h.serf.tick(6099);
  assert.equal(status(h, 'c'), 'leaving');
  h.serf.tick(6100);
  assert.equal(status(h, 'c'), undefined);
});

test('the reconnect loop asks memberlist to join a failed member', () => {
  const h = makeSerf('a', { reconnectIntervalMs: 1000 });
  h.serf.tick(0);
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.removeNode('b', 10);
  // 1 failed / 1 alive: probability 1.
  h.serf.tick(1000);
  assert.deepEqual(h.ml.joins.map((j) => j.seeds), [[{ addr: '10.0.0.2', port: 7946 }]]);
  // A reconnect join does not broadcast a join intent.
  h.ml.completeJoin(1, 1);
  h.serf.drainOutputs();
  assert.equal(h.ml.gossip().length, 0);
});

test('join broadcasts our join intent once memberlist contacted someone', () => {
  const h = makeSerf('a');
  const r = h.serf.join([{ addr: '10.0.0.9', port: 7946 }], false, 0);
  assert.ok(r.ok);
  assert.equal(h.ml.gossip().length, 0);
  h.ml.completeJoin(r.value, 1);
  const outs = h.serf.drainOutputs();
  assert.ok(outs.some((o) => o.kind === 'joined'));
  const sent = h.ml.gossip().map((m) => decodeSerfMessage(m));
  assert.equal(sent[0]?.type, 'join');

  const failed = h.serf.join([{ addr: '10.0.0.8', port: 7946 }], false, 1);
  assert.ok(failed.ok);
  h.ml.completeJoin(failed.value, 0, ['refused']);
  h.serf.drainOutputs();
  assert.equal(h.ml.gossip().filter((m) => decodeSerfMessage(m).type === 'join').length, 1, 'only the old one, re-sent');
});

test('push/pull merge: clocks, left members and status times', () => {
  const h = makeSerf('a');
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.addNode('c', '10.0.0.3', 7946, {}, 0);
  h.ml.removeNode('c', 1);
  const remote = encodeSerfMessage({
    type: 'pushPull',
    ltime: 50,
    statusLTimes: new Map([
      ['b', 40],
      ['c', 30],
    ]),
    leftMembers: ['c'],
    eventLTime: 20,
    events: [],
    queryLTime: 8,
  });
  h.serf.mergeRemoteState(remote, false, 2);
  const s = h.serf.stats();
  assert.equal(s.member_time, '50');
  assert.equal(s.event_time, '20');
  assert.equal(s.query_time, '8');
  assert.equal(status(h, 'c'), 'left', 'a failed member the remote saw leave');
  const pp = decodeSerfMessage(h.serf.localState(false));
  assert.ok(pp.type === 'pushPull');
  assert.equal(pp.statusLTimes.get('b'), 40);
  assert.equal(pp.statusLTimes.get('c'), 31);
});

test('the merge delegate sees memberlist nodes as members', () => {
  let seen: string[] = [];
  const h = makeSerf('a', {
    merge: (ms) => {
      seen = ms.map((m) => `${m.name}:${m.status}:${m.tags.dc ?? ''}`);
      return ms.some((m) => m.tags.dc !== 'dc1') ? 'Member is part of the wrong datacenter' : undefined;
    },
  });
  const node = { ...h.ml.localNode(), name: 'x', meta: new Uint8Array([0xff, 0x81, 0xa2, 0x64, 0x63, 0xa3, 0x64, 0x63, 0x32]) };
  assert.equal(h.serf.notifyMerge([node]), 'Member is part of the wrong datacenter');
  assert.deepEqual(seen, ['x:none:dc2']);
  assert.equal(h.serf.notifyAlive({ ...node, meta: new Uint8Array([0xff, 0x81, 0xa2, 0x64, 0x63, 0xa3, 0x64, 0x63, 0x31]) }), undefined);
});

test('setTags re-advertises meta through memberlist; oversized tags are refused', () => {
  const h = makeSerf('a', { tags: { role: 'x' } });
  assert.ok(h.serf.setTags({ role: 'y', dc: 'dc1' }, 5).ok);
  assert.equal(h.ml.metaUpdates, 1);
  const big = h.serf.setTags({ big: 'x'.repeat(600) }, 6);
  assert.deepEqual(big, { ok: false, error: 'Encoded length of tags exceeds limit of 512 bytes' });
});

test('config checks use serf texts', () => {
  assert.throws(() => makeSerf('a', { protocolVersion: 1 }), /Protocol version '1' too low. Must be in range: \[2, 5\]/);
  assert.throws(() => makeSerf('a', { protocolVersion: 6 }), /too high/);
  assert.throws(() => makeSerf('a', { userEventSizeLimit: 10_000 }), /user event size limit exceeds limit of 9216 bytes/);
});

test('snapshot state resumes clocks and rejoins through the remembered members', () => {
  const h = makeSerf('a', {
    previous: { clock: 100, eventClock: 7, queryClock: 3, alive: [{ name: 'b', addr: '10.0.0.2', port: 7946 }, { name: 'c', addr: '10.0.0.3', port: 7946 }] },
  });
  assert.equal(h.serf.stats().member_time, '101');
  assert.equal(h.serf.stats().event_time, '8');
  h.serf.tick(0);
  assert.deepEqual(h.ml.joins.map((j) => j.seeds[0]?.addr), ['10.0.0.2']);
  h.ml.completeJoin(1, 0);
  h.serf.drainOutputs();
  assert.deepEqual(h.ml.joins.map((j) => j.seeds[0]?.addr), ['10.0.0.2', '10.0.0.3']);
  h.ml.completeJoin(2, 1);
  h.serf.drainOutputs();
  assert.equal(h.ml.joins.length, 2);
  // An event at or before the snapshot's event clock was delivered before the restart.
  h.ml.delegate.notifyMsg(encodeSerfMessage({ type: 'userEvent', ltime: 7, name: 'old', payload: new Uint8Array(0), cc: false }), 1);
  h.ml.delegate.notifyMsg(encodeSerfMessage({ type: 'userEvent', ltime: 8, name: 'new', payload: new Uint8Array(0), cc: false }), 1);
  const users = h.events().filter((e) => e.kind === 'user');
  assert.deepEqual(users.map((e) => (e.kind === 'user' ? e.name : '')), ['new']);
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 2);
  const snap = h.serf.snapshotState();
  assert.equal(snap.eventClock, 8);
  assert.deepEqual(snap.alive, [{ name: 'b', addr: '10.0.0.2', port: 7946 }]);
  assert.equal(snap.clock, 100);
});
