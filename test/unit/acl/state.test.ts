// ACL tables through the FSM: bootstrap once (and the reset index), unique names, the secret
// index, links stored by ID, and a snapshot round trip that keeps all of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { encodeCommand, type FsmCommand } from '../../../src/core/fsm/commands.js';
import { StateStore } from '../../../src/core/state/store.js';
import {
  aclCanBootstrap,
  aclPolicyGetByName,
  aclRoleGetByName,
  aclTokenGetByAccessor,
  aclTokenGetBySecret,
  aclTokenList,
  BOOTSTRAP_NOT_ALLOWED,
} from '../../../src/core/state/acl.js';
import type { AclPolicyInput, AclTokenInput } from '../../../src/core/structs/acl.js';
import { summarizeState } from '../../../src/core/snapshot/index.js';

const token = (accessor: string, secret: string, policies: string[] = []): AclTokenInput => ({
  AccessorID: accessor,
  SecretID: secret,
  Description: `token ${accessor}`,
  Policies: policies.map((ID) => ({ ID, Name: 'ignored' })),
  Roles: [],
  ServiceIdentities: [],
  NodeIdentities: [],
  Local: false,
  CreateTime: '2026-01-01T00:00:00Z',
  Hash: 'h',
});
const policy = (id: string, name: string): AclPolicyInput => ({ ID: id, Name: name, Description: '', Rules: 'key_prefix "" { policy = "read" }', Hash: 'h' });

function apply(fsm: Fsm, index: number, cmd: FsmCommand) {
  return fsm.apply(index, encodeCommand(cmd));
}

test('bootstrap works once; the reset index (the bootstrap Raft index) reopens it once', () => {
  const fsm = new Fsm(new StateStore());
  assert.deepEqual(aclCanBootstrap(fsm.store), { allowed: true, resetIndex: 0 });
  assert.equal(apply(fsm, 5, { t: 'acl-bootstrap', v: 1, token: token('a1', 's1'), resetIndex: 0 }).t, 'none');
  assert.deepEqual(aclCanBootstrap(fsm.store), { allowed: false, resetIndex: 5 });
  const again = apply(fsm, 6, { t: 'acl-bootstrap', v: 1, token: token('a2', 's2'), resetIndex: 0 });
  assert.deepEqual(again, { t: 'error', message: BOOTSTRAP_NOT_ALLOWED });
  const wrong = apply(fsm, 7, { t: 'acl-bootstrap', v: 1, token: token('a2', 's2'), resetIndex: 4 });
  assert.deepEqual(wrong, { t: 'error', message: 'Invalid bootstrap reset index (specified 4, reset index: 5)' });
  assert.equal(aclTokenGetByAccessor(fsm.store, 'a2'), undefined, 'refused bootstraps store nothing');
  assert.equal(apply(fsm, 8, { t: 'acl-bootstrap', v: 1, token: token('a2', 's2'), resetIndex: 5 }).t, 'none');
  assert.deepEqual(aclCanBootstrap(fsm.store), { allowed: false, resetIndex: 8 });
});

test('tokens: secret index follows updates and deletes; links are stored without names; unknown policy links are refused', () => {
  const fsm = new Fsm(new StateStore());
  apply(fsm, 1, { t: 'acl-policy', v: 1, op: 'set', policies: [policy('p1', 'read-all')] });
  apply(fsm, 2, { t: 'acl-token', v: 1, op: 'set', tokens: [token('a1', 's1', ['p1'])] });
  assert.equal(aclTokenGetBySecret(fsm.store, 's1')?.AccessorID, 'a1');
  assert.deepEqual(aclTokenGetByAccessor(fsm.store, 'a1')?.Policies, [{ ID: 'p1' }]);
  apply(fsm, 3, { t: 'acl-token', v: 1, op: 'set', tokens: [{ ...token('a1', 's1', ['p1']), Description: 'changed' }] });
  const t = aclTokenGetByAccessor(fsm.store, 'a1');
  assert.equal(t?.CreateIndex, 2);
  assert.equal(t?.ModifyIndex, 3);
  assert.equal(t?.Description, 'changed');
  const clash = apply(fsm, 4, { t: 'acl-token', v: 1, op: 'set', tokens: [token('a2', 's1')] });
  assert.deepEqual(clash, { t: 'error', message: 'Invalid Token: SecretID is already in use' });
  const unknown = apply(fsm, 5, { t: 'acl-token', v: 1, op: 'set', tokens: [token('a3', 's3', ['nope'])] });
  assert.deepEqual(unknown, { t: 'error', message: 'No such policy with ID: nope' });
  assert.deepEqual(aclTokenList(fsm.store, { policy: 'p1' }).map((x) => x.AccessorID), ['a1']);
  apply(fsm, 6, { t: 'acl-token', v: 1, op: 'delete', ids: ['a1'] });
  assert.equal(aclTokenGetBySecret(fsm.store, 's1'), undefined);
  assert.equal(fsm.store.maxIndex('acl-tokens'), 6);
});

