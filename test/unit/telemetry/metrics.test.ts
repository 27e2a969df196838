import assert from 'node:assert/strict';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { InmemSink, Metrics, goUtcString } from '../../../src/core/telemetry/index.js';
import { PrometheusSink } from '../../../src/core/telemetry/prometheus.js';

test('the summary shows the last finished 10 s interval in go-metrics JSON shape', () => {
  let now = Date.UTC(2026, 11, 4, 7, 40, 3);
  const sink = new InmemSink(() => now);
  sink.incrCounter('consul.rpc.request', [], 1);
  sink.incrCounter('consul.rpc.request', [], 3);
  sink.addSample('consul.kvs.apply', [], 2);
  sink.addSample('consul.kvs.apply', [], 4);
  sink.setGauge('consul.members.servers', [{ name: 'datacenter', value: 'dc1' }], 3);
  // Only one interval so far: it is shown as it stands.
  assert.equal(sink.summary()?.Counters[0]?.Count, 2);
  now += 10_000;
  sink.incrCounter('consul.rpc.request', [], 100);
  const s = sink.summary();
  assert.ok(s);
  assert.equal(s.Timestamp, '2026-12-04 07:40:00 +0000 UTC');
  assert.deepEqual(Object.keys(s), ['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
  assert.deepEqual(s.Gauges, [{ Name: 'consul.members.servers', Value: 3, Labels: { datacenter: 'dc1' } }]);
  const c = s.Counters[0];
  assert.deepEqual(Object.keys(c ?? {}), ['Name', 'Count', 'Rate', 'Sum', 'Min', 'Max', 'Mean', 'Stddev', 'Labels']);
  assert.deepEqual(c, { Name: 'consul.rpc.request', Count: 2, Rate: 0.4, Sum: 4, Min: 1, Max: 3, Mean: 2, Stddev: Math.SQRT2, Labels: {} });
  assert.equal(s.Samples[0]?.Name, 'consul.kvs.apply');
  assert.equal(s.Samples[0]?.Mean, 3);
});

test('intervals are bounded to one minute', () => {
  let now = 0;
  const sink = new InmemSink(() => now);
  for (let i = 0; i < 100; i++) {
    now = i * 10_000;
    sink.incrCounter('c', [], 1);
  }
  assert.equal(sink.summaryOf(0), undefined, 'old intervals are gone');
  assert.ok(sink.summaryOf(99 * 10_000));
});

test('goUtcString is Go time.Time.String() of a UTC time', () => {
  assert.equal(goUtcString(Date.UTC(2017, 7, 8, 2, 55, 10, 400)), '2017-08-08 02:55:10 +0000 UTC');
});

test('gauges get the host name unless disable_hostname; the prefix goes first', () => {
  const m = new Metrics();
  m.configure({ metricsPrefix: 'consul', disableHostname: false, prometheusRetentionMs: 0, hostname: 'node1' });
  m.setGauge(['runtime', 'alloc_bytes'], 10);
  m.incrCounter(['rpc', 'request']);
  let s = m.summary();
  assert.equal(s?.Gauges[0]?.Name, 'consul.node1.runtime.alloc_bytes');
  assert.equal(s?.Counters[0]?.Name, 'consul.rpc.request');
  m.configure({ metricsPrefix: 'consul', disableHostname: true, prometheusRetentionMs: 0, hostname: 'node1' });
  m.setGauge(['runtime', 'alloc_bytes'], 10);
  s = m.summary();
  assert.equal(s?.Gauges[0]?.Name, 'consul.runtime.alloc_bytes');
  assert.equal(m.prometheusEnabled, false);
});

test('Prometheus text (prom-client) parses, with go-metrics names and types', async () => {
  const p = new PrometheusSink(60_000);
  p.setGauge('consul.autopilot.healthy', [], 1);
  p.incrCounter('consul.rpc.request', [], 2);
  p.incrCounter('consul.rpc.request', [], 1);
  p.addSample('consul.kvs.apply', [], 1.5);
  p.setGauge('consul.members.clients', [{ name: 'datacenter', value: 'dc1' }], 4);
  const { text, contentType } = await p.scrape();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  assert.equal(families.get('consul_autopilot_healthy')?.type, 'GAUGE');
  assert.equal(families.get('consul_rpc_request')?.type, 'COUNTER');
  assert.equal(families.get('consul_rpc_request')?.metrics[0]?.value, '3');
  assert.equal(families.get('consul_kvs_apply')?.type, 'SUMMARY');
  assert.deepEqual(families.get('consul_members_clients')?.metrics[0]?.labels, { datacenter: 'dc1' });
  assert.ok(families.has('process_cpu_user_seconds_total'), 'process collectors as Consul has');
});

test('Prometheus series not updated within the retention time are dropped', async () => {
  let now = 0;
  const p = new PrometheusSink(1_000, () => now);
  p.setGauge('consul.old', [], 1);
  now = 5_000;
  p.setGauge('consul.fresh', [], 1);
  const { text } = await p.scrape();
  assert.match(text, /^consul_fresh 1$/m);
  assert.doesNotMatch(text, /consul_old/);
});

test('serf member events count as serf.member.join/left/failed', async () => {
  const { countSerfMemberEvent, metrics } = await import('../../../src/core/telemetry/index.js');
  metrics.configure({ metricsPrefix: 'consul', disableHostname: true, prometheusRetentionMs: 0 });
  countSerfMemberEvent('member-join', 2);
  countSerfMemberEvent('member-leave', 1);
  countSerfMemberEvent('member-failed', 1);
  countSerfMemberEvent('something-else', 1);
  const counters = metrics.summary()?.Counters ?? [];
  assert.deepEqual(
    counters.map((c) => [c.Name, c.Sum]),
    [
      ['consul.serf.member.failed', 1],
      ['consul.serf.member.join', 2],
      ['consul.serf.member.left', 1],
    ],
  );
});

test('the Prometheus sink loads on demand: updates made while prom-client loads are kept, none without retention', async () => {
  const m = new Metrics();
  m.configure({ metricsPrefix: 'consul', disableHostname: true, prometheusRetentionMs: 60_000 });
  assert.equal(m.prometheusEnabled, true);
  m.incrCounter(['early', 'counter'], 3); // before the dynamic import has resolved
  m.setGauge(['early', 'gauge'], 7);
  const out = await m.prometheus();
  assert.match(out?.text ?? '', /^consul_early_counter 3$/m);
  assert.match(out?.text ?? '', /^consul_early_gauge 7$/m);
  m.incrCounter(['early', 'counter'], 1); // loaded: straight to the sink
  assert.match((await m.prometheus())?.text ?? '', /^consul_early_counter 4$/m);

  m.configure({ metricsPrefix: 'consul', disableHostname: true, prometheusRetentionMs: 0 });
  assert.equal(m.prometheusEnabled, false);
  m.incrCounter(['early', 'counter'], 1);
  assert.equal(await m.prometheus(), undefined);
});
