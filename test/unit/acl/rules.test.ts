// The ACL rules language (Consul: acl/policy.go): HCL and JSON forms, every resource, and
// Consul's texts for what it refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_RULES, GLOBAL_MANAGEMENT_RULES, GLOBAL_READ_ONLY_RULES, RulesError, parseRules, type ParsedRules } from '../../../src/core/acl/index.js';

const EVERY_RESOURCE_HCL = `
agent_prefix "bar" {
  policy = "write"
}
agent "foo" {
  policy = "read"
}
event_prefix "" {
  policy = "read"
}
event "foo" {
  policy = "write"
}
event "bar" {
  policy = "deny"
}
key_prefix "" {
  policy = "read"
}
key_prefix "foo/" {
  policy = "write"
}
key_prefix "foo/bar/" {
  policy = "list"
}
key "foo/bar/baz" {
  policy = "deny"
}
keyring = "deny"
node_prefix "" {
  policy = "read"
}
node "foo" {
  policy = "write"
}
operator = "read"
mesh = "write"
peering = "deny"
acl = "read"
service_prefix "" {
  policy = "write"
}
service "foo" {
  policy = "read"
  intentions = "write"
}
session "foo" {
  policy = "write"
}
session_prefix "baz" {
  policy = "deny"
}
query_prefix "" {
  policy = "read"
}
query "foo" {
  policy = "write"
}
`;

const EVERY_RESOURCE_JSON = JSON.stringify({
  agent_prefix: { bar: { policy: 'write' } },
  agent: { foo: { policy: 'read' } },
  event_prefix: { '': { policy: 'read' } },
  event: { foo: { policy: 'write' }, bar: { policy: 'deny' } },
  key_prefix: { '': { policy: 'read' }, 'foo/': { policy: 'write' }, 'foo/bar/': { policy: 'list' } },
  key: { 'foo/bar/baz': { policy: 'deny' } },
  keyring: 'deny',
  node_prefix: { '': { policy: 'read' } },
  node: { foo: { policy: 'write' } },
  operator: 'read',
  mesh: 'write',
  peering: 'deny',
  acl: 'read',
  service_prefix: { '': { policy: 'write' } },
  service: { foo: { policy: 'read', intentions: 'write' } },
  session: { foo: { policy: 'write' } },
  session_prefix: { baz: { policy: 'deny' } },
  query_prefix: { '': { policy: 'read' } },
  query: { foo: { policy: 'write' } },
});

const r = (name: string, policy: string, intentions = ''): { name: string; policy: string; intentions: string } => ({ name, policy, intentions });

const EVERY_RESOURCE: ParsedRules = {
  single: { acl: 'read', keyring: 'deny', mesh: 'write', operator: 'read', peering: 'deny' },
  exact: {
    agent: [r('foo', 'read')],
    event: [r('foo', 'write'), r('bar', 'deny')],
    key: [r('foo/bar/baz', 'deny')],
    node: [r('foo', 'write')],
    query: [r('foo', 'write')],
    service: [r('foo', 'read', 'write')],
    session: [r('foo', 'write')],
  },
  prefix: {
    agent: [r('bar', 'write')],
    event: [r('', 'read')],
    key: [r('', 'read'), r('foo/', 'write'), r('foo/bar/', 'list')],
    node: [r('', 'read')],
    query: [r('', 'read')],
    service: [r('', 'write')],
    session: [r('baz', 'deny')],
  },
};

