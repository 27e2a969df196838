// The token resolver: default and anonymous tokens, unknown and expired secrets, the management
// policy, authorizer caching (hot path returns the same authorizer until an ACL table changes),
// agent_recovery, and a client agent's down_policy when no server answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { encodeCommand, type FsmCommand } from '../../../src/core/fsm/commands.js';
import { StateStore } from '../../../src/core/state/store.js';
import { AgentTokens } from '../../../src/core/acl/agent-tokens.js';
import { TokenResolver } from '../../../src/core/acl/resolver.js';
import { MANAGE_ALL } from '../../../src/core/acl/policy.js';
import { GLOBAL_MANAGEMENT_POLICY_ID } from '../../../src/core/acl/errors.js';
import type { TokenIdentity } from '../../../src/core/acl/identity.js';
import { HttpError } from '../../../src/core/errors.js';
import { aclStateView } from '../../../src/core/agent/acl-wiring.js';
import type { AclTokenInput } from '../../../src/core/structs/acl.js';
import type { RequestAcl } from '../../../src/core/acl/request-acl.js';

const tok = (accessor: string, secret: string, policies: string[], extra: Partial<AclTokenInput> = {}): AclTokenInput => ({
  AccessorID: accessor,
  SecretID: secret,
  Description: '',
  Policies: policies.map((ID) => ({ ID })),
  Roles: [],
  ServiceIdentities: [],
  NodeIdentities: [],
  Local: false,
  CreateTime: '2026-01-01T00:00:00Z',
  Hash: 'h',
  ...extra,
});

function setup(defaultToken = '') {
  const fsm = new Fsm(new StateStore());
  let index = 0;
  const apply = (cmd: FsmCommand) => fsm.apply(++index, encodeCommand(cmd));
  apply({ t: 'acl-policy', v: 1, op: 'set', policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID, Name: 'global-management', Description: '', Rules: 'acl = "write"', Hash: 'h' }] });
  apply({ t: 'acl-policy', v: 1, op: 'set', policies: [{ ID: 'p-kv', Name: 'kv', Description: '', Rules: 'key_prefix "app/" { policy = "write" }', Hash: 'h' }] });
  apply({ t: 'acl-policy', v: 1, op: 'set', policies: [{ ID: 'p-other-dc', Name: 'other', Description: '', Rules: 'key_prefix "" { policy = "write" }', Datacenters: ['dc9'], Hash: 'h' }] });
  apply({ t: 'acl-token', v: 1, op: 'set', tokens: [tok('00000000-0000-0000-0000-000000000002', 'anonymous', [])] });
  apply({ t: 'acl-token', v: 1, op: 'set', tokens: [tok('acc-mgmt', 'mgmt', [GLOBAL_MANAGEMENT_POLICY_ID])] });
  apply({ t: 'acl-token', v: 1, op: 'set', tokens: [tok('acc-kv', 'kv', ['p-kv', 'p-other-dc'])] });
  apply({ t: 'acl-token', v: 1, op: 'set', tokens: [tok('acc-exp', 'exp', ['p-kv'], { ExpirationTime: '2026-06-01T00:00:00Z' })] });
  let now = Date.parse('2026-05-01T00:00:00Z');
  const tokens = new AgentTokens({ initialManagement: '', agent: '', default: defaultToken, agentRecovery: 'recovery', replication: '' }, { persist: false, dataDir: '' }, () => undefined);
  const store = fsm.store;
  const resolver = new TokenResolver({
    defaultPolicy: 'deny',
    downPolicy: 'extend-cache',
    tokenTtlMs: 30_000,
    datacenter: 'dc1',
    nodeName: 'node1',
    tokens,
    local: { view: aclStateView(store), generation: () => store.generation('acl-tokens', 'acl-policies', 'acl-roles') },
    now: () => now,
  });
  return { resolver, apply, setNow: (ms: number) => (now = ms), tokens, fsm };
}

const sync = (r: RequestAcl | Promise<RequestAcl>): RequestAcl => {
  assert.ok(!(r instanceof Promise), 'servers resolve synchronously');
  return r;
};

function refused(fn: () => unknown, status: number, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof HttpError && err.status === status && err.message === message);
}

test('no token: the agent default token, else anonymous; unknown secret: 403 ACL not found', () => {
  const { resolver } = setup();
  const anon = sync(resolver.resolve(undefined));
  assert.equal(anon.accessorId, '00000000-0000-0000-0000-000000000002');
  assert.equal(anon.authz.keyRead('app/x'), false, 'anonymous falls back to default_policy deny');
  refused(() => resolver.resolve('no-such-secret'), 403, 'ACL not found');
  refused(() => resolver.resolve('manage'), 403, 'Permission denied: Cannot resolve root ACL');
  const withDefault = setup('kv').resolver;
  assert.equal(sync(withDefault.resolve(undefined)).accessorId, 'acc-kv');
});

test('the anonymous token resolves before the leader has stored it (Consul synthesizes it for early use)', () => {
  const { resolver, apply } = setup();
  apply({ t: 'acl-token', v: 1, op: 'delete', ids: ['00000000-0000-0000-0000-000000000002'] });
  const anon = sync(resolver.resolve(undefined));
  assert.equal(anon.accessorId, '00000000-0000-0000-0000-000000000002');
  assert.equal(anon.authz.keyRead('x'), false);
});

