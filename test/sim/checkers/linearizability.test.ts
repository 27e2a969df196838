// Unit tests of the linearizability checker and the KV register model, on hand-made histories
// (the classic textbook cases) and on random histories built from a known linearization.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng, type SeededRng } from '../../../src/core/support/rng.js';
import { checkHistory, checkPartitioned, formatHistory, shrinkFailure } from './linearizability.js';
import { checkModifyIndexes, kvRegisterModel as model, type KvInput, type KvOp, type KvOutput, type KvValue } from './kv-register.js';

const OPEN = Number.POSITIVE_INFINITY;
let nextId = 100_000; // apart from the ids of randomHistory()

function op(client: string, call: number, ret: number, input: KvInput, output?: KvOutput): KvOp {
  return { id: nextId++, client, call, ret, input, ...(output === undefined ? {} : { output }) };
}
const get = (c: string, call: number, ret: number, value: KvValue, modifyIndex = 0): KvOp =>
  op(c, call, ret, { f: 'get' }, { f: 'get', value, modifyIndex });
const put = (c: string, call: number, ret: number, value: string): KvOp =>
  op(c, call, ret, { f: 'put', value }, ret === OPEN ? undefined : { f: 'ok' });
const del = (c: string, call: number, ret: number): KvOp => op(c, call, ret, { f: 'delete' }, ret === OPEN ? undefined : { f: 'ok' });
const cas = (c: string, call: number, ret: number, expect: KvValue, value: string, ok?: boolean): KvOp =>
  op(c, call, ret, { f: 'cas', expect, value }, ok === undefined ? undefined : { f: 'cas', ok });

const kind = (ops: KvOp[]): string => checkHistory(model, ops).kind;

test('sequential histories: correct reads pass, stale reads and invented values fail', () => {
  assert.equal(kind([]), 'ok');
  assert.equal(kind([get('a', 0, 1, null)]), 'ok');
  assert.equal(kind([put('a', 0, 1, 'x'), get('b', 2, 3, 'x')]), 'ok');
  assert.equal(kind([put('a', 0, 1, 'x'), get('b', 2, 3, null)]), 'illegal', 'stale read after a completed write');
  assert.equal(kind([get('a', 0, 1, 'x')]), 'illegal', 'a value nobody wrote');
  assert.equal(kind([put('a', 0, 1, 'x'), del('a', 2, 3), get('b', 4, 5, null)]), 'ok');
  assert.equal(kind([put('a', 0, 1, 'x'), del('a', 2, 3), get('b', 4, 5, 'x')]), 'illegal');
});

test('concurrent ops may take effect in either order, but reads never go back in time', () => {
  assert.equal(kind([put('a', 0, 10, 'x'), get('b', 5, 15, null)]), 'ok');
  assert.equal(kind([put('a', 0, 10, 'x'), get('b', 5, 15, 'x')]), 'ok');
  // Two overlapping writes, then reads that see them in both orders: impossible.
  const w = [put('a', 0, 10, 'x'), put('b', 1, 11, 'y')];
  assert.equal(kind([...w, get('c', 12, 13, 'x'), get('c', 14, 15, 'y')]), 'illegal');
  assert.equal(kind([...w, get('c', 12, 13, 'y'), get('d', 14, 15, 'y')]), 'ok');
  // Overlapping reads may disagree while the write is in flight, but not after one saw it.
  assert.equal(kind([put('a', 0, 100, 'x'), get('b', 10, 20, 'x'), get('c', 15, 25, null)]), 'ok');
  assert.equal(kind([put('a', 0, 100, 'x'), get('b', 10, 20, 'x'), get('c', 30, 40, null)]), 'illegal');
  // Equal times overlap (a call at the instant of another's return is concurrent with it).
  assert.equal(kind([put('a', 0, 10, 'x'), get('b', 10, 12, null)]), 'ok');
});

