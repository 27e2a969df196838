import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadRuntimeConfig } from '../../../src/core/config/index.js';

const load = (hcl: string) => loadRuntimeConfig({ dev: true, paths: [], flags: {}, hcl: [hcl] });

test('telemetry defaults: no Prometheus, host name on gauges, prefix consul', async () => {
  const c = await loadRuntimeConfig({ dev: true, paths: [], flags: {} });
  assert.deepEqual(c.telemetry, { prometheusRetentionMs: 0, disableHostname: false, metricsPrefix: 'consul' });
});

test('telemetry block: prometheus_retention_time, disable_hostname, metrics_prefix; other sinks accepted', async () => {
  const c = await load('telemetry { prometheus_retention_time = "1m" disable_hostname = true metrics_prefix = "c2" statsd_address = "127.0.0.1:8125" }');
  assert.deepEqual(c.telemetry, { prometheusRetentionMs: 60_000, disableHostname: true, metricsPrefix: 'c2' });
});

test('telemetry: unknown keys and bad durations are config errors', async () => {
  await assert.rejects(load('telemetry { bogus = 1 }'), /invalid config key telemetry\.bogus/);
  await assert.rejects(load('telemetry { prometheus_retention_time = "soon" }'), /telemetry\.prometheus_retention_time: invalid duration "soon"/);
});
