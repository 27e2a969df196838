// Sessions in the state store and the FSM: create validation, destroy, invalidation by checks and
// nodes, lock/unlock, release vs delete behavior, lock-delay notes, snapshot round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StateStore, type LockDelayNote, type WriteTxn } from '../../../src/core/state/store.js';
import { ensureRegistrationTxn, deregisterTxn } from '../../../src/core/state/catalog.js';
import { kvsGet, kvsLockTxn, kvsSetTxn, kvsUnlockTxn } from '../../../src/core/state/kvs.js';
import { nodeSessions, sessionCreateTxn, sessionDestroyTxn, sessionGet, sessionList } from '../../../src/core/state/sessions.js';
import { StateError } from '../../../src/core/state/errors.js';
import { txnKvsDispatch } from '../../../src/core/state/txn.js';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { encodeCommand } from '../../../src/core/fsm/commands.js';
import { summarizeState } from '../../../src/core/snapshot/index.js';
import type { HealthStatus, RegisterRequest } from '../../../src/core/structs/catalog.js';
import type { SessionInput } from '../../../src/core/structs/session.js';

const enc = (s: string) => new TextEncoder().encode(s);

function write(store: StateStore, index: number, fn: (txn: WriteTxn) => void): void {
  const txn = store.begin(index);
  fn(txn);
  store.commit(txn);
}

function node(name: string, checkStatus: HealthStatus = 'passing', checkId = 'serfHealth'): RegisterRequest {
  const check = { Node: name, CheckID: checkId, Name: checkId, Status: checkStatus, Notes: '', Output: '', ServiceID: '', ServiceName: '', ServiceTags: [], Type: '', Interval: '', Timeout: '', ExposedPort: 0, Definition: {} };
  return { ID: '', Node: name, Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: {}, NodeMeta: {}, Service: null, Checks: [check], SkipNodeUpdate: false };
}

function session(id: string, over: Partial<SessionInput> = {}): SessionInput {
  return { ID: id, Name: '', Node: 'n1', LockDelay: 15e9, Behavior: 'release', TTL: '', NodeChecks: ['serfHealth'], ServiceChecks: null, Checks: null, ...over };
}

function setup(): StateStore {
  const s = new StateStore();
  write(s, 1, (t) => ensureRegistrationTxn(t, node('n1')));
  return s;
}

test('create validates node, checks and behavior with Consul texts', () => {
  const s = setup();
  const fail = (input: SessionInput, msg: string) =>
    assert.throws(() => write(s, 2, (t) => sessionCreateTxn(t, input)), (e: unknown) => e instanceof StateError && e.message === msg);
  fail(session('a', { Node: 'nope' }), 'Missing node registration');
  fail(session('a', { NodeChecks: ['zz'] }), "Missing check 'zz' registration");
  fail(session('a', { Behavior: 'bogus' as 'release' }), 'Invalid session behavior: bogus');
  write(s, 3, (t) => ensureRegistrationTxn(t, node('n1', 'critical', 'bad')));
  fail(session('a', { ServiceChecks: [{ ID: 'bad', Namespace: '' }] }), "Check 'bad' is in critical state");
  assert.equal(sessionList(s).length, 0, 'a failed create writes nothing');
  write(s, 4, (t) => sessionCreateTxn(t, session('a')));
  assert.equal(sessionGet(s, 'a')?.CreateIndex, 4);
  assert.deepEqual(nodeSessions(s, 'n1').map((x) => x.ID), ['a']);
  assert.equal(s.maxIndex('sessions'), 4);
});

test('lock and unlock: LockIndex counts acquisitions, another session is refused, unknown sessions error', () => {
  const s = setup();
  write(s, 2, (t) => sessionCreateTxn(t, session('a')));
  write(s, 3, (t) => sessionCreateTxn(t, session('b')));
  const lock = (idx: number, sess: string, op = kvsLockTxn) => {
    let ok = false;
    write(s, idx, (t) => (ok = op(t, { key: 'k', value: enc(sess), flags: 0, session: sess })));
    return ok;
  };
  assert.equal(lock(4, 'a'), true);
  assert.equal(kvsGet(s, 'k').entry?.LockIndex, 1);
  assert.equal(lock(5, 'a'), true, 're-acquiring a held lock succeeds');
  assert.equal(kvsGet(s, 'k').entry?.LockIndex, 1, '...and keeps LockIndex');
  assert.equal(lock(6, 'b'), false);
  assert.equal(lock(7, 'b', kvsUnlockTxn), false, 'only the holder may release');
  assert.equal(lock(8, 'a', kvsUnlockTxn), true);
  assert.equal(kvsGet(s, 'k').entry?.Session, '');
  assert.equal(lock(9, 'b'), true);
  assert.equal(kvsGet(s, 'k').entry?.LockIndex, 2);
  assert.throws(() => lock(10, 'zzz'), /invalid session "zzz"/);
  assert.throws(() => lock(10, ''), /missing session/);
  // A plain set keeps the lock holder (Consul: kvsSetTxn without updateSession).
  write(s, 11, (t) => kvsSetTxn(t, { key: 'k', value: enc('v'), flags: 0 }));
  assert.equal(kvsGet(s, 'k').entry?.Session, 'b');
});

