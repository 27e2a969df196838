// Compiled authorizers (Consul: acl/policy_authorizer.go, policy_merger.go, chained_authorizer.go,
// static_authorizer.go). Cases re-express the semantics of Consul's policy_authorizer_test.go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DENY_ALL, GLOBAL_MANAGEMENT_RULES, MANAGE_ALL, compileAuthorizer, defaultAuthorizer, nodeIdentityRules, parseRules, serviceIdentityRules, type Authorizer } from '../../../src/core/acl/index.js';

const ALLOW = defaultAuthorizer('allow');
const DENY = defaultAuthorizer('deny');

/** Compiles HCL policies in front of the default-deny authorizer (so "no rule" reads as false). */
function authz(fallback: Authorizer, ...rules: string[]): Authorizer {
  return compileAuthorizer(
    rules.map((r) => parseRules(r)),
    fallback,
  );
}

type Check = (a: Authorizer, name: string) => boolean;
const CHECKS: Record<string, Check> = {
  agentRead: (a, n) => a.agentRead(n),
  agentWrite: (a, n) => a.agentWrite(n),
  keyRead: (a, n) => a.keyRead(n),
  keyWrite: (a, n) => a.keyWrite(n),
  nodeRead: (a, n) => a.nodeRead(n),
  nodeWrite: (a, n) => a.nodeWrite(n),
  serviceRead: (a, n) => a.serviceRead(n),
  serviceWrite: (a, n) => a.serviceWrite(n),
  sessionRead: (a, n) => a.sessionRead(n),
  sessionWrite: (a, n) => a.sessionWrite(n),
  eventRead: (a, n) => a.eventRead(n),
  eventWrite: (a, n) => a.eventWrite(n),
  queryRead: (a, n) => a.preparedQueryRead(n),
  queryWrite: (a, n) => a.preparedQueryWrite(n),
  intentionRead: (a, n) => a.intentionRead(n),
  intentionWrite: (a, n) => a.intentionWrite(n),
};

test('static authorizers: default allow is not management; deny denies; MANAGE_ALL manages', () => {
  for (const [name, a] of [
    ['allow', ALLOW],
    ['deny', DENY],
    ['manage', MANAGE_ALL],
  ] as const) {
    const manage = name === 'manage';
    const dflt = name !== 'deny';
    assert.equal(a.aclRead(), manage, name);
    assert.equal(a.aclWrite(), manage, name);
    assert.equal(a.snapshot(), manage, name);
    for (const check of Object.values(CHECKS)) assert.equal(check(a, 'x'), dflt, name);
    for (const f of [a.keyList('x'), a.keyWritePrefix(''), a.nodeReadAll(), a.serviceReadAll(), a.serviceWriteAny(), a.operatorRead(), a.operatorWrite(), a.meshRead(), a.meshWrite(), a.keyringRead(), a.keyringWrite(), a.intentionDefaultAllow()]) {
      assert.equal(f, dflt, name);
    }
  }
  assert.equal(defaultAuthorizer('deny'), DENY_ALL);
});

test('no rules: every question falls through to the fallback', () => {
  assert.equal(compileAuthorizer([], ALLOW), ALLOW);
  const empty = authz(ALLOW, '', 'key "other" { policy = "deny" }');
  assert.equal(empty.keyRead('foo'), true);
  assert.equal(empty.aclRead(), false); // default allow still keeps ACLs to management
  assert.equal(empty.snapshot(), false);
  assert.equal(empty.intentionDefaultAllow(), true);
  const denied = authz(DENY, '');
  assert.equal(denied.keyRead('foo'), false);
  assert.equal(denied.intentionDefaultAllow(), false);
});

