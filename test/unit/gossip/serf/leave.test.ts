import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSerfMessage } from '../../../../src/core/gossip/serf/codec.js';
import { makeSerf } from './fake-memberlist.js';

test('graceful leave: intent out, then memberlist leave, then the propagate delay', () => {
  const h = makeSerf('a', { leavePropagateDelayMs: 1000, broadcastTimeoutMs: 5000 });
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.serf.tick(0);
  assert.deepEqual(h.serf.leave(100), { ok: true, value: undefined });
  assert.equal(h.serf.getState(), 'leaving');
  assert.equal(h.serf.localMember().status, 'leaving');
  assert.deepEqual(h.serf.leave(101), { ok: false, error: 'Leave already in progress' });
  assert.deepEqual(h.serf.join([{ addr: '10.0.0.2', port: 7946 }], false, 101), { ok: false, error: "Serf can't Join after Leave or Shutdown" });
  assert.equal(h.ml.leaveCalls, 0, 'memberlist leaves only once the intent is out');
  // 2 members: the intent goes out 4 times before it is retired.
  for (let i = 0; i < 4; i++) {
    const msgs = h.ml.gossip().map((m) => decodeSerfMessage(m));
    assert.equal(msgs[0]?.type, 'leave');
  }
  h.serf.tick(200);
  assert.equal(h.ml.leaveCalls, 1);
  h.ml.leaveIsSent = true;
  h.serf.tick(300);
  assert.equal(h.serf.leaveDone(), false);
  assert.equal(h.serf.nextDeadline(), 1300);
  h.serf.tick(1300);
  assert.equal(h.serf.leaveDone(), true);
  assert.deepEqual(h.events().filter((e) => e.kind === 'leaveDone'), [{ kind: 'leaveDone' }]);
  assert.deepEqual(h.serf.leave(1400), { ok: true, value: undefined });
});

test('alone, leave goes straight to memberlist; a stuck intent times out with serf text', () => {
  const alone = makeSerf('a', { leavePropagateDelayMs: 10 });
  alone.serf.tick(0);
  alone.ml.leaveIsSent = true;
  alone.serf.leave(5);
  assert.equal(alone.ml.leaveCalls, 1);
  alone.serf.tick(15);
  assert.equal(alone.serf.getState(), 'left');

  const stuck = makeSerf('a', { broadcastTimeoutMs: 5000 });
  stuck.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  stuck.serf.tick(0);
  stuck.serf.leave(0);
  stuck.serf.tick(5000);
  assert.deepEqual(stuck.events().filter((e) => e.kind === 'leaveDone'), [
    { kind: 'leaveDone', error: 'timeout while waiting for graceful leave' },
  ]);
  assert.equal(stuck.serf.getState(), 'leaving');
});

test('stats report serf keys', () => {
  const h = makeSerf('a');
  assert.deepEqual(Object.keys(h.serf.stats()).sort(), [
    'coordinate_resets', 'encrypted', 'event_queue', 'event_time', 'failed', 'health_score', 'intent_queue',
    'left', 'member_time', 'members', 'query_queue', 'query_time',
  ]);
  assert.equal(h.serf.stats().encrypted, 'false');
  assert.equal(h.serf.stats().members, '1');
});