test('destroy releases (release) or deletes (delete) held keys and reports lock-delays', () => {
  const s = setup();
  const notes: LockDelayNote[] = [];
  s.onLockDelay((n) => notes.push(...n));
  write(s, 2, (t) => sessionCreateTxn(t, session('rel', { LockDelay: 90e9 })));
  write(s, 3, (t) => sessionCreateTxn(t, session('del', { Behavior: 'delete', LockDelay: 0 })));
  write(s, 4, (t) => kvsLockTxn(t, { key: 'r', value: enc('1'), flags: 0, session: 'rel' }));
  write(s, 5, (t) => kvsLockTxn(t, { key: 'd', value: enc('1'), flags: 0, session: 'del' }));
  write(s, 6, (t) => assert.equal(sessionDestroyTxn(t, 'rel'), true));
  const r = kvsGet(s, 'r').entry;
  assert.equal(r?.Session, '');
  assert.equal(r?.LockIndex, 1, 'LockIndex is kept');
  assert.equal(r?.ModifyIndex, 6);
  assert.deepEqual(notes, [{ key: 'r', delayNs: 60e9 }], 'the delay is capped at MaxLockDelay');
  write(s, 7, (t) => sessionDestroyTxn(t, 'del'));
  assert.equal(kvsGet(s, 'd').entry, undefined);
  assert.equal(notes.length, 1, 'a zero lock-delay reports nothing');
  write(s, 8, (t) => assert.equal(sessionDestroyTxn(t, 'del'), false, 'unknown session: no-op'));
  assert.equal(sessionList(s).length, 0);
});

test('a linked check going critical, a check or a node deregistered: sessions are invalidated in the same txn', () => {
  const s = setup();
  write(s, 2, (t) => ensureRegistrationTxn(t, node('n1', 'passing', 'app')));
  write(s, 3, (t) => sessionCreateTxn(t, session('a', { NodeChecks: ['app'] })));
  write(s, 4, (t) => sessionCreateTxn(t, session('b')));
  write(s, 5, (t) => sessionCreateTxn(t, session('c', { NodeChecks: [] })));
  write(s, 6, (t) => kvsLockTxn(t, { key: 'ka', value: enc(''), flags: 0, session: 'a' }));
  write(s, 7, (t) => ensureRegistrationTxn(t, node('n1', 'warning', 'app')));
  assert.ok(sessionGet(s, 'a'), 'warning does not invalidate');
  write(s, 8, (t) => ensureRegistrationTxn(t, node('n1', 'critical', 'app')));
  assert.equal(sessionGet(s, 'a'), undefined);
  assert.equal(kvsGet(s, 'ka').entry?.Session, '');
  assert.equal(kvsGet(s, 'ka').entry?.ModifyIndex, 8);
  write(s, 9, (t) => deregisterTxn(t, { Node: 'n1', ServiceID: '', CheckID: 'serfHealth' }));
  assert.equal(sessionGet(s, 'b'), undefined);
  assert.ok(sessionGet(s, 'c'), 'a session without checks survives check changes');
  write(s, 10, (t) => deregisterTxn(t, { Node: 'n1', ServiceID: '', CheckID: '' }));
  assert.equal(sessionGet(s, 'c'), undefined, 'node deregistration invalidates all its sessions');
});

test('txn lock/unlock/check-session use Consul texts and roll back together', () => {
  const s = setup();
  write(s, 2, (t) => sessionCreateTxn(t, session('a')));
  const op = (verb: string, key: string, sess: string) => ({ verb, key, value: enc(''), flags: 0, index: 0, session: sess });
  const txn = s.begin(3);
  const out = txnKvsDispatch(txn, [op('lock', 'x', 'a'), op('check-session', 'x', 'a'), op('unlock', 'y', 'a'), op('check-session', 'nope', 'a'), op('lock', 'z', 'q')]);
  assert.deepEqual(out.errors?.map((e) => e.What), [
    `failed to unlock key "y", lock isn't held, or is held by another session`,
    `failed to check session, key "nope" doesn't exist`,
    'invalid session "q"',
  ]);
});

