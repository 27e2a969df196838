import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSerfMessage, encodeSerfMessage } from '../../../../src/core/gossip/serf/codec.js';
import type { UserEvent } from '../../../../src/core/gossip/serf/types.js';
import { bytes, makeSerf, text } from './fake-memberlist.js';

const users = (h: ReturnType<typeof makeSerf>): string[] =>
  h.events()
    .filter((e): e is UserEvent => e.kind === 'user')
    .map((e) => `${e.ltime}:${e.name}:${text(e.payload)}${e.coalesce ? ':cc' : ''}`);
const ev = (ltime: number, name: string, payload: string): Uint8Array =>
  encodeSerfMessage({ type: 'userEvent', ltime, name, payload: bytes(payload), cc: false });

test('a local user event is delivered locally, stamped with the event clock, and broadcast', () => {
  const h = makeSerf('a');
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  assert.deepEqual(h.serf.userEvent('deploy', bytes('v1'), true, 1), { ok: true, value: undefined });
  assert.deepEqual(users(h), ['1:deploy:v1:cc']);
  assert.equal(h.serf.stats().event_time, '2');
  const sent = h.ml.gossip().map((m) => decodeSerfMessage(m));
  assert.equal(sent.length, 1);
  assert.ok(sent[0]?.type === 'userEvent' && sent[0].name === 'deploy' && sent[0].ltime === 1);
  assert.equal(h.serf.stats().event_queue, '1');
});

test('received events are delivered once: duplicates by (LTime, name, payload) are dropped', () => {
  const h = makeSerf('a');
  h.ml.delegate.notifyMsg(ev(5, 'x', 'p'), 0);
  h.ml.delegate.notifyMsg(ev(5, 'x', 'p'), 0);
  h.ml.delegate.notifyMsg(ev(5, 'x', 'q'), 0); // same time, other payload: a different event
  h.ml.delegate.notifyMsg(ev(6, 'x', 'p'), 0); // other time: a different event
  assert.deepEqual(users(h), ['5:x:p', '5:x:q', '6:x:p']);
  assert.equal(h.ml.gossip().length, 3, 'only news is rebroadcast');
});

test('events older than the ring are dropped', () => {
  const h = makeSerf('a', { eventBuffer: 4 });
  h.ml.delegate.notifyMsg(ev(20, 'new', ''), 0);
  h.ml.delegate.notifyMsg(ev(16, 'edge', ''), 0); // clock 21: window is 17..
  h.ml.delegate.notifyMsg(ev(17, 'inside', ''), 0);
  assert.deepEqual(users(h), ['20:new:', '17:inside:']);
});

test('size limits use serf texts', () => {
  const h = makeSerf('a');
  const big = h.serf.userEvent('n', new Uint8Array(512), false, 0);
  assert.deepEqual(big, { ok: false, error: 'user event exceeds configured limit of 512 bytes before encoding' });
  const encodedTooBig = h.serf.userEvent('n', new Uint8Array(495), false, 0);
  assert.deepEqual(encodedTooBig, {
    ok: false,
    error: 'encoded user event exceeds configured limit of 512 bytes after encoding',
  });
  assert.equal(h.serf.stats().event_time, '1', 'refused events do not move the clock');
});

test('push/pull carries recent events so a joiner catches up, unless the join ignores old events', () => {
  const src = makeSerf('a');
  src.serf.userEvent('e1', bytes('1'), false, 0);
  src.serf.userEvent('e2', bytes('2'), false, 0);
  const state = src.serf.localState(true);

  const joiner = makeSerf('b');
  joiner.serf.mergeRemoteState(state, true, 0);
  assert.deepEqual(users(joiner), ['1:e1:1', '2:e2:2']);
  assert.equal(joiner.serf.stats().event_time, '3');

  const ignoring = makeSerf('c');
  const r = ignoring.serf.join([{ addr: '10.0.0.1', port: 7946 }], true, 0);
  assert.ok(r.ok);
  ignoring.serf.mergeRemoteState(state, true, 1);
  assert.deepEqual(users(ignoring), []);
  ignoring.ml.completeJoin(r.value, 1);
  ignoring.serf.drainOutputs();
  // Later events still arrive.
  ignoring.ml.delegate.notifyMsg(ev(3, 'e3', '3'), 2);
  assert.deepEqual(users(ignoring), ['3:e3:3']);
});