function rulesError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RulesError, `expected RulesError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a RulesError');
}

test('every resource parses from HCL and from JSON to the same rules', () => {
  assert.deepEqual(parseRules(EVERY_RESOURCE_HCL), EVERY_RESOURCE);
  assert.deepEqual(parseRules(EVERY_RESOURCE_JSON), EVERY_RESOURCE);
});

test('one-line and list forms: blocks on one line, JSON lists of objects', () => {
  const oneLine = parseRules('key "foo" { policy = "read" }\nservice "web" { policy = "write" intentions = "read" }');
  assert.deepEqual(oneLine.exact.key, [r('foo', 'read')]);
  assert.deepEqual(oneLine.exact.service, [r('web', 'write', 'read')]);
  const jsonList = parseRules('{"key": [{"a": {"policy": "read"}}, {"b": {"policy": "write"}}]}');
  assert.deepEqual(jsonList.exact.key, [r('a', 'read'), r('b', 'write')]);
});

test('empty text, and keys Consul ignores', () => {
  assert.equal(parseRules(''), EMPTY_RULES);
  assert.deepEqual(parseRules('   \n# nothing here\n'), EMPTY_RULES);
  // HCL1's decoder ignores keys that name no field, so Consul accepts these silently.
  assert.deepEqual(parseRules('banana "x" { policy = "read" }\nkey "k" { policy = "read" color = "red" }').exact.key, [r('k', 'read')]);
  // Field names match case-insensitively; policy values are case-insensitive (AccessLevelFromString).
  assert.deepEqual(parseRules('KEY "k" { Policy = "WRITE" }').exact.key, [r('k', 'WRITE')]);
  // An empty single-valued rule is allowed and means "no rule".
  assert.equal(parseRules('operator = ""').single.operator, '');
});

test('the built-in policies parse', () => {
  const mgmt = parseRules(GLOBAL_MANAGEMENT_RULES);
  assert.deepEqual(mgmt.single, { acl: 'write', keyring: 'write', mesh: 'write', operator: 'write', peering: 'write' });
  assert.deepEqual(mgmt.prefix.service, [r('', 'write', 'write')]);
  assert.deepEqual(mgmt.prefix.key, [r('', 'write')]);
  assert.ok(GLOBAL_MANAGEMENT_RULES.startsWith('\nacl = "write"\nagent_prefix "" {\n\tpolicy = "write"\n}'));
  assert.equal(parseRules(GLOBAL_READ_ONLY_RULES).single.acl, 'read');
});

test('bad policy values: Consul\'s texts, HCL and JSON alike', () => {
  const cases: Array<[string, string, string]> = [
    ['acl = "list"', '{"acl": "list"}', 'Invalid acl policy: "list"'],
    ['agent "foo" { policy = "nope" }', '{"agent": {"foo": {"policy": "nope"}}}', 'Invalid agent policy: &acl.AgentRule{Node:"foo", Policy:"nope"}'],
    ['agent_prefix "foo" { policy = "nope" }', '{"agent_prefix": {"foo": {"policy": "nope"}}}', 'Invalid agent_prefix policy: &acl.AgentRule{Node:"foo", Policy:"nope"}'],
    ['key "foo" { policy = "nope" }', '{"key": {"foo": {"policy": "nope"}}}', 'Invalid key policy: &acl.KeyRule{Prefix:"foo", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['key_prefix "foo" { policy = "nope" }', '{"key_prefix": {"foo": {"policy": "nope"}}}', 'Invalid key_prefix policy: &acl.KeyRule{Prefix:"foo", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['node "foo" { policy = "list" }', '{"node": {"foo": {"policy": "list"}}}', 'Invalid node policy: &acl.NodeRule{Name:"foo", Policy:"list", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['node_prefix "foo" { policy = "nope" }', '{"node_prefix": {"foo": {"policy": "nope"}}}', 'Invalid node_prefix policy: &acl.NodeRule{Name:"foo", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['service "foo" { policy = "nope" }', '{"service": {"foo": {"policy": "nope"}}}', 'Invalid service policy: &acl.ServiceRule{Name:"foo", Policy:"nope", Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['service "foo" { policy = "write" intentions = "foo" }', '{"service": {"foo": {"policy": "write", "intentions": "foo"}}}', 'Invalid service intentions policy: &acl.ServiceRule{Name:"foo", Policy:"write", Intentions:"foo", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['service_prefix "foo" { policy = "nope" }', '{"service_prefix": {"foo": {"policy": "nope"}}}', 'Invalid service_prefix policy: &acl.ServiceRule{Name:"foo", Policy:"nope", Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['service_prefix "" { policy = "read" intentions = "list" }', '{"service_prefix": {"": {"policy": "read", "intentions": "list"}}}', 'Invalid service_prefix intentions policy: &acl.ServiceRule{Name:"", Policy:"read", Intentions:"list", EnterpriseRule:acl.EnterpriseRule{}}'],
    ['session "foo" { policy = "nope" }', '{"session": {"foo": {"policy": "nope"}}}', 'Invalid session policy: &acl.SessionRule{Node:"foo", Policy:"nope"}'],
    ['session_prefix "foo" { policy = "nope" }', '{"session_prefix": {"foo": {"policy": "nope"}}}', 'Invalid session_prefix policy: &acl.SessionRule{Node:"foo", Policy:"nope"}'],
    ['event "foo" { policy = "nope" }', '{"event": {"foo": {"policy": "nope"}}}', 'Invalid event policy: &acl.EventRule{Event:"foo", Policy:"nope"}'],
    ['event_prefix "foo" { policy = "nope" }', '{"event_prefix": {"foo": {"policy": "nope"}}}', 'Invalid event_prefix policy: &acl.EventRule{Event:"foo", Policy:"nope"}'],
    ['query "foo" { policy = "nope" }', '{"query": {"foo": {"policy": "nope"}}}', 'Invalid query policy: &acl.PreparedQueryRule{Prefix:"foo", Policy:"nope"}'],
    ['query_prefix "foo" { policy = "nope" }', '{"query_prefix": {"foo": {"policy": "nope"}}}', 'Invalid query_prefix policy: &acl.PreparedQueryRule{Prefix:"foo", Policy:"nope"}'],
    ['keyring = "nope"', '{"keyring": "nope"}', 'Invalid keyring policy: "nope"'],
    ['operator = "nope"', '{"operator": "nope"}', 'Invalid operator policy: "nope"'],
    ['mesh = "nope"', '{"mesh": "nope"}', 'Invalid mesh policy: "nope"'],
    ['peering = "nope"', '{"peering": "nope"}', 'Invalid peering policy: "nope"'],
  ];
  for (const [hcl, json, message] of cases) {
    assert.equal(rulesError(() => parseRules(hcl)), message, hcl);
    assert.equal(rulesError(() => parseRules(json)), message, json);
  }
  // Names and values print as Go's %#v does: control characters escaped, Go's way.
  assert.equal(rulesError(() => parseRules('key "a\\tb\\u0001" { policy = "x\\"y" }')), 'Invalid key policy: &acl.KeyRule{Prefix:"a\\tb\\x01", Policy:"x\\"y", EnterpriseRule:acl.EnterpriseRule{}}');
  // A block without a policy is a rule with an empty (invalid) policy.
  assert.equal(rulesError(() => parseRules('key "k" { }')), 'Invalid key policy: &acl.KeyRule{Prefix:"k", Policy:"", EnterpriseRule:acl.EnterpriseRule{}}');
});

test('validation runs in Consul\'s order: acl, agents, keys, nodes, services, sessions, events, queries, then the rest', () => {
  const msg = rulesError(() => parseRules('operator = "x"\nquery "q" { policy = "x" }\nkey "k" { policy = "x" }\nagent_prefix "a" { policy = "x" }'));
  assert.match(msg, /^Invalid agent_prefix policy/);
  assert.match(rulesError(() => parseRules('operator = "x"\nkeyring = "y"')), /^Invalid keyring policy: "y"/);
});

test('parse errors: Consul\'s prefix with the line and column', () => {
  assert.equal(rulesError(() => parseRules('key "a" {\n  policy = \n}')), 'Failed to parse ACL rules: At 3:1: Unknown token: 3:1 RBRACE }');
  assert.equal(rulesError(() => parseRules('key "a" {\n  policy = "read"\n')), 'Failed to parse ACL rules: At 3:1: object expected closing RBRACE got: EOF');
  assert.match(rulesError(() => parseRules('foo')), /^Failed to parse ACL rules: At 1:4: /);
  assert.match(rulesError(() => parseRules('{ "key": }')), /^Failed to parse ACL rules: At 1:10: /);
  assert.match(rulesError(() => parseRules('key "a" { policy = ["read"] }')), /^Failed to parse ACL rules: .*unknown type for string/);
});

test('repeated arguments are refused for new rules, tolerated for stored ones (last wins)', () => {
  const dup = 'key "foo/" { policy = "read" policy = "write" }';
  assert.equal(rulesError(() => parseRules(dup)), 'Failed to parse ACL rules: The argument "policy" at 1:30 was already set. Each argument can only be defined once');
  assert.deepEqual(parseRules(dup, { allowDuplicateKeys: true }).exact.key, [r('foo/', 'write')]);
  assert.equal(rulesError(() => parseRules('operator = "read"\n\noperator = "write"')), 'Failed to parse ACL rules: The argument "operator" at 3:1 was already set. Each argument can only be defined once');
  // Repeated blocks are not arguments.
  assert.equal(parseRules('key "a" { policy = "read" }\nkey "a" { policy = "write" }').exact.key.length, 2);
  assert.equal(parseRules('key "a" { policy = "read" }\nkey "b" { policy = "read" }').exact.key.length, 2);
  // Whichever comes first in the source is reported.
  assert.match(rulesError(() => parseRules('acl = "read"\nacl = "write"\n}')), /The argument "acl" at 2:1/);
  assert.match(rulesError(() => parseRules('}\nacl = "read"\nacl = "write"')), /At 1:1: /);
});
