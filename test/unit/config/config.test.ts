import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRuntime, ConfigError, mergeConfigs, validateSource } from '../../../src/core/config/index.js';

const spec = { dev: true, paths: [], flags: {} };

test('validation names the key and the Go types', () => {
  assert.throws(() => validateSource('/x/bad.json', { server: 'yes-please' }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /failed to parse \/x\/bad\.json/);
    assert.match(e.message, /'server' expected type 'bool', got unconvertible type 'string', value: 'yes-please'/);
    return true;
  });
  assert.throws(() => validateSource('f', { bogus: true }), /invalid config key bogus/);
  assert.throws(() => validateSource('f', { ports: { nope: 1 } }), /invalid config key ports\.nope/);
});

test('merge: later wins, lists append, objects merge', () => {
  const m = mergeConfigs([
    { node_name: 'a', retry_join: ['x'], ports: { http: 1 } },
    { node_name: 'b', retry_join: ['y'], ports: { dns: 2 } },
  ]);
  assert.equal(m.node_name, 'b');
  assert.deepEqual(m.retry_join, ['x', 'y']);
  assert.deepEqual(m.ports, { http: 1, dns: 2 });
});

test('runtime defaults and rules', () => {
  const r = buildRuntime({ datacenter: 'EU-West', ports: { http: 9500 }, default_query_time: '1m30s' }, spec);
  assert.equal(r.datacenter, 'eu-west');
  assert.equal(r.ports.http, 9500);
  assert.equal(r.ports.dns, 8600);
  assert.equal(r.defaultQueryTimeMs, 90_000);
  assert.equal(r.kvMaxValueSize, 524288);
  assert.throws(() => buildRuntime({}, { ...spec, dev: false }), /data_dir cannot be empty/);
  assert.throws(() => buildRuntime({ data_dir: '/d', bootstrap_expect: 3 }, { ...spec, dev: false }), /requires server mode/);
  assert.throws(() => buildRuntime({ log_level: 'loud' }, spec), /Invalid log level/);
});

test('each file contributes its single service and check (Consul keeps them all)', () => {
  const m = mergeConfigs([{ service: { name: 'web' } }, { service: { name: 'db' }, check: { name: 'c1' } }, { services: [{ name: 'api' }] }]);
  assert.deepEqual(
    (m.services ?? []).map((s) => s['name']),
    ['web', 'db', 'api'],
  );
  assert.deepEqual((m.checks ?? []).map((c) => c['name']), ['c1']);
  assert.equal(m.service, undefined);
});

test('the autopilot block sets autopilot (Consul defaults otherwise); bad values are errors', () => {
  const dflt = buildRuntime({}, spec).autopilot;
  assert.deepEqual(dflt, { cleanupDeadServers: true, lastContactThresholdMs: 200, maxTrailingLogs: 250, serverStabilizationTimeMs: 10_000 });
  const r = buildRuntime({ autopilot: { cleanup_dead_servers: false, server_stabilization_time: '1s', max_trailing_logs: 10 } }, spec).autopilot;
  assert.deepEqual(r, { cleanupDeadServers: false, lastContactThresholdMs: 200, maxTrailingLogs: 10, serverStabilizationTimeMs: 1000 });
  assert.throws(() => buildRuntime({ autopilot: { cleanup_dead_servers: 'yes' } }, spec), /autopilot.cleanup_dead_servers/);
  assert.throws(() => buildRuntime({ autopilot: { server_stabilization_time: 'soon' } }, spec), /autopilot.server_stabilization_time/);
});
