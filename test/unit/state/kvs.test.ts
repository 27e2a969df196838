import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StateStore } from '../../../src/core/state/store.js';
import {
  kvsDeleteCasTxn,
  kvsDeleteTreeTxn,
  kvsDeleteTxn,
  kvsGet,
  kvsList,
  kvsListKeys,
  kvsSetCasTxn,
  kvsSetTxn,
} from '../../../src/core/state/kvs.js';

const enc = (s: string) => new TextEncoder().encode(s);

function write(store: StateStore, index: number, fn: (txn: ReturnType<StateStore['begin']>) => void): void {
  const txn = store.begin(index);
  fn(txn);
  store.commit(txn);
}

test('set keeps CreateIndex and moves ModifyIndex; get reports the entry index', () => {
  const s = new StateStore();
  write(s, 5, (t) => kvsSetTxn(t, { key: 'a', value: enc('1'), flags: 0 }));
  write(s, 9, (t) => kvsSetTxn(t, { key: 'a', value: enc('2'), flags: 3 }));
  write(s, 12, (t) => kvsSetTxn(t, { key: 'b', value: enc('x'), flags: 0 }));
  const g = kvsGet(s, 'a');
  assert.equal(g.entry?.CreateIndex, 5);
  assert.equal(g.entry?.ModifyIndex, 9);
  assert.equal(g.entry?.Flags, 3);
  assert.equal(g.index, 9, 'a found key reports its own ModifyIndex');
  assert.equal(kvsGet(s, 'missing').index, 12, 'a missing key reports the table index');
});

test('deletes leave tombstones so a prefix index moves forward', () => {
  const s = new StateStore();
  write(s, 3, (t) => kvsSetTxn(t, { key: 'p/a', value: enc('1'), flags: 0 }));
  write(s, 4, (t) => kvsSetTxn(t, { key: 'p/b', value: enc('1'), flags: 0 }));
  write(s, 7, (t) => kvsSetTxn(t, { key: 'q/z', value: enc('1'), flags: 0 }));
  assert.equal(kvsList(s, 'p/').index, 4);
  write(s, 8, (t) => kvsDeleteTxn(t, 'p/b'));
  assert.equal(kvsList(s, 'p/').index, 8);
  assert.equal(kvsList(s, 'p/').entries.length, 1);
  write(s, 10, (t) => kvsDeleteTreeTxn(t, 'p/'));
  assert.equal(kvsList(s, 'p/').index, 10);
  assert.equal(kvsList(s, 'p/').entries.length, 0);
});

test('CAS semantics: 0 creates only, otherwise ModifyIndex must match; delete-cas of a missing key succeeds', () => {
  const s = new StateStore();
  let ok = false;
  write(s, 2, (t) => (ok = kvsSetCasTxn(t, { key: 'k', value: enc('1'), flags: 0 }, 0)));
  assert.ok(ok);
  write(s, 3, (t) => (ok = kvsSetCasTxn(t, { key: 'k', value: enc('2'), flags: 0 }, 0)));
  assert.ok(!ok);
  write(s, 4, (t) => (ok = kvsSetCasTxn(t, { key: 'k', value: enc('3'), flags: 0 }, 2)));
  assert.ok(ok);
  write(s, 5, (t) => (ok = kvsDeleteCasTxn(t, 'k', 2)));
  assert.ok(!ok);
  write(s, 6, (t) => (ok = kvsDeleteCasTxn(t, 'nope', 42)));
  assert.ok(ok);
});

test('keys roll up at the first separator after the prefix', () => {
  const s = new StateStore();
  for (const [i, k] of ['app/a', 'app/b', 'app/sub/c', 'app/sub/d', 'apple'].entries()) {
    write(s, i + 1, (t) => kvsSetTxn(t, { key: k, value: enc('v'), flags: 0 }));
  }
  assert.deepEqual(kvsListKeys(s, 'app/', '/').keys, ['app/a', 'app/b', 'app/sub/']);
  assert.deepEqual(kvsListKeys(s, 'app', '/').keys, ['app/', 'apple']);
  assert.deepEqual(kvsListKeys(s, '', '').keys.length, 5);
});