test('most specific wins: an exact rule beats prefixes, else the longest prefix (every segment resource)', () => {
  // Consul's "Prefer Exact Matches": exact foo=write, exact football=deny, prefix foot=read, prefix fo=read.
  const resources = ['agent', 'key', 'node', 'service', 'session', 'event', 'query'];
  const rules = resources
    .map((r) => `${r} "foo" { policy = "write" }\n${r} "football" { policy = "deny" }\n${r}_prefix "foot" { policy = "read" }\n${r}_prefix "fo" { policy = "read" }`)
    .join('\n')
    .replace('service "foo" { policy = "write" }', 'service "foo" { policy = "write" intentions = "write" }');
  const a = authz(ALLOW, rules);
  const table: Array<[string, boolean, boolean]> = [
    ['fo', true, false],
    ['for', true, false],
    ['foo', true, true],
    ['foot', true, false],
    ['foot2', true, false],
    ['food', true, false],
    ['football', false, false],
  ];
  for (const r of ['agent', 'key', 'node', 'service', 'session', 'event', 'query', 'intention']) {
    for (const [name, read, write] of table) {
      assert.equal(CHECKS[`${r}Read`]!(a, name), read, `${r}Read(${name})`);
      assert.equal(CHECKS[`${r}Write`]!(a, name), write, `${r}Write(${name})`);
    }
    // Outside every rule: the fallback (allow) answers.
    assert.equal(CHECKS[`${r}Write`]!(a, 'bar'), true, `${r}Write(bar)`);
  }
});

test('longest prefix: deeper rules override shallower ones in both directions', () => {
  const a = authz(DENY, 'key_prefix "" { policy = "read" }\nkey_prefix "app/" { policy = "write" }\nkey_prefix "app/secret/" { policy = "deny" }\nkey "app/secret/public" { policy = "read" }');
  assert.deepEqual(
    ['x', 'app/x', 'app/secret/x', 'app/secret/public', 'app/secret/publicity'].map((k) => [a.keyRead(k), a.keyWrite(k)]),
    [
      [true, false],
      [true, true],
      [false, false],
      [true, false],
      [false, false],
    ],
  );
});

test('key list: list grants list and read, write grants all, read grants only read', () => {
  const a = authz(DENY, 'key_prefix "r/" { policy = "read" }\nkey_prefix "l/" { policy = "list" }\nkey_prefix "w/" { policy = "write" }');
  assert.deepEqual([a.keyRead('r/x'), a.keyList('r/'), a.keyWrite('r/x')], [true, false, false]);
  assert.deepEqual([a.keyRead('l/x'), a.keyList('l/'), a.keyWrite('l/x')], [true, true, false]);
  assert.deepEqual([a.keyRead('w/x'), a.keyList('w/'), a.keyWrite('w/x')], [true, true, true]);
  assert.equal(a.keyList('none/'), false);
});

test('keyWritePrefix: write on the prefix and no non-write rule beneath it', () => {
  const a = authz(DENY, 'key_prefix "" { policy = "write" }\nkey_prefix "app/" { policy = "write" }\nkey "app/locked" { policy = "read" }\nkey_prefix "ro/" { policy = "read" }\nkey_prefix "ro/rw/" { policy = "write" }');
  assert.equal(a.keyWritePrefix('app/'), false); // app/locked is read-only
  assert.equal(a.keyWritePrefix('app/l'), false);
  assert.equal(a.keyWritePrefix('app/x'), true);
  assert.equal(a.keyWritePrefix('ro/'), false); // the covering rule is read
  assert.equal(a.keyWritePrefix('ro/rw/'), true);
  assert.equal(a.keyWritePrefix(''), false);
  assert.equal(a.keyWritePrefix('other/'), true);
  // No covering prefix rule and nothing beneath: the fallback decides.
  const b = authz(ALLOW, 'key "a/b" { policy = "write" }');
  assert.equal(b.keyWritePrefix('z/'), true);
  assert.equal(b.keyWritePrefix('a/'), true); // only write rules beneath, no covering rule: Default -> allow
  assert.equal(authz(DENY, 'key "a/b" { policy = "write" }').keyWritePrefix('a/'), false);
  assert.equal(authz(ALLOW, 'key "a/b" { policy = "deny" }').keyWritePrefix('a/'), false);
});

test('merging a token\'s policies: deny > write > list > read for the same rule', () => {
  assert.equal(authz(DENY, 'key "k" { policy = "write" }', 'key "k" { policy = "deny" }').keyRead('k'), false);
  assert.equal(authz(DENY, 'key "k" { policy = "deny" }', 'key "k" { policy = "write" }').keyRead('k'), false);
  assert.equal(authz(DENY, 'key "k" { policy = "read" }', 'key "k" { policy = "write" }').keyWrite('k'), true);
  assert.equal(authz(DENY, 'key "k" { policy = "read" }', 'key "k" { policy = "list" }').keyList('k'), true);
  assert.equal(authz(DENY, 'key "k" { policy = "write" }', 'key "k" { policy = "list" }').keyWrite('k'), true);
  assert.equal(authz(DENY, 'operator = "write"', 'operator = "read"').operatorWrite(), true);
  assert.equal(authz(DENY, 'operator = "write"', 'operator = "deny"').operatorRead(), false);
  // Exact and prefix rules of the same name are different rules: both stay, the exact one wins on the name.
  const mixed = authz(DENY, 'key "k" { policy = "write" }', 'key_prefix "k" { policy = "deny" }');
  assert.equal(mixed.keyWrite('k'), true);
  assert.equal(mixed.keyRead('k2'), false);
  // Two rules for one name in one policy resolve by the same precedence.
  assert.equal(authz(DENY, 'key "k" { policy = "deny" }\nkey "k" { policy = "write" }').keyRead('k'), false);
});

