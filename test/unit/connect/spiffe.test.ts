import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canSign, parseSpiffeId, serviceSpiffeUri, SpiffeError } from '../../../src/core/connect/spiffe.js';

test('service, agent and signing SPIFFE IDs parse into their types (Consul: connect.ParseCertURI)', () => {
  assert.deepEqual(parseSpiffeId('spiffe://1234.consul/ns/default/dc/dc1/svc/web'), {
    type: 'service',
    host: '1234.consul',
    partition: 'default',
    namespace: 'default',
    datacenter: 'dc1',
    service: 'web',
  });
  assert.equal(parseSpiffeId('spiffe://1234.consul/ap/p1/ns/default/dc/dc1/svc/web').type, 'service');
  assert.deepEqual(parseSpiffeId('spiffe://1234.consul/agent/client/dc/dc1/id/node-a'), { type: 'agent', host: '1234.consul', datacenter: 'dc1', agent: 'node-a' });
  assert.deepEqual(parseSpiffeId('spiffe://1234.consul'), { type: 'signing', host: '1234.consul' });
  assert.equal(serviceSpiffeUri('1234.consul', 'dc1', 'db'), 'spiffe://1234.consul/ns/default/dc/dc1/svc/db');
});

test('malformed SPIFFE IDs are refused with an error, never a crash', () => {
  for (const bad of ['', 'garbage', 'http://1234.consul/ns/default/dc/dc1/svc/web', 'spiffe:///ns/default/dc/dc1/svc/web', 'spiffe://1234.consul/ns/default/svc/web', 'spiffe://1234.consul/ns/default/dc/dc1/svc/']) {
    assert.throws(() => parseSpiffeId(bad), SpiffeError, bad);
  }
});

test('a trust domain signs only its own IDs', () => {
  const id = parseSpiffeId('spiffe://1234.consul/ns/default/dc/dc1/svc/web');
  assert.equal(canSign('1234.consul', id), true);
  assert.equal(canSign('9999.consul', id), false);
  assert.equal(canSign('1234.consul', parseSpiffeId('spiffe://1234.consul')), false);
});