test('watches fire for the key, its prefixes and the table; not for unrelated keys', () => {
  const s = new StateStore();
  const fired: string[] = [];
  s.watches.watchKey('a/b', () => fired.push('key'));
  s.watches.watchPrefix('a/', () => fired.push('prefix'));
  s.watches.watchPrefix('z/', () => fired.push('other'));
  s.watches.watchTable('kvs', () => fired.push('table'));
  write(s, 1, (t) => kvsSetTxn(t, { key: 'a/b', value: enc('1'), flags: 0 }));
  assert.deepEqual(fired.sort(), ['key', 'prefix', 'table']);
  write(s, 2, (t) => kvsSetTxn(t, { key: 'a/b', value: enc('1'), flags: 0 }));
  assert.equal(fired.length, 3, 'watches are one-shot');
});

test('an uncommitted transaction changes nothing (rollback is dropping it)', () => {
  const s = new StateStore();
  write(s, 1, (t) => kvsSetTxn(t, { key: 'a', value: enc('1'), flags: 0 }));
  const txn = s.begin(2);
  kvsSetTxn(txn, { key: 'a', value: enc('2'), flags: 0 });
  kvsDeleteTxn(txn, 'a');
  assert.equal(new TextDecoder().decode(kvsGet(s, 'a').entry?.Value), '1');
});

// Model-based: random sequences of KV commands against a plain Map.
test('the KV table behaves like a Map under random commands', () => {
  const key = fc.constantFrom('a', 'a/b', 'a/c', 'b', 'b/x/y', 'c');
  const cmd = fc.oneof(
    fc.record({ op: fc.constant('set' as const), key, value: fc.string({ maxLength: 4 }) }),
    fc.record({ op: fc.constant('delete' as const), key }),
    fc.record({ op: fc.constant('cas' as const), key, value: fc.string({ maxLength: 4 }), stale: fc.boolean() }),
    fc.record({ op: fc.constant('tree' as const), prefix: fc.constantFrom('', 'a', 'a/', 'b/') }),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
      const s = new StateStore();
      const model = new Map<string, { value: string; modify: number; create: number }>();
      let index = 0;
      for (const c of cmds) {
        index++;
        const txn = s.begin(index);
        if (c.op === 'set') {
          kvsSetTxn(txn, { key: c.key, value: enc(c.value), flags: 0 });
          const old = model.get(c.key);
          model.set(c.key, { value: c.value, modify: index, create: old?.create ?? index });
        } else if (c.op === 'delete') {
          kvsDeleteTxn(txn, c.key);
          model.delete(c.key);
        } else if (c.op === 'cas') {
          const cur = model.get(c.key);
          const casIndex = cur ? (c.stale ? cur.modify + 1 : cur.modify) : c.stale ? 1 : 0;
          const ok = kvsSetCasTxn(txn, { key: c.key, value: enc(c.value), flags: 0 }, casIndex);
          const expect = cur ? casIndex === cur.modify : casIndex === 0;
          assert.equal(ok, expect);
          if (ok) model.set(c.key, { value: c.value, modify: index, create: cur?.create ?? index });
        } else {
          kvsDeleteTreeTxn(txn, c.prefix);
          for (const k of [...model.keys()]) if (k.startsWith(c.prefix)) model.delete(k);
        }
        s.commit(txn);
      }
      const listed = kvsList(s, '').entries;
      assert.deepEqual(listed.map((e) => e.Key), [...model.keys()].sort());
      for (const e of listed) {
        const m = model.get(e.Key);
        assert.equal(new TextDecoder().decode(e.Value), m?.value);
        assert.equal(e.ModifyIndex, m?.modify);
        assert.equal(e.CreateIndex, m?.create);
      }
    }),
    { numRuns: 200 },
  );
});

test('hand-written KV JSON is byte-for-byte JSON.stringify (compact) and Go MarshalIndent (pretty)', async () => {
  const { dirEntriesJsonText, dirEntryJson } = await import('../../../src/core/http/encode.js');
  const entries = [
    { Key: 'a "quoted"\\key\n', Value: enc('x'), Flags: 42, LockIndex: 1, Session: '', CreateIndex: 3, ModifyIndex: 4 },
    { Key: 'ünï/cødé', Value: new Uint8Array(0), Flags: 0, LockIndex: 0, Session: 'sess-1', CreateIndex: 5, ModifyIndex: 9 },
  ];
  for (const list of [entries, [entries[0]!], []]) {
    assert.equal(dirEntriesJsonText(list, false), JSON.stringify(list.map(dirEntryJson)));
    assert.equal(dirEntriesJsonText(list, true), JSON.stringify(list.map(dirEntryJson), null, 4) + '\n');
  }
});
