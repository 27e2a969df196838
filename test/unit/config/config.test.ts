import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRuntime, ConfigError, flagsToFileConfig, loadRuntimeConfig, mergeConfigs, validateSource } from '../../../src/core/config/index.js';

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

test('unknown keys in service and check definitions are config errors named as Consul names them', () => {
  assert.throws(
    () =>
      validateSource('/x/s.json', {
        services: [{ name: 'a' }, { name: 'b', Tag: 'x', weights: { passing: 1, critical: 0 }, checks: [{ ttl: '1s' }, { ttl: '1s', intervall: '2s' }] }],
        check: { id: 'c', ttl: '5s', servcie_id: 'a' },
        service: { name: 'c', connect: { sidecar_service: { port: 1, prot: 2 }, nativ: true } },
      }),
    (e: Error) => {
      assert.equal(
        e.message,
        'failed to parse /x/s.json: 6 errors occurred:\n' +
          '\t* invalid config key service.connect.nativ\n' +
          '\t* invalid config key service.connect.sidecar_service.prot\n' +
          '\t* invalid config key services[1].Tag\n' +
          '\t* invalid config key services[1].checks[1].intervall\n' +
          '\t* invalid config key services[1].weights.critical\n' +
          '\t* invalid config key check.servcie_id\n',
      );
      return true;
    },
  );
  // Consul's names match case-insensitively and its aliases (serviceid, scriptargs...) work.
  validateSource('f', { check: { ID: 'x', ServiceID: 's', ScriptArgs: ['true'], Interval: '1s', DeregisterCriticalServiceAfter: '1m' } });
});

test('deprecated ui keys move to ui_config with warnings; ui_config wins when both are set', async () => {
  const r = buildRuntime({ ui: true, ui_content_path: '/consul/' }, spec);
  assert.deepEqual(r.uiConfig, { enabled: true, dir: '', contentPath: '/consul/' });
  assert.deepEqual(r.warnings, [
    "The 'ui' field is deprecated. Use the 'ui_config.enabled' field instead.",
    "The 'ui_content_path' field is deprecated. Use the 'ui_config.content_path' field instead.",
  ]);
  const both = buildRuntime({ ui_dir: '/old', ui_config: { dir: '/new' } }, spec);
  assert.equal(both.uiConfig.dir, '/new');
  const dev = await loadRuntimeConfig({ dev: true, paths: [], flags: {} });
  assert.deepEqual([dev.uiConfig.enabled, dev.warnings], [true, []], '-dev turns the UI on without a deprecated key');
});

test('-ui, -ui-dir and -syslog flags set ui_config and enable_syslog without warnings', () => {
  const flags = flagsToFileConfig({ ui: true, 'ui-dir': '/srv/ui', syslog: true });
  assert.deepEqual(flags, { enable_syslog: true, ui_config: { enabled: true, dir: '/srv/ui' } });
  const r = buildRuntime(mergeConfigs([flags]), spec);
  assert.deepEqual([r.uiConfig.dir, r.enableSyslog, r.syslogFacility, r.warnings], ['/srv/ui', true, 'LOCAL0', []]);
});

test('-hcl fragments are sources after the flags, named flags-N.hcl in errors', async () => {
  const r = await loadRuntimeConfig({ dev: true, paths: [], flags: { node_name: 'flag' }, hcl: ['node_name = "hcl"', 'node_meta { rack = "r1" }'] });
  assert.equal(r.nodeName, 'hcl');
  assert.deepEqual(r.nodeMeta, { rack: 'r1' });
  await assert.rejects(loadRuntimeConfig({ dev: true, paths: [], flags: {}, hcl: ['bogus = 1'] }), /^ConfigError: failed to parse flags-0\.hcl: 1 error occurred:\n\t\* invalid config key bogus\n/);
});
