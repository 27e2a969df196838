// The acl block and the deprecated top-level ACL keys (Consul: agent/config/deprecated.go): each
// old key fills its new one unless that is set, yields Consul's warning, in Consul's order;
// acl_datacenter also turns ACLs on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRuntime, ConfigError } from '../../../src/core/config/index.js';
import { FileConfigSchema } from '../../../src/core/config/schema.js';

const spec = { dev: false, paths: [], flags: {} };
const base = { data_dir: '/tmp/x' };

test('acl block: defaults and values', () => {
  const off = buildRuntime(base, spec).acl;
  assert.deepEqual([off.enabled, off.defaultPolicy, off.downPolicy, off.tokenTtlMs, off.enableTokenPersistence], [false, 'allow', 'extend-cache', 30_000, false]);
  const on = buildRuntime({ ...base, acl: { enabled: true, default_policy: 'deny', down_policy: 'async-cache', token_ttl: '45s', enable_token_persistence: true, tokens: { initial_management: 'root', agent: 'ag', default: 'df', agent_recovery: 'rc', replication: 'rp' } } }, spec).acl;
  assert.deepEqual(on.tokens, { initialManagement: 'root', agent: 'ag', default: 'df', agentRecovery: 'rc', replication: 'rp' });
  assert.deepEqual([on.enabled, on.defaultPolicy, on.downPolicy, on.tokenTtlMs, on.enableTokenPersistence], [true, 'deny', 'async-cache', 45_000, true]);
  assert.throws(() => buildRuntime({ ...base, acl: { default_policy: 'maybe' } }, spec), (e: unknown) => e instanceof ConfigError && e.message === 'Unsupported default ACL policy: maybe');
  assert.throws(() => buildRuntime({ ...base, acl: { down_policy: 'x' } }, spec), (e: unknown) => e instanceof ConfigError && e.message === 'Unsupported down ACL policy: x');
  assert.equal(FileConfigSchema.safeParse({ acl: { bogus: true } }).success, false, 'unknown acl keys are refused');
});

test('deprecated top-level ACL keys map as Consul maps them, with its warnings in its order', () => {
  const r = buildRuntime(
    {
      ...base,
      acl_datacenter: 'DC1',
      acl_master_token: 'root',
      acl_default_policy: 'deny',
      acl_down_policy: 'allow',
      acl_token: 'dflt',
      acl_agent_token: 'agent',
      acl_agent_master_token: 'recovery',
      acl_replication_token: 'repl',
      acl_ttl: '10s',
      enable_acl_replication: true,
    },
    spec,
  );
  assert.deepEqual(r.acl.tokens, { initialManagement: 'root', agent: 'agent', default: 'dflt', agentRecovery: 'recovery', replication: 'repl' });
  assert.deepEqual([r.acl.enabled, r.acl.defaultPolicy, r.acl.downPolicy, r.acl.tokenTtlMs, r.acl.enableTokenReplication], [true, 'deny', 'allow', 10_000, true]);
  assert.equal(r.primaryDatacenter, 'dc1');
  assert.deepEqual(r.warnings, [
    "The 'acl_agent_master_token' field is deprecated. Use the 'acl.tokens.agent_recovery' field instead.",
    "The 'acl_agent_token' field is deprecated. Use the 'acl.tokens.agent' field instead.",
    "The 'acl_token' field is deprecated. Use the 'acl.tokens.default' field instead.",
    "The 'acl_master_token' field is deprecated. Use the 'acl.tokens.initial_management' field instead.",
    "The 'acl_replication_token' field is deprecated. Use the 'acl.tokens.replication' field instead.",
    "The 'enable_acl_replication' field is deprecated. Use the 'acl.enable_token_replication' field instead.",
    "The 'acl_datacenter' field is deprecated. Use the 'primary_datacenter' field instead.",
    "The 'acl_default_policy' field is deprecated. Use the 'acl.default_policy' field instead.",
    "The 'acl_down_policy' field is deprecated. Use the 'acl.down_policy' field instead.",
    "The 'acl_ttl' field is deprecated. Use the 'acl.token_ttl' field instead.",
  ]);
});

test('new keys win over old ones; old names inside acl.tokens are read too', () => {
  const r = buildRuntime({ ...base, acl_token: 'old', acl_default_policy: 'deny', acl: { default_policy: 'allow', tokens: { default: 'new', master: 'm', agent_master: 'am' } } }, spec);
  assert.equal(r.acl.tokens.default, 'new');
  assert.equal(r.acl.defaultPolicy, 'allow');
  assert.equal(r.acl.enabled, false, 'only acl_datacenter turns ACLs on implicitly');
  assert.equal(r.acl.tokens.initialManagement, 'm');
  assert.equal(r.acl.tokens.agentRecovery, 'am');
  assert.ok(r.warnings.includes("The 'acl.tokens.master' field is deprecated. Use the 'acl.tokens.initial_management' field instead."));
  assert.ok(r.warnings.includes("The 'acl.tokens.agent_master' field is deprecated. Use the 'acl.tokens.agent_recovery' field instead."));
});
