import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StateStore } from '../../../src/core/state/store.js';
import { txnKvsDispatch, type TxnKvOp } from '../../../src/core/state/txn.js';
import { kvsGet } from '../../../src/core/state/kvs.js';

const op = (verb: string, key: string, extra: Partial<TxnKvOp> = {}): TxnKvOp => ({
  verb,
  key,
  value: new TextEncoder().encode('v'),
  flags: 0,
  index: 0,
  session: '',
  ...extra,
});

test('a failing op rolls back the whole transaction with Consul error texts', () => {
  const s = new StateStore();
  const txn = s.begin(1);
  const out = txnKvsDispatch(txn, [op('set', 'a'), op('cas', 'b', { index: 7 }), op('get', 'zz'), op('check-not-exists', 'a')]);
  assert.equal(out.results, null);
  assert.deepEqual(out.errors, [
    { OpIndex: 1, What: 'failed to set key "b", index is stale' },
    { OpIndex: 2, What: `key "zz" doesn't exist` },
    { OpIndex: 3, What: 'key "a" exists' },
  ]);
  assert.equal(kvsGet(s, 'a').entry, undefined, 'nothing committed');
});

test('check-index and delete-cas messages', () => {
  const s = new StateStore();
  let txn = s.begin(1);
  txnKvsDispatch(txn, [op('set', 'a')]);
  s.commit(txn);
  txn = s.begin(2);
  const out = txnKvsDispatch(txn, [op('check-index', 'a', { index: 5 }), op('delete-cas', 'a', { index: 9 }), op('nonsense', 'a')]);
  assert.deepEqual(
    out.errors?.map((e) => e.What),
    ['current modify index 1 != 5', 'failed to delete key "a", index is stale', 'unknown KV verb "nonsense"'],
  );
});
