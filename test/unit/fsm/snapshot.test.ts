import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { encodeCommand } from '../../../src/core/fsm/commands.js';
import { StateStore } from '../../../src/core/state/store.js';
import { kvsGet, kvsList } from '../../../src/core/state/kvs.js';
import { summarizeState } from '../../../src/core/snapshot/index.js';

function kvs(index: number, fsm: Fsm, key: string, value: string, op: 'set' | 'delete' = 'set') {
  return fsm.apply(index, encodeCommand({ t: 'kvs', v: 1, req: { op, key, value: new TextEncoder().encode(value), flags: 7, session: '', index: 0 } }));
}

test('a snapshot restores the same state, indexes and tombstones', () => {
  const a = new Fsm(new StateStore());
  kvs(1, a, 'x/1', 'one');
  kvs(2, a, 'x/2', 'two');
  kvs(3, a, 'x/2', '', 'delete');
  a.apply(4, encodeCommand({ t: 'register', v: 1, req: { ID: '', Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: {}, NodeMeta: {}, Service: null, Checks: [], SkipNodeUpdate: false } }));
  const snap = a.snapshot();
  assert.equal(snap.index, 4);
  const b = new Fsm(new StateStore());
  b.restore(snap.data, snap.index);
  assert.deepEqual(kvsList(b.store, '').entries, kvsList(a.store, '').entries);
  assert.equal(kvsList(b.store, 'x/').index, 3, 'the tombstone came along');
  assert.equal(kvsGet(b.store, 'x/1').entry?.Flags, 7);
  assert.equal(b.store.tables.nodes.get('n1')?.Address, '10.0.0.1');
  const summary = summarizeState(snap.data);
  assert.deepEqual(summary.map((s) => s.type).sort(), ['Index', 'KVS', 'Register', 'Tombstone']);
  assert.equal(summary.find((s) => s.type === 'KVS')?.count, 1);
});

test('apply answers typed results; unknown commands are refused', () => {
  const f = new Fsm(new StateStore());
  assert.deepEqual(kvs(1, f, 'k', 'v'), { t: 'bool', value: true });
  assert.throws(() => f.apply(2, new Uint8Array([0x81, 0xa1, 0x74, 0xa1, 0x3f])), /unknown FSM command/);
});