test('policies and roles: names are unique; a rename frees the old name', () => {
  const fsm = new Fsm(new StateStore());
  apply(fsm, 1, { t: 'acl-policy', v: 1, op: 'set', policies: [policy('p1', 'one')] });
  const dup = apply(fsm, 2, { t: 'acl-policy', v: 1, op: 'set', policies: [policy('p2', 'one')] });
  assert.deepEqual(dup, { t: 'error', message: 'Invalid Policy: A Policy with Name "one" already exists' });
  apply(fsm, 3, { t: 'acl-policy', v: 1, op: 'set', policies: [policy('p1', 'uno')] });
  assert.equal(aclPolicyGetByName(fsm.store, 'one'), undefined);
  assert.equal(aclPolicyGetByName(fsm.store, 'uno')?.CreateIndex, 1);
  const role = { ID: 'r1', Name: 'role', Description: '', Policies: [{ ID: 'p1' }], ServiceIdentities: [], NodeIdentities: [], Hash: 'h' };
  apply(fsm, 4, { t: 'acl-role', v: 1, op: 'set', roles: [role] });
  const dupRole = apply(fsm, 5, { t: 'acl-role', v: 1, op: 'set', roles: [{ ...role, ID: 'r2' }] });
  assert.deepEqual(dupRole, { t: 'error', message: 'Invalid Role: A Role with Name "role" already exists' });
  apply(fsm, 6, { t: 'acl-role', v: 1, op: 'delete', ids: ['r1'] });
  assert.equal(aclRoleGetByName(fsm.store, 'role'), undefined);
});

test('a snapshot restores tokens (with their secret index), policies, roles and the bootstrap index', () => {
  const a = new Fsm(new StateStore());
  apply(a, 1, { t: 'acl-policy', v: 1, op: 'set', policies: [policy('p1', 'read-all')] });
  apply(a, 2, { t: 'acl-role', v: 1, op: 'set', roles: [{ ID: 'r1', Name: 'role', Description: 'd', Policies: [{ ID: 'p1' }], ServiceIdentities: [{ ServiceName: 'web' }], NodeIdentities: [], Hash: 'h' }] });
  apply(a, 3, { t: 'acl-bootstrap', v: 1, token: { ...token('a1', 's1', ['p1']), ExpirationTime: '2030-01-01T00:00:00Z' }, resetIndex: 0 });
  const snap = a.snapshot();
  const b = new Fsm(new StateStore());
  b.restore(snap.data, snap.index);
  assert.deepEqual(aclTokenGetBySecret(b.store, 's1'), aclTokenGetBySecret(a.store, 's1'));
  assert.deepEqual(aclPolicyGetByName(b.store, 'read-all'), aclPolicyGetByName(a.store, 'read-all'));
  assert.deepEqual(aclRoleGetByName(b.store, 'role'), aclRoleGetByName(a.store, 'role'));
  assert.deepEqual(aclCanBootstrap(b.store), { allowed: false, resetIndex: 3 });
  assert.equal(b.store.maxIndex('acl-tokens'), 3);
  const types = summarizeState(snap.data).map((s) => s.type);
  for (const t of ['ACLToken', 'ACLPolicy', 'ACLRole']) assert.ok(types.includes(t), `${t} in ${types.join(',')}`);
});