test('FSM: session commands, errors as results, snapshot round trip with the Session record', () => {
  const fsm = new Fsm(new StateStore());
  fsm.apply(1, encodeCommand({ t: 'register', v: 1, req: node('n1') }));
  const bad = fsm.applyCommand(2, { t: 'session', v: 1, op: 'create', session: session('x', { Node: 'zz' }) });
  assert.deepEqual(bad, { t: 'error', message: 'Missing node registration' });
  fsm.apply(3, encodeCommand({ t: 'session', v: 1, op: 'create', session: session('s1', { TTL: '15s' }) }));
  const lock = fsm.apply(4, encodeCommand({ t: 'kvs', v: 1, req: { op: 'lock', key: 'k', value: enc('v'), flags: '3304740253564472344', session: 's1', index: 0 } }));
  assert.deepEqual(lock, { t: 'bool', value: true });
  assert.deepEqual(fsm.apply(5, encodeCommand({ t: 'kvs', v: 1, req: { op: 'lock', key: 'k2', value: enc(''), flags: 0, session: 'nope', index: 0 } })), {
    t: 'error',
    message: 'invalid session "nope"',
  });
  const snap = fsm.snapshot();
  const b = new Fsm(new StateStore());
  b.restore(snap.data, snap.index);
  assert.deepEqual(sessionGet(b.store, 's1'), sessionGet(fsm.store, 's1'));
  assert.equal(kvsGet(b.store, 'k').entry?.Flags, '3304740253564472344', 'a uint64 flag survives exactly');
  assert.ok(summarizeState(snap.data).some((r) => r.type === 'Session'));
  // The restored indexes work: destroying releases the key on the restored replica too.
  b.apply(6, encodeCommand({ t: 'session', v: 1, op: 'destroy', id: 's1' }));
  assert.equal(kvsGet(b.store, 'k').entry?.Session, '');
  assert.equal(b.store.maxIndex('sessions'), 6);
});

test('model: random lock/unlock/destroy sequences keep kv Session fields and the session index consistent', () => {
  const sessions = ['a', 'b', 'c'];
  const keys = ['k1', 'k2', 'k3'];
  const cmd = fc.oneof(
    fc.record({ t: fc.constant('lock' as const), s: fc.constantFrom(...sessions), k: fc.constantFrom(...keys) }),
    fc.record({ t: fc.constant('unlock' as const), s: fc.constantFrom(...sessions), k: fc.constantFrom(...keys) }),
    fc.record({ t: fc.constant('destroy' as const), s: fc.constantFrom(...sessions), k: fc.constant('') }),
    fc.record({ t: fc.constant('create' as const), s: fc.constantFrom(...sessions), k: fc.constant('') }),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 40 }), (cmds) => {
      const s = setup();
      const holder = new Map<string, string>();
      const live = new Set<string>();
      let idx = 2;
      for (const c of cmds) {
        const txn = s.begin(idx++);
        try {
          if (c.t === 'create') {
            if (!live.has(c.s)) sessionCreateTxn(txn, session(c.s));
            live.add(c.s);
          } else if (c.t === 'destroy') {
            sessionDestroyTxn(txn, c.s);
            live.delete(c.s);
            for (const [k, h] of holder) if (h === c.s) holder.delete(k);
          } else if (c.t === 'lock') {
            const ok = kvsLockTxn(txn, { key: c.k, value: enc(''), flags: 0, session: c.s });
            assert.equal(ok, !holder.has(c.k) || holder.get(c.k) === c.s);
            if (ok) holder.set(c.k, c.s);
          } else {
            const ok = kvsUnlockTxn(txn, { key: c.k, value: enc(''), flags: 0, session: c.s });
            assert.equal(ok, holder.get(c.k) === c.s);
            if (ok) holder.delete(c.k);
          }
        } catch (err) {
          assert.ok(err instanceof StateError && c.t === 'lock' && !live.has(c.s));
          continue;
        }
        s.commit(txn);
      }
      for (const k of keys) assert.equal(kvsGet(s, k).entry?.Session ?? '', holder.get(k) ?? '');
      assert.equal(s.tables.kvsBySession.size, holder.size);
    }),
    { numRuns: 200 },
  );
});
