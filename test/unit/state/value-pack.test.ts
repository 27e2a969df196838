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