test('open ops may take effect at any point after their call, or never', () => {
  assert.equal(kind([put('a', 0, OPEN, 'x'), get('b', 5, 6, null), get('b', 7, 8, 'x')]), 'ok');
  assert.equal(kind([put('a', 0, OPEN, 'x'), get('b', 5, 6, null), get('b', 7, 8, null)]), 'ok', 'never took effect');
  assert.equal(kind([put('a', 0, OPEN, 'x'), get('b', 5, 6, 'x'), get('b', 7, 8, null)]), 'illegal', 'took effect, then undone');
  assert.equal(kind([get('b', 0, 1, 'x'), put('a', 2, OPEN, 'x')]), 'illegal', 'seen before it was invoked');
  assert.equal(kind([put('a', 0, 1, 'x'), cas('a', 2, OPEN, 'x', 'y'), get('b', 3, 4, 'y')]), 'ok');
  assert.equal(kind([put('a', 0, 1, 'z'), cas('a', 2, OPEN, 'x', 'y'), get('b', 3, 4, 'y')]), 'illegal', 'an open cas cannot swap on the wrong value');
});

test('cas swaps only on the expected value; failed cas is a read', () => {
  assert.equal(kind([put('a', 0, 1, 'x'), cas('b', 2, 3, 'x', 'y', true), get('c', 4, 5, 'y')]), 'ok');
  assert.equal(kind([put('a', 0, 1, 'x'), cas('b', 2, 3, 'x', 'y', true), cas('c', 4, 5, 'x', 'z', true)]), 'illegal');
  assert.equal(kind([put('a', 0, 1, 'x'), cas('b', 2, 5, 'x', 'y', true), cas('c', 3, 6, 'x', 'z', true)]), 'illegal', 'two concurrent swaps from one value');
  assert.equal(kind([put('a', 0, 1, 'x'), cas('b', 2, 5, 'x', 'y', true), cas('c', 3, 6, 'x', 'z', false)]), 'ok');
  assert.equal(kind([put('a', 0, 1, 'x'), cas('b', 2, 3, 'x', 'y', false)]), 'illegal', 'a cas that should have swapped');
  assert.equal(kind([cas('a', 0, 1, null, 'y', true), get('b', 2, 3, 'y')]), 'ok', 'cas index 0 = create if absent');
  assert.equal(kind([put('a', 0, 1, 'x'), cas('b', 2, 3, null, 'y', true)]), 'illegal');
});

test('keys are checked independently (P-compositionality)', () => {
  const ops = [
    { ...put('a', 0, 1, 'x'), note: 'k1' },
    { ...get('b', 2, 3, 'x'), note: 'k1' },
    { ...get('b', 2, 3, null), note: 'k2' },
    { ...put('a', 4, 5, 'y'), note: 'k2' },
    { ...get('c', 6, 7, null), note: 'k2' },
  ];
  const res = checkPartitioned(model, ops, (o) => o.note ?? '');
  assert.equal(res.get('k1')?.result.kind, 'ok');
  assert.equal(res.get('k2')?.result.kind, 'illegal');
  assert.equal(res.get('k2')?.ops.length, 3);
});

test('the step cap yields unknown, never ok', () => {
  const ops = [put('a', 0, 10, 'x'), put('b', 0, 10, 'y'), get('c', 11, 12, 'y')];
  assert.equal(checkHistory(model, ops, { maxSteps: 2 }).kind, 'unknown');
  assert.equal(checkHistory(model, ops).kind, 'ok');
});

