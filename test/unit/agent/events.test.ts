// User events: validation, serf's size rule, filters on receipt, the ring, the Lamport clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_RING_SIZE, UserEvents } from '../../../src/core/agent/events.js';
import { HttpError } from '../../../src/core/errors.js';
import { Logger } from '../../../src/core/support/logger.js';

const quiet = new Logger({ write: () => undefined }, 'error');

function bus(services: { ID: string; Tags: string[] }[] = [], node = 'node-a'): UserEvents {
  return new UserEvents({ nodeName: () => node, localServices: () => services, logger: quiet });
}

const err500 = (message: string) => (e: unknown) => e instanceof HttpError && e.status === 500 && e.message === message;

test('fire stamps an ID, Version 1 and answers LTime 0; the kept copy has the Lamport time', () => {
  const b = bus();
  const e1 = b.fire({ name: 'deploy', payload: Buffer.from('v1') });
  assert.match(e1.ID, /^[0-9a-f-]{36}$/);
  assert.equal(e1.Version, 1);
  assert.equal(e1.LTime, 0);
  assert.equal(e1.Payload, Buffer.from('v1').toString('base64'));
  const e2 = b.fire({ name: 'deploy' });
  assert.equal(e2.Payload, null);
  assert.deepEqual(b.list().map((e) => [e.ID, e.LTime]), [[e1.ID, 1], [e2.ID, 2]]);
});

test('validation errors are Consul’s', () => {
  const b = bus();
  assert.throws(() => b.fire({ name: '' }), err500('User event missing name'));
  assert.throws(() => b.fire({ name: 'x', tagFilter: 'v1' }), err500('Cannot provide tag filter without service filter'));
  assert.throws(() => b.fire({ name: 'x', nodeFilter: '(' }), (e: unknown) => e instanceof HttpError && /^Invalid node filter: /.test(e.message));
});

test('name and payload must fit serf’s 512-byte user event message', () => {
  const b = bus();
  // "consul:event:test" + the msgpack event + serf's envelope: 407 payload bytes fit, 408 do not.
  b.fire({ name: 'test', payload: Buffer.alloc(407, 0x61) });
  assert.throws(() => b.fire({ name: 'test', payload: Buffer.alloc(408, 0x61) }), err500('encoded user event exceeds configured limit of 512 bytes after encoding'));
  assert.throws(() => b.fire({ name: 'test', payload: Buffer.alloc(600, 0x61) }), err500('user event exceeds configured limit of 512 bytes before encoding'));
  assert.throws(() => b.fire({ name: 'n'.repeat(500) }), /exceeds configured limit of 512 bytes/);
  assert.equal(b.list().length, 1);
});

test('filters are evaluated on receipt against the node name and local services', () => {
  const b = bus([{ ID: 'web', Tags: ['v1', 'blue'] }, { ID: 'db', Tags: [] }]);
  const kept = (p: Parameters<UserEvents['fire']>[0]): boolean => {
    const id = b.fire(p).ID;
    return b.list().some((e) => e.ID === id);
  };
  assert.ok(kept({ name: 'a', nodeFilter: '^node-' }));
  assert.ok(!kept({ name: 'a', nodeFilter: '^other$' }));
  assert.ok(kept({ name: 'a', serviceFilter: 'we' }));
  assert.ok(!kept({ name: 'a', serviceFilter: '^api$' }));
  assert.ok(kept({ name: 'a', serviceFilter: 'web', tagFilter: '^blue$' }));
  assert.ok(!kept({ name: 'a', serviceFilter: 'db', tagFilter: 'blue' }));
});

test('receive drops duplicates and witnesses remote Lamport times', () => {
  const b = bus();
  const base = { ID: 'c1a0f6de-0000-4000-8000-000000000001', Name: 'x', Payload: null, NodeFilter: '', ServiceFilter: '', TagFilter: '', Version: 1, LTime: 41 };
  assert.ok(b.receive(base));
  assert.ok(!b.receive(base));
  b.fire({ name: 'y' });
  assert.equal(b.list()[1]?.LTime, 42);
});

test('the ring keeps the last 256 events, oldest first, and wakes waiters', () => {
  const b = bus();
  let woken = 0;
  const cancel = b.onNextEvent(() => woken++);
  const ids: string[] = [];
  for (let i = 0; i < EVENT_RING_SIZE + 10; i++) ids.push(b.fire({ name: `e${i}` }).ID);
  assert.equal(woken, 1);
  cancel();
  const list = b.list();
  assert.equal(list.length, EVENT_RING_SIZE);
  assert.deepEqual(list.map((e) => e.ID), ids.slice(10));
});

test('_rexec events go to the remote exec hook once, filtered, and never into the ring', () => {
  const got: string[] = [];
  const b = new UserEvents({ nodeName: () => 'node-a', localServices: () => [], logger: quiet, onRemoteExec: (e) => got.push(e.ID) });
  const e = b.fire({ name: '_rexec', payload: Buffer.from('{}') });
  assert.equal(b.receive({ ...e, LTime: 5 }), false, 'a duplicate is dropped');
  b.fire({ name: '_rexec', nodeFilter: '^other$' });
  assert.deepEqual(got, [e.ID]);
  assert.deepEqual(b.list(), []);
});
