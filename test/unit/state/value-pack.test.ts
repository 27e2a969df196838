// KV values written by one transaction share one exact-size buffer (src/core/state/value-pack.ts):
// no per-value ArrayBuffer, and never a view into the Raft entry (the source) after commit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateStore } from '../../../src/core/state/store.js';
import { kvsClearSessionTxn, kvsGet, kvsSetTxn } from '../../../src/core/state/kvs.js';
import { PACK_MAX_BYTES } from '../../../src/core/state/value-pack.js';

/** One "Raft entry": the values are views into a single larger buffer, as msgpack decode gives them. */
function entryWith(values: string[]): { source: Uint8Array; views: Uint8Array[] } {
  const parts = values.map((v) => new TextEncoder().encode(v));
  const source = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + 100);
  const views: Uint8Array[] = [];
  let at = 50;
  for (const p of parts) {
    source.set(p, at);
    views.push(source.subarray(at, at + p.length));
    at += p.length;
  }
  return { source, views };
}

const text = (v: Uint8Array | undefined): string => new TextDecoder().decode(v);

test('small values of one txn share one exact-size buffer, detached from the source entry', () => {
  const s = new StateStore();
  const { source, views } = entryWith(['alpha', 'beta', 'gamma']);
  const txn = s.begin(7);
  ['a', 'b', 'c'].forEach((key, i) => kvsSetTxn(txn, { key, value: views[i] as Uint8Array, flags: 0 }));
  s.commit(txn);
  source.fill(0); // the Raft entry's memory is reused or freed: state must not see it
  const [a, b, c] = ['a', 'b', 'c'].map((k) => kvsGet(s, k).entry?.Value as Uint8Array);
  assert.deepEqual([text(a), text(b), text(c)], ['alpha', 'beta', 'gamma']);
  assert.notEqual(a?.buffer, source.buffer);
  assert.equal(a?.buffer, b?.buffer, 'one buffer per txn, not one per value');
  assert.equal(b?.buffer, c?.buffer);
  assert.equal(a?.buffer.byteLength, 'alphabetagamma'.length, 'exactly the live values, nothing else');
});

test('a value overwritten in the same txn is not kept; a session clear of a fresh entry is packed too', () => {
  const s = new StateStore();
  const { source, views } = entryWith(['first-version', 'x2', 'locked']);
  const txn = s.begin(3);
  kvsSetTxn(txn, { key: 'k', value: views[0] as Uint8Array, flags: 0 });
  kvsSetTxn(txn, { key: 'k', value: views[1] as Uint8Array, flags: 0 });
  kvsSetTxn(txn, { key: 'l', value: views[2] as Uint8Array, flags: 0 });
  kvsClearSessionTxn(txn, 'l'); // a new entry object spread from the uncommitted one
  s.commit(txn);
  source.fill(0);
  const k = kvsGet(s, 'k').entry?.Value as Uint8Array;
  const l = kvsGet(s, 'l').entry?.Value as Uint8Array;
  assert.equal(text(k), 'x2');
  assert.equal(text(l), 'locked');
  assert.equal(k.buffer, l.buffer);
  assert.equal(k.buffer.byteLength, 'x2locked'.length);
});

test('large and empty values are not packed; later txns never touch committed values', () => {
  const s = new StateStore();
  const big = 'B'.repeat(PACK_MAX_BYTES + 1);
  const { source, views } = entryWith([big, '', 'small']);
  const t1 = s.begin(1);
  kvsSetTxn(t1, { key: 'big', value: views[0] as Uint8Array, flags: 0 });
  kvsSetTxn(t1, { key: 'empty', value: views[1] as Uint8Array, flags: 0 });
  kvsSetTxn(t1, { key: 'small', value: views[2] as Uint8Array, flags: 0 });
  s.commit(t1);
  source.fill(0);
  const bigValue = kvsGet(s, 'big').entry?.Value as Uint8Array;
  assert.equal(text(bigValue), big);
  assert.equal(bigValue.buffer.byteLength, big.length, 'a large value gets its own copy');
  assert.equal(kvsGet(s, 'empty').entry?.Value.length, 0);
  const smallBefore = kvsGet(s, 'small').entry?.Value;
  assert.equal(smallBefore?.buffer.byteLength, 'small'.length);

  const next = entryWith(['other']);
  const t2 = s.begin(2);
  kvsSetTxn(t2, { key: 'other', value: next.views[0] as Uint8Array, flags: 0 });
  s.commit(t2);
  assert.equal(kvsGet(s, 'small').entry?.Value, smallBefore, 'an entry committed earlier is left as it was');
  assert.equal(text(kvsGet(s, 'other').entry?.Value), 'other');
});

test('through the FSM: a 64-op txn entry is packed, answers its values, and survives a snapshot', async () => {
  const { Fsm } = await import('../../../src/core/fsm/fsm.js');
  const { encodeCommand } = await import('../../../src/core/fsm/commands.js');
  const { kvsList } = await import('../../../src/core/state/kvs.js');
  const value = (i: number): Uint8Array => new TextEncoder().encode(`value-${i}-`.padEnd(100, 'v'));
  const ops = Array.from({ length: 64 }, (_, i) => ({ verb: 'set', key: `t/${String(i).padStart(2, '0')}`, value: value(i), flags: 0, index: 0, session: '' }));
  const entry = encodeCommand({ t: 'txn', v: 1, ops });
  const a = new Fsm(new StateStore());
  const res = a.apply(9, entry);
  assert.equal(res.t, 'txn');
  entry.fill(0); // the Raft entry's buffer: nothing in state may still view it
  const entries = kvsList(a.store, 't/').entries;
  assert.equal(entries.length, 64);
  entries.forEach((e, i) => assert.deepEqual(Buffer.from(e.Value), Buffer.from(value(i))));
  assert.equal(new Set(entries.map((e) => e.Value.buffer)).size, 1, 'one buffer for the txn');
  assert.equal(entries[0]?.Value.buffer.byteLength, 6400);
  const snap = a.snapshot();
  const b = new Fsm(new StateStore());
  b.restore(snap.data, snap.index);
  assert.deepEqual(
    kvsList(b.store, 't/').entries.map((e) => Buffer.from(e.Value).toString()),
    entries.map((e) => Buffer.from(e.Value).toString()),
  );
});