/** A random history: ops with known linearization points inside random windows; outputs from the model. */
function randomHistory(rng: SeededRng, n: number, clients: number, openRate: number): KvOp[] {
  const ops: KvOp[] = [];
  let state: KvValue = null;
  const seen: KvValue[] = [null];
  const busyUntil = new Array<number>(clients).fill(0);
  for (let i = 0; i < n; i++) {
    const at = i * 10 + 5; // the linearization point
    const free = busyUntil.map((b, c) => (b < at ? c : -1)).filter((c) => c >= 0);
    if (free.length === 0) continue;
    const c = rng.pick(free);
    const call = Math.max((busyUntil[c] as number) + 1, at - rng.int(40));
    const open = rng.chance(openRate);
    const ret = at + rng.int(40);
    busyUntil[c] = ret; // an open op: the client gave up at `ret` and went on

    const r = rng.int(10);
    let input: KvInput;
    let output: KvOutput;
    if (r < 4) {
      input = { f: 'get' };
      output = { f: 'get', value: state, modifyIndex: 0 };
    } else if (r < 7) {
      input = { f: 'put', value: `v${i}` };
      output = { f: 'ok' };
      state = input.value;
    } else if (r < 8) {
      input = { f: 'delete' };
      output = { f: 'ok' };
      state = null;
    } else {
      const expect: KvValue = rng.chance(0.6) ? state : rng.pick(seen);
      input = { f: 'cas', expect, value: `v${i}` };
      output = { f: 'cas', ok: expect === state };
      if (expect === state) state = input.value;
    }
    seen.push(state);
    if (open && input.f === 'get') continue; // an unanswered read says nothing
    ops.push({ id: i, client: `c${c}`, call, ret: open ? OPEN : ret, input, ...(open ? {} : { output }) });
  }
  return ops;
}

test('random histories built from a real linearization pass; corrupting one read fails', () => {
  const rng = seededRng(7);
  for (let round = 0; round < 40; round++) {
    const ops = randomHistory(rng, 120, rng.range(2, 6), rng.pick([0, 0.05, 0.15]));
    const res = checkHistory(model, ops);
    assert.equal(res.kind, 'ok', `round ${round}:\n${formatHistory(model, ops)}`);
    const reads = ops.map((o, i) => [o, i] as const).filter(([o]) => o.output?.f === 'get');
    if (reads.length === 0) continue;
    const [victim, at] = rng.pick(reads);
    const bad = [...ops];
    bad[at] = { ...victim, output: { f: 'get', value: 'never-written', modifyIndex: 0 } };
    assert.equal(checkHistory(model, bad).kind, 'illegal', `round ${round}`);
  }
});

test('a large history with many open writes is decided quickly', () => {
  const rng = seededRng(99);
  const ops = randomHistory(rng, 600, 6, 0.08);
  const t0 = performance.now();
  const res = checkHistory(model, ops);
  assert.equal(res.kind, 'ok');
  assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms, ${res.steps} steps`);
});

test('a failure shrinks to the few ops that explain it', () => {
  const rng = seededRng(3);
  const ops = randomHistory(rng, 200, 4, 0.05);
  // Plant a stale read: after the last completed write, a read returns the value before it.
  const writes = ops.filter((o) => o.input.f === 'put' && o.output !== undefined);
  const w = writes[writes.length - 1] as KvOp;
  const later = Math.max(...ops.filter((o) => o.ret !== OPEN).map((o) => o.ret)) + 10;
  const stale = get('z', later, later + 1, 'v-before');
  const planted = [put('p', -20, -10, 'v-before'), ...ops, stale];
  assert.equal(checkHistory(model, planted).kind, 'illegal');
  const small = shrinkFailure(model, planted);
  assert.equal(checkHistory(model, small).kind, 'illegal');
  assert.ok(small.length <= 3, `shrunk to ${small.length}:\n${formatHistory(model, small)}`);
  assert.ok(small.some((o) => o.id === stale.id), 'the stale read is part of the witness');
  assert.ok(w !== undefined);
});

test('modify indexes: one value, one index; a known write fixes it', () => {
  const ok = [get('a', 0, 1, 'x', 5), get('b', 2, 3, 'x', 5), get('b', 4, 5, null, 0)];
  assert.equal(checkModifyIndexes('k', ok, [{ value: 'x', index: 5 }]), undefined);
  assert.match(checkModifyIndexes('k', ok, [{ value: 'x', index: 6 }]) ?? '', /@5, but its write says @6/);
  assert.match(checkModifyIndexes('k', [...ok, get('c', 6, 7, 'x', 9)], []) ?? '', /@9/);
});