test('policies compile with the default policy behind them; policies of other datacenters do not apply; management is MANAGE_ALL', () => {
  const { resolver } = setup();
  const kv = sync(resolver.resolve('kv'));
  assert.equal(kv.accessorId, 'acc-kv');
  assert.equal(kv.authz.keyWrite('app/config'), true);
  assert.equal(kv.authz.keyWrite('other/config'), false, 'the dc9-only policy grants nothing in dc1');
  assert.equal(kv.authz.aclRead(), false);
  assert.equal(sync(resolver.resolve('mgmt')).authz, MANAGE_ALL);
});

test('the hot path reuses the compiled authorizer until an ACL table changes', () => {
  const { resolver, apply } = setup();
  const first = sync(resolver.resolve('kv')).authz;
  assert.equal(sync(resolver.resolve('kv')).authz, first, 'cached');
  apply({ t: 'acl-policy', v: 1, op: 'set', policies: [{ ID: 'p-kv', Name: 'kv', Description: '', Rules: 'key_prefix "app/" { policy = "read" }', Hash: 'h2' }] });
  const after = sync(resolver.resolve('kv')).authz;
  assert.notEqual(after, first, 'a policy edit is never served from the old entry');
  assert.equal(after.keyWrite('app/config'), false);
  assert.equal(after.keyRead('app/config'), true);
  apply({ t: 'acl-token', v: 1, op: 'delete', ids: ['acc-kv'] });
  refused(() => resolver.resolve('kv'), 403, 'ACL not found');
});

test('a snapshot restore replaces what the resolver serves (the cache generation counts restores)', () => {
  const { resolver, apply, fsm } = setup();
  const snap = fsm.snapshot();
  assert.equal(sync(resolver.resolve('kv')).authz.keyWrite('app/x'), true);
  apply({ t: 'acl-token', v: 1, op: 'delete', ids: ['acc-kv'] });
  refused(() => resolver.resolve('kv'), 403, 'ACL not found');
  fsm.restore(snap.data, snap.index + 100);
  assert.equal(sync(resolver.resolve('kv')).accessorId, 'acc-kv', 'the restored token resolves again');
});

test('an expired token is refused as not found', () => {
  const { resolver, setNow } = setup();
  assert.equal(sync(resolver.resolve('exp')).accessorId, 'acc-exp');
  setNow(Date.parse('2026-06-01T00:00:01Z'));
  refused(() => resolver.resolve('exp'), 403, 'ACL not found');
});

test('agent_recovery: agent write on this node and node read, nothing else, without any ACL state', () => {
  const { resolver } = setup();
  const r = sync(resolver.resolve('recovery'));
  assert.equal(r.accessorId, 'agent-recovery-token');
  assert.equal(r.authz.agentWrite('node1'), true);
  assert.equal(r.authz.agentWrite('node2'), false);
  assert.equal(r.authz.nodeRead('any'), true);
  assert.equal(r.authz.keyRead('x'), false);
  refused(() => resolver.resolve('recoverY'), 403, 'ACL not found');
});

test('client agents: a server answer is cached for token_ttl; with no server, extend-cache serves the cached identity', async () => {
  let now = 0;
  let calls = 0;
  let up = true;
  const identity: TokenIdentity = { accessorId: 'acc-r', expiresAtMs: undefined, management: false, sources: [{ key: 'p:1:1', rules: 'key "a" { policy = "write" }' }] };
  const tokens = new AgentTokens({ initialManagement: '', agent: '', default: '', agentRecovery: '', replication: '' }, { persist: false, dataDir: '' }, () => undefined);
  const mk = (downPolicy: 'extend-cache' | 'deny') =>
    new TokenResolver({
      defaultPolicy: 'allow',
      downPolicy,
      tokenTtlMs: 30_000,
      datacenter: 'dc1',
      nodeName: 'c1',
      tokens,
      remote: async (secret) => {
        calls++;
        if (!up) throw new Error('no servers');
        return secret === 's' ? identity : null;
      },
      now: () => now,
    });
  const r = mk('extend-cache');
  assert.equal((await r.resolve('s')).authz.keyWrite('a'), true);
  await r.resolve('s');
  assert.equal(calls, 1, 'second resolve within token_ttl is served from the cache');
  await assert.rejects(async () => r.resolve('unknown'), (e: unknown) => e instanceof HttpError && e.message === 'ACL not found');
  up = false;
  now = 60_000;
  const stale = await r.resolve('s');
  assert.equal(stale.accessorId, 'acc-r', 'extend-cache: the cached identity past its TTL');
  assert.equal((await r.resolve('never-seen')).authz.keyWrite('zzz'), true, 'nothing cached: the default policy (allow)');
  const denying = mk('deny');
  assert.equal((await denying.resolve('s')).authz.keyRead('a'), false, 'down_policy deny');
});

test('the store generation moves on a restore even when the ACL tables index comes back equal', () => {
  const { fsm } = setup();
  const snap = fsm.snapshot();
  const before = fsm.store.generation('acl-tokens', 'acl-policies', 'acl-roles');
  fsm.restore(snap.data, snap.index);
  assert.equal(fsm.store.maxIndex('acl-tokens', 'acl-policies', 'acl-roles'), before % 2 ** 40);
  assert.notEqual(fsm.store.generation('acl-tokens', 'acl-policies', 'acl-roles'), before);
});