test('intentions: from service rules; absent means read for read/write services, else deny', () => {
  const a = authz(
    ALLOW,
    'service "w" { policy = "write" }\nservice "r" { policy = "read" }\nservice "d" { policy = "deny" }\nservice "iw" { policy = "read" intentions = "write" }\nservice "id" { policy = "write" intentions = "deny" }',
  );
  assert.deepEqual([a.intentionRead('w'), a.intentionWrite('w')], [true, false]);
  assert.deepEqual([a.intentionRead('r'), a.intentionWrite('r')], [true, false]);
  assert.deepEqual([a.intentionRead('d'), a.intentionWrite('d')], [false, false]);
  assert.deepEqual([a.intentionRead('iw'), a.intentionWrite('iw')], [true, true]);
  assert.deepEqual([a.intentionRead('id'), a.intentionWrite('id'), a.serviceWrite('id')], [false, false, true]);
  // Merged: policy and intentions merge separately.
  const m = authz(DENY, 'service "s" { policy = "read" intentions = "write" }', 'service "s" { policy = "write" }');
  assert.deepEqual([m.serviceWrite('s'), m.intentionWrite('s')], [true, true]);
  const n = authz(DENY, 'service "s" { policy = "write" intentions = "write" }', 'service "s" { policy = "read" intentions = "deny" }');
  assert.deepEqual([n.serviceWrite('s'), n.intentionRead('s')], [true, false]);
});

test('intentions on "*": readable when any destination is, writable only when all are', () => {
  const cases: Array<[string, boolean, boolean]> = [
    ['service "foo" { policy = "write" intentions = "write" }\nservice_prefix "" { policy = "deny" intentions = "deny" }', true, false],
    ['service "foo" { policy = "write" intentions = "deny" }\nservice_prefix "" { policy = "write" intentions = "write" }', true, false],
    ['service "foo" { policy = "write" intentions = "write" }\nservice_prefix "" { policy = "write" intentions = "write" }', true, true],
  ];
  for (const [rules, read, write] of cases) {
    const a = authz(DENY, rules);
    assert.equal(a.intentionRead('*'), read, rules);
    assert.equal(a.intentionWrite('*'), write, rules);
  }
  // No catch-all: "all" has no opinion (fallback), "any" allows when one does.
  const only = 'service "foo" { policy = "write" intentions = "write" }';
  assert.deepEqual([authz(DENY, only).intentionRead('*'), authz(DENY, only).intentionWrite('*'), authz(ALLOW, only).intentionWrite('*')], [true, false, true]);
  const denied = 'service "foo" { policy = "write" intentions = "deny" }';
  assert.deepEqual([authz(ALLOW, denied).intentionRead('*'), authz(DENY, denied).intentionRead('*'), authz(ALLOW, denied).intentionWrite('*')], [true, false, false]);
});

test('whole-tree checks: serviceWriteAny, nodeReadAll, serviceReadAll', () => {
  assert.equal(authz(DENY, 'service "web" { policy = "write" }').serviceWriteAny(), true);
  assert.equal(authz(DENY, 'service_prefix "" { policy = "read" }').serviceWriteAny(), false);
  assert.equal(authz(DENY, 'service_prefix "" { policy = "deny" }\nservice_prefix "a" { policy = "write" }').serviceWriteAny(), true);
  assert.equal(authz(ALLOW, 'service "web" { policy = "read" }').serviceWriteAny(), true); // no opinion -> fallback
  assert.equal(authz(DENY, 'node_prefix "" { policy = "read" }').nodeReadAll(), true);
  assert.equal(authz(DENY, 'node_prefix "" { policy = "read" }\nnode "secret" { policy = "deny" }').nodeReadAll(), false);
  assert.equal(authz(DENY, 'node "one" { policy = "read" }').nodeReadAll(), false); // Default -> deny
  assert.equal(authz(ALLOW, 'node "one" { policy = "read" }').nodeReadAll(), true); // Default -> allow
  assert.equal(authz(ALLOW, 'node_prefix "" { policy = "deny" }').nodeReadAll(), false);
  assert.equal(authz(DENY, 'service_prefix "" { policy = "write" }').serviceReadAll(), true);
  assert.equal(authz(DENY, 'service_prefix "" { policy = "write" }\nservice "x" { policy = "deny" }').serviceReadAll(), false);
});

