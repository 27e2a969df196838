import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, type RuntimeConfig } from '../../../src/core/config/index.js';
import { dnsOptionsFromConfig, recursorAddress, serviceTtlFor, serviceTtlRules } from '../../../src/core/dns/config.js';

const rc = (file: Record<string, unknown>): RuntimeConfig => ({ domain: 'Consul.', datacenter: 'dc1', file }) as unknown as RuntimeConfig;

test('defaults as Consul', () => {
  const o = dnsOptionsFromConfig(rc({}));
  assert.equal(o.domain, 'consul');
  assert.equal(o.udpAnswerLimit, 3);
  assert.equal(o.allowStale, true);
  assert.equal(o.enableTruncate, false);
  assert.equal(o.recursorTimeoutMs, 2000);
  assert.deepEqual(o.soa, { refresh: 3600, retry: 600, expire: 86400, minTtl: 0 });
  assert.deepEqual(o.recursors, []);
});

test('dns_config keys, alt_domain and recursors', () => {
  const o = dnsOptionsFromConfig(
    rc({
      alt_domain: 'Test-Domain',
      recursors: ['8.8.8.8', '127.0.0.1:5353', '::1'],
      dns_config: { node_ttl: '10s', only_passing: true, udp_answer_limit: 5, a_record_limit: 2, enable_truncate: true, soa: { min_ttl: 30 }, recursor_timeout: '500ms' },
    }),
  );
  assert.equal(o.altDomain, 'test-domain');
  assert.deepEqual(o.recursors, ['8.8.8.8:53', '127.0.0.1:5353', '[::1]:53']);
  assert.equal(o.nodeTtlS, 10);
  assert.equal(o.onlyPassing, true);
  assert.equal(o.udpAnswerLimit, 5);
  assert.equal(o.aRecordLimit, 2);
  assert.equal(o.soa.minTtl, 30);
  assert.equal(o.soa.refresh, 3600);
  assert.equal(o.recursorTimeoutMs, 500);
});

test('service_ttl: exact name beats the longest prefix, * is the fallback', () => {
  const r = serviceTtlRules({ '*': '5s', web: '30s', 'db-*': '10s', 'db-master*': '1m' });
  assert.equal(serviceTtlFor(r, 'web'), 30);
  assert.equal(serviceTtlFor(r, 'WEB'), 30);
  assert.equal(serviceTtlFor(r, 'db-replica'), 10);
  assert.equal(serviceTtlFor(r, 'db-master-1'), 60);
  assert.equal(serviceTtlFor(r, 'api'), 5);
  assert.equal(serviceTtlFor(serviceTtlRules({}), 'api'), 0);
});

test('bad dns_config is a ConfigError naming the key', () => {
  assert.throws(() => dnsOptionsFromConfig(rc({ dns_config: { nope: 1 } })), (e: Error) => e instanceof ConfigError && /dns_config\.nope/.test(e.message));
  assert.throws(() => dnsOptionsFromConfig(rc({ dns_config: { node_ttl: 'soon' } })), ConfigError);
  assert.throws(() => dnsOptionsFromConfig(rc({ dns_config: { udp_answer_limit: -1 } })), ConfigError);
  assert.throws(() => dnsOptionsFromConfig(rc({ dns_config: { only_passing: 'yes' } })), /dns_config\.only_passing/);
  assert.equal(recursorAddress('[::1]:99'), '[::1]:99');
});
