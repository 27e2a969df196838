import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hexToIp, parseName, parseLocality } from '../../../src/core/dns/parse-name.js';

const ctx = { domain: 'consul', altDomain: 'test-domain', datacenter: 'dc1' };
const parse = (name: string, srv = false) => parseName(name, srv, ctx);

test('node names: plain, dotted, with datacenter forms', () => {
  assert.deepEqual(parse('foo.node.consul'), { kind: 'node', domain: 'consul', dc: 'dc1', node: 'foo' });
  assert.deepEqual(parse('foo.bar.node.consul'), { kind: 'node', domain: 'consul', dc: 'dc1', node: 'foo.bar' });
  assert.deepEqual(parse('foo.node.dc2.consul'), { kind: 'node', domain: 'consul', dc: 'dc2', node: 'foo' });
  assert.deepEqual(parse('foo.node.dc2.dc.consul'), { kind: 'node', domain: 'consul', dc: 'dc2', node: 'foo' });
  // right to left: a node may itself be called "node"
  assert.deepEqual(parse('node.node.consul'), { kind: 'node', domain: 'consul', dc: 'dc1', node: 'node' });
});

test('service names: tags join every label before the service', () => {
  assert.deepEqual(parse('web.service.consul'), { kind: 'service', domain: 'consul', dc: 'dc1', service: 'web', tag: undefined });
  assert.deepEqual(parse('rails.web.service.consul'), { kind: 'service', domain: 'consul', dc: 'dc1', service: 'web', tag: 'rails' });
  assert.deepEqual(parse('v1.2.web.service.dc1.consul'), { kind: 'service', domain: 'consul', dc: 'dc1', service: 'web', tag: 'v1.2' });
  assert.deepEqual(parse('web.service.default.ns.dc3.dc.consul'), { kind: 'service', domain: 'consul', dc: 'dc3', service: 'web', tag: undefined });
});

test('RFC 2782 names: _tcp is no tag, the service keyword may be left out for SRV only', () => {
  assert.deepEqual(parse('_web._tcp.service.consul'), { kind: 'service', domain: 'consul', dc: 'dc1', service: 'web', tag: undefined });
  assert.deepEqual(parse('_web._rails.service.consul'), { kind: 'service', domain: 'consul', dc: 'dc1', service: 'web', tag: 'rails' });
  assert.deepEqual(parse('_web._tcp.consul', true), { kind: 'service', domain: 'consul', dc: 'dc1', service: 'web', tag: undefined });
  assert.deepEqual(parse('_web._udp.dc2.consul', true), { kind: 'service', domain: 'consul', dc: 'dc2', service: 'web', tag: 'udp' });
  assert.equal(parse('_web._tcp.consul', false).kind, 'invalid');
});

test('addr, alt domain, apex, outside, bad shapes', () => {
  assert.deepEqual(parse('7f000001.addr.dc1.consul'), { kind: 'addr', domain: 'consul', dc: 'dc1', hex: '7f000001' });
  assert.deepEqual(parse('web.service.test-domain'), { kind: 'service', domain: 'test-domain', dc: 'dc1', service: 'web', tag: undefined });
  assert.deepEqual(parse('consul'), { kind: 'apex', domain: 'consul' });
  assert.deepEqual(parse('example.com'), { kind: 'outside' });
  assert.deepEqual(parse('notconsul'), { kind: 'outside' });
  assert.equal(parse('service.consul').kind, 'invalid');
  assert.equal(parse('foo.consul').kind, 'invalid');
  assert.equal(parse('web.service.a.b.c.consul').kind, 'invalid');
  assert.equal(parse('web.service.other.ns.consul').kind, 'invalid');
  assert.equal(parse('x.query.consul').kind, 'unsupported');
});

test('PTR names', () => {
  assert.deepEqual(parse('4.3.2.1.in-addr.arpa'), { kind: 'ptr', domain: 'consul', ip: '1.2.3.4' });
  assert.equal(parse('300.3.2.1.in-addr.arpa').kind, 'outside');
  const v6 = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa';
  assert.deepEqual(parse(v6), { kind: 'ptr', domain: 'consul', ip: '::1' });
});

test('hexToIp and locality', () => {
  assert.equal(hexToIp('7f000001'), '127.0.0.1');
  assert.equal(hexToIp('20010db8000000000000000000000001'), '2001:db8::1');
  assert.equal(hexToIp('zz000001'), undefined);
  assert.equal(hexToIp('7f0001'), undefined);
  assert.equal(parseLocality([], 'dc1'), 'dc1');
  assert.equal(parseLocality(['x', 'peer'], 'dc1'), undefined);
});