test('single-valued resources: acl (and snapshot), operator, keyring, mesh falling back to operator', () => {
  const aclRead = authz(DENY, 'acl = "read"');
  assert.deepEqual([aclRead.aclRead(), aclRead.aclWrite(), aclRead.snapshot()], [true, false, false]);
  const aclWrite = authz(DENY, 'acl = "write"');
  assert.deepEqual([aclWrite.aclRead(), aclWrite.aclWrite(), aclWrite.snapshot()], [true, true, true]);
  const op = authz(DENY, 'operator = "read"\nkeyring = "write"');
  assert.deepEqual([op.operatorRead(), op.operatorWrite(), op.keyringRead(), op.keyringWrite()], [true, false, true, true]);
  // Without a mesh rule the policy's operator rule answers mesh questions.
  assert.deepEqual([op.meshRead(), op.meshWrite()], [true, false]);
  const meshOwn = authz(DENY, 'operator = "read"\nmesh = "write"');
  assert.deepEqual([meshOwn.meshRead(), meshOwn.meshWrite(), meshOwn.operatorWrite()], [true, true, false]);
  const meshDeny = authz(ALLOW, 'operator = "write"\nmesh = "deny"');
  assert.deepEqual([meshDeny.meshRead(), meshDeny.operatorWrite()], [false, true]);
  // Neither: the fallback's mesh answer.
  assert.equal(authz(ALLOW, 'key "k" { policy = "read" }').meshWrite(), true);
  assert.equal(authz(DENY, 'key "k" { policy = "read" }').meshRead(), false);
});

test('the global-management policy compiles to everything, ACLs and snapshots included', () => {
  const a = authz(DENY, GLOBAL_MANAGEMENT_RULES);
  assert.equal(a.aclWrite(), true);
  assert.equal(a.snapshot(), true);
  for (const check of Object.values(CHECKS)) assert.equal(check(a, 'anything'), true);
  assert.deepEqual([a.keyWritePrefix(''), a.nodeReadAll(), a.serviceReadAll(), a.serviceWriteAny(), a.intentionWrite('*'), a.meshWrite(), a.keyringWrite()], [true, true, true, true, true, true, true]);
  assert.equal(a.intentionDefaultAllow(), false); // policies never decide it: the default policy does
});

test('chains: an authorizer can fall back to another compiled one', () => {
  const inner = authz(DENY, 'key_prefix "" { policy = "read" }');
  const outer = compileAuthorizer([parseRules('key "a" { policy = "write" }')], inner);
  assert.deepEqual([outer.keyWrite('a'), outer.keyRead('b'), outer.keyWrite('b')], [true, true, false]);
});

test('service and node identities: Consul\'s synthesized rules', () => {
  const svc = authz(DENY, serviceIdentityRules('web'));
  assert.deepEqual([svc.serviceWrite('web'), svc.serviceWrite('web-sidecar-proxy'), svc.serviceWrite('api'), svc.serviceRead('api'), svc.nodeRead('n1'), svc.nodeWrite('n1')], [true, true, false, true, true, false]);
  assert.deepEqual([svc.intentionRead('web'), svc.intentionWrite('web')], [true, false]);
  const node = authz(DENY, nodeIdentityRules('n1'));
  assert.deepEqual([node.nodeWrite('n1'), node.nodeWrite('n2'), node.serviceRead('any'), node.serviceWrite('any')], [true, false, true, false]);
});

test('intentions default from the policy as written: an upper-case policy does not grant intentions (as in Consul)', () => {
  const a = authz(ALLOW, 'service "s" { policy = "WRITE" }');
  assert.deepEqual([a.serviceWrite('s'), a.intentionRead('s')], [true, false]);
});
