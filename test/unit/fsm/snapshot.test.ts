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

test('coordinates: batches write only catalog nodes, survive a snapshot, and go with their node', async () => {
  const { listCoordinates } = await import('../../../src/core/state/coordinates.js');
  const a = new Fsm(new StateStore());
  const reg = (index: number, node: string) =>
    a.apply(index, encodeCommand({ t: 'register', v: 1, req: { ID: '', Node: node, Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: {}, NodeMeta: {}, Service: null, Checks: [], SkipNodeUpdate: false } }));
  reg(1, 'n1');
  reg(2, 'n2');
  const coord = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0.25], Error: 0.5, Adjustment: 0.0001, Height: 0.00001 });
  a.apply(3, encodeCommand({ t: 'coordinates', v: 1, updates: [{ Node: 'n1', Segment: '', Coord: coord(0.001) }, { Node: 'ghost', Segment: '', Coord: coord(1) }, { Node: 'n2', Segment: '', Coord: coord(0.002) }] }));
  assert.deepEqual(listCoordinates(a.store).map((c) => c.Node), ['n1', 'n2'], 'the update for a node the catalog lacks is dropped');
  assert.equal(a.store.maxIndex('coordinates'), 3);
  const snap = a.snapshot();
  const b = new Fsm(new StateStore());
  b.restore(snap.data, snap.index);
  assert.deepEqual(listCoordinates(b.store), listCoordinates(a.store));
  assert.ok(summarizeState(snap.data).some((s) => s.type === 'Coordinate' && s.count === 2));
  b.apply(4, encodeCommand({ t: 'deregister', v: 1, req: { Node: 'n1', ServiceID: '', CheckID: '' } }));
  assert.deepEqual(listCoordinates(b.store).map((c) => c.Node), ['n2'], 'deregistering a node deletes its coordinates');
  assert.equal(b.store.maxIndex('coordinates'), 4);
});
