import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { answersOf, ask, Catalog, flagsOf, handlerFor, query, quietLog, rcodeOf } from './fixtures.js';
import { DnsHandler } from '../../../src/core/dns/handler.js';
import { DNS_DEFAULTS } from '../../../src/core/dns/config.js';
import { serviceTtlRules } from '../../../src/core/dns/config.js';

const ANY = 'ANY' as never;

const AA = dnsPacket.AUTHORITATIVE_ANSWER;
const TC = dnsPacket.TRUNCATED_RESPONSE;
const RA = dnsPacket.RECURSION_AVAILABLE;

function basic(): Catalog {
  return new Catalog()
    .register({ Node: 'n1', Address: '10.0.0.1', NodeMeta: { rack: 'r1', 'rfc1035-raw': 'plain', 'a=b': 'c' } }, { ID: 'web1', Service: 'web', Tags: ['rails'], Port: 80 })
    .register({ Node: 'n2', Address: '10.0.0.2' }, { ID: 'web2', Service: 'web', Port: 81, Address: '10.0.0.9', Weights: { Passing: 7, Warning: 2 } })
    .register({ Node: 'v6', Address: '2001:db8::1' })
    .register({ Node: 'amazon', Address: 'www.amazon.com' }, { ID: 'shop', Service: 'shop', Port: 80 });
}

test('node A answers with the address, node meta TXT in Additional, AA set', () => {
  const h = handlerFor(basic());
  const p = ask(h, 'n1.node.consul');
  assert.equal(rcodeOf(p), 'NOERROR');
  assert.ok(flagsOf(p) & AA);
  assert.equal(flagsOf(p) & RA, 0, 'RA only with recursors');
  assert.deepEqual(answersOf(p).map((a) => a.data), ['10.0.0.1']);
  const txt = (p.additionals ?? []).filter((a) => a.type === 'TXT').map((a) => (a.data as Buffer[])[0]?.toString());
  assert.deepEqual(txt, ['a`=b=c', 'rack=r1', 'plain']);
  assert.deepEqual(answersOf(ask(h, 'N1.NODE.DC1.CONSUL')).map((a) => a.data), ['10.0.0.1'], 'case-insensitive, with datacenter');
});

test('node TXT and ANY put the meta in Answer; other types are NODATA', () => {
  const h = handlerFor(basic());
  assert.equal(answersOf(ask(h, 'n1.node.consul', 'TXT'), 'TXT').length, 3);
  const any = ask(h, 'n1.node.consul', ANY, { edns: 1232 });
  assert.equal(answersOf(any, 'A').length, 1);
  assert.equal(answersOf(any, 'TXT').length, 3);
  const nodata = ask(h, 'n1.node.consul', 'MX');
  assert.equal(rcodeOf(nodata), 'NOERROR');
  assert.equal(answersOf(nodata).length, 0);
  assert.equal(nodata.authorities?.[0]?.type, 'SOA');
  assert.deepEqual(answersOf(ask(h, 'v6.node.consul', 'AAAA')).map((a) => a.data), ['2001:db8::1']);
  assert.equal(answersOf(ask(h, 'v6.node.consul', 'A')).length, 0);
});

test('unknown names, unknown datacenter and bad shapes are NXDOMAIN with the SOA', () => {
  const h = handlerFor(basic());
  for (const name of ['nope.node.consul', 'nope.service.consul', 'web.service.dc9.consul', 'n1.node.dc9.consul', 'foo.consul', 'consul', 'x.query.consul']) {
    const p = ask(h, name);
    assert.equal(rcodeOf(p), 'NXDOMAIN', name);
    assert.ok(flagsOf(p) & AA, name);
    const soa = p.authorities?.[0] as { type: string; name: string; data: { mname: string; rname: string; serial: number; refresh: number; minimum: number } };
    assert.equal(soa.type, 'SOA');
    assert.equal(soa.name, 'consul');
    assert.equal(soa.data.mname, 'ns.consul');
    assert.equal(soa.data.rname, 'hostmaster.consul');
    assert.ok(Math.abs(soa.data.serial - Date.now() / 1000) < 5);
    assert.equal(soa.data.refresh, 3600);
  }
});

test('service A: service address wins, duplicates removed, tags filter, CNAME for host names', () => {
  const h = handlerFor(basic());
  assert.deepEqual(answersOf(ask(h, 'web.service.consul')).map((a) => a.data).sort(), ['10.0.0.1', '10.0.0.9']);
  assert.deepEqual(answersOf(ask(h, 'rails.web.service.consul')).map((a) => a.data), ['10.0.0.1']);
  assert.deepEqual(answersOf(ask(h, 'RAILS.Web.Service.consul')).map((a) => a.data), ['10.0.0.1']);
  assert.equal(rcodeOf(ask(h, 'nosuchtag.web.service.consul')), 'NXDOMAIN');
  const shop = ask(h, 'shop.service.consul');
  assert.deepEqual(answersOf(shop).map((a) => [a.type, a.data]), [['CNAME', 'www.amazon.com']]);
  const aaaa = ask(h, 'web.service.consul', 'AAAA');
  assert.equal(rcodeOf(aaaa), 'NOERROR', 'IPv4-only service: NODATA');
  assert.equal(answersOf(aaaa).length, 0);
  assert.equal(aaaa.authorities?.[0]?.type, 'SOA');
});

test('service SRV: priority 1, weights, node or addr targets, A records in Additional', () => {
  const h = handlerFor(basic());
  for (const name of ['web.service.consul', '_web._tcp.service.consul', '_web._tcp.consul']) {
    const p = ask(h, name, 'SRV');
    const srv = answersOf(p, 'SRV').map((a) => a.data).sort((a, b) => a.port - b.port);
    assert.deepEqual(srv, [
      { priority: 1, weight: 1, port: 80, target: 'n1.node.dc1.consul' },
      { priority: 1, weight: 7, port: 81, target: '0a000009.addr.dc1.consul' },
    ], name);
    const extra = (p.additionals ?? []).filter((a) => a.type === 'A').map((a) => [a.name, (a as { data: string }).data]).sort();
    assert.deepEqual(extra, [['0a000009.addr.dc1.consul', '10.0.0.9'], ['n1.node.dc1.consul', '10.0.0.1']]);
  }
  assert.deepEqual(answersOf(ask(h, '_web._rails.service.consul', 'SRV')).map((a) => a.data.port), [80]);
  assert.deepEqual(answersOf(ask(h, 'shop.service.consul', 'SRV')).map((a) => a.data.target), ['www.amazon.com']);
});

test('addr lookups: A, AAAA, other type in Additional', () => {
  const h = handlerFor(basic());
  assert.deepEqual(answersOf(ask(h, '7f000001.addr.dc1.consul')).map((a) => a.data), ['127.0.0.1']);
  assert.deepEqual(answersOf(ask(h, '20010db8000000000000000000000001.addr.dc1.consul', 'AAAA')).map((a) => a.data), ['2001:db8::1']);
  const other = ask(h, '7f000001.addr.dc1.consul', 'AAAA');
  assert.equal(rcodeOf(other), 'NOERROR');
  assert.equal(answersOf(other).length, 0);
  assert.equal(other.additionals?.[0]?.type, 'A');
  assert.equal(rcodeOf(ask(h, 'zz.addr.dc1.consul')), 'NXDOMAIN');
});

test('health: any critical check (node, serfHealth, maintenance, service) drops the instance; warning stays unless only_passing', () => {
  const cat = new Catalog()
    .register({ Node: 'a', Address: '10.0.0.1' }, { ID: 'web', Port: 80 })
    .register({ Node: 'b', Address: '10.0.0.2' }, { ID: 'web', Port: 80 })
    .register({ Node: 'c', Address: '10.0.0.3' }, { ID: 'web', Port: 80 })
    .register({ Node: 'd', Address: '10.0.0.4' }, { ID: 'web', Port: 80 })
    .check('a', 'serfHealth', 'critical')
    .check('b', 'service:web', 'critical', 'web')
    .check('c', 'service:web', 'warning', 'web')
    .check('d', '_node_maintenance', 'maintenance');
  const ips = (only: boolean) => answersOf(ask(handlerFor(cat, { onlyPassing: only }), 'web.service.consul')).map((a) => a.data);
  assert.deepEqual(ips(false), ['10.0.0.3']);
  const warning = answersOf(ask(handlerFor(cat), 'web.service.consul', 'SRV'), 'SRV')[0];
  assert.equal(warning.data.weight, 1, 'Weights.Warning for a warning instance');
  const p = ask(handlerFor(cat, { onlyPassing: true }), 'web.service.consul');
  assert.equal(rcodeOf(p), 'NXDOMAIN', 'zero healthy instances');
  assert.ok(p.authorities?.[0]);
});

test('answers are shuffled and memoized answers follow catalog changes', () => {
  const cat = new Catalog();
  for (let i = 1; i <= 10; i++) cat.register({ Node: `n${i}`, Address: `10.0.0.${i}` }, { ID: 'web', Port: 80 });
  const h = handlerFor(cat);
  const firsts = new Set<string>();
  for (let i = 0; i < 200; i++) firsts.add(answersOf(ask(h, 'web.service.consul', 'A', { edns: 4096 }))[0].data);
  assert.ok(firsts.size > 3, `first answer varies (${firsts.size})`);
  cat.register({ Node: 'n11', Address: '10.0.0.11' }, { ID: 'web', Port: 80 });
  assert.equal(answersOf(ask(h, 'web.service.consul', 'A', { edns: 4096 })).length, 11);
  cat.check('n11', 'serfHealth', 'critical');
  assert.equal(answersOf(ask(h, 'web.service.consul', 'A', { edns: 4096 })).length, 10);
});

test('UDP without EDNS: udp_answer_limit answers, TC only with enable_truncate; EDNS and TCP give all', () => {
  const cat = new Catalog();
  for (let i = 1; i <= 20; i++) cat.register({ Node: `node-${i}`, Address: `10.0.0.${i}` }, { ID: 'web', Port: 80 });
  const h = handlerFor(cat);
  const plain = ask(h, 'web.service.consul');
  assert.equal(answersOf(plain).length, 3);
  assert.equal(flagsOf(plain) & TC, 0);
  const srv = ask(h, 'web.service.consul', 'SRV');
  assert.equal(answersOf(srv, 'SRV').length, 3);
  const targets = new Set(answersOf(srv, 'SRV').map((a) => a.data.target));
  assert.deepEqual(new Set((srv.additionals ?? []).filter((a) => a.type === 'A').map((a) => a.name as string)), targets, 'Additional in step with the answers');
  assert.ok(flagsOf(ask(handlerFor(cat, { enableTruncate: true }), 'web.service.consul')) & TC);
  assert.equal(answersOf(ask(handlerFor(cat, { udpAnswerLimit: 5 }), 'web.service.consul')).length, 5);
  assert.equal(answersOf(ask(handlerFor(cat, { udpAnswerLimit: 50 }), 'web.service.consul')).length, 8, 'never more than 8');
  const edns = ask(h, 'web.service.consul', 'A', { edns: 4096 });
  assert.equal(answersOf(edns).length, 20);
  const opt = (edns.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize: number } | undefined;
  assert.equal(opt?.udpPayloadSize, 4096, 'OPT echoed with the client size');
  assert.equal(answersOf(ask(h, 'web.service.consul', 'A', { tcp: true })).length, 20);
  assert.equal(answersOf(ask(handlerFor(cat, { aRecordLimit: 2 }), 'web.service.consul', 'A', { tcp: true })).length, 2, 'a_record_limit on every transport');
});

test('byte limits: 512 without EDNS, the advertised EDNS size otherwise', () => {
  const cat = new Catalog();
  const long = 'x'.repeat(60);
  for (let i = 1; i <= 60; i++) cat.register({ Node: `${long}-${i}`, Address: `10.0.0.${i}` }, { ID: 'web', Port: 80 });
  const h = handlerFor(cat, { udpAnswerLimit: 8 });
  const small = ask(h, 'web.service.consul', 'SRV');
  assert.ok(small.raw.length <= 512, `${small.raw.length} bytes`);
  assert.ok(answersOf(small, 'SRV').length >= 1 && answersOf(small, 'SRV').length < 8);
  const big = ask(h, 'web.service.consul', 'SRV', { edns: 1232 });
  assert.ok(big.raw.length <= 1232, `${big.raw.length} bytes`);
  assert.ok(answersOf(big, 'SRV').length > answersOf(small, 'SRV').length);
  assert.ok(answersOf(big, 'SRV').length < 60);
  const tcp = ask(h, 'web.service.consul', 'SRV', { tcp: true });
  assert.equal(answersOf(tcp, 'SRV').length, 60);
});

test('TTLs: node_ttl for nodes, service_ttl rules for services, SOA min_ttl', () => {
  const cat = basic();
  const h = handlerFor(cat, { nodeTtlS: 11, serviceTtl: serviceTtlRules({ '*': '5s', web: '30s' }), soa: { refresh: 1, retry: 2, expire: 3, minTtl: 4 } });
  assert.equal(answersOf(ask(h, 'n1.node.consul'))[0].ttl, 11);
  assert.equal(answersOf(ask(h, 'web.service.consul'))[0].ttl, 30);
  assert.equal(answersOf(ask(h, 'shop.service.consul'))[0].ttl, 5);
  const nx = ask(h, 'nope.service.consul');
  const soa = nx.authorities?.[0] as { ttl: number; data: { refresh: number; retry: number; expire: number; minimum: number } };
  assert.deepEqual([soa.ttl, soa.data.refresh, soa.data.retry, soa.data.expire, soa.data.minimum], [4, 1, 2, 3, 4]);
});

test('SOA and NS questions: servers of the consul service, glue in Additional', () => {
  const cat = basic().register({ Node: 'srv1', Address: '10.1.0.1' }, { ID: 'consul', Service: 'consul', Port: 8300 });
  const h = handlerFor(cat);
  const soa = ask(h, 'consul', 'SOA');
  assert.equal(answersOf(soa)[0].type, 'SOA');
  assert.deepEqual(soa.authorities?.map((a) => [a.type, (a as { data: string }).data]), [['NS', 'srv1.node.dc1.consul']]);
  assert.deepEqual(soa.additionals?.filter((a) => a.type === 'A').map((a) => (a as { data: string }).data), ['10.1.0.1']);
  const ns = ask(h, 'web.service.consul', 'NS');
  assert.deepEqual(answersOf(ns).map((a) => [a.name, a.data]), [['consul', 'srv1.node.dc1.consul']]);
  assert.deepEqual(ns.additionals?.filter((a) => a.type === 'A').map((a) => a.name), ['srv1.node.dc1.consul']);
});

test('alt_domain is answered and echoed', () => {
  const h = handlerFor(basic(), { altDomain: 'test-domain' });
  const p = ask(h, 'n1.node.test-domain');
  assert.deepEqual(answersOf(p).map((a) => [a.name, a.data]), [['n1.node.test-domain', '10.0.0.1']]);
  assert.equal(ask(h, 'nope.node.test-domain').authorities?.[0]?.name, 'test-domain');
  assert.equal(answersOf(ask(h, 'web.service.test-domain', 'SRV'), 'SRV').find((a) => a.data.port === 80)?.data.target, 'n1.node.dc1.test-domain');
});

test('outside the domain without recursors: REFUSED; AXFR: NOTIMP; PTR for a node', () => {
  const h = handlerFor(basic());
  assert.equal(rcodeOf(ask(h, 'example.com')), 'REFUSED');
  assert.equal(rcodeOf(ask(h, 'consul', 'AXFR')), 'NOTIMP');
  assert.deepEqual(answersOf(ask(h, '1.0.0.10.in-addr.arpa', 'PTR')).map((a) => a.data), ['n1.node.dc1.consul']);
  assert.equal(rcodeOf(ask(h, '9.9.9.9.in-addr.arpa', 'PTR')), 'NXDOMAIN');
  assert.ok(flagsOf(ask(handlerFor(basic(), { recursors: ['127.0.0.1:1'] }), 'n1.node.consul')) & RA, 'RA with recursors');
});

test('malformed packets are dropped; responses are never answered; opcode and qdcount errors', () => {
  const h = handlerFor(basic());
  assert.equal(h.handle(Buffer.from('hello'), false), undefined);
  assert.equal(h.handle(Buffer.alloc(0), false), undefined);
  const q = query('n1.node.consul');
  assert.equal(h.handle(q.subarray(0, q.length - 3), false), undefined);
  const resp = Buffer.from(q);
  resp[2] = (resp[2] as number) | 0x80;
  assert.equal(h.handle(resp, false), undefined, 'QR set');
  const notify = Buffer.from(q);
  notify[2] = ((notify[2] as number) & 0x87) | (4 << 3);
  assert.equal(rcodeOf(dnsPacket.decode(h.handle(notify, false) as Buffer)), 'NOTIMP');
  const noq = Buffer.from(q.subarray(0, 12));
  noq.writeUInt16BE(0, 4);
  assert.equal(rcodeOf(dnsPacket.decode(h.handle(noq, false) as Buffer)), 'FORMERR');
  for (let i = 0; i < 2000; i++) {
    const junk = Buffer.from(q);
    junk[Math.floor(Math.random() * junk.length)] = Math.floor(Math.random() * 256);
    h.handle(junk, false);
  }
});

test('no server (client agent without servers): SERVFAIL', () => {
  const h = new DnsHandler(DNS_DEFAULTS, () => undefined, quietLog);
  assert.equal(rcodeOf(dnsPacket.decode(h.handle(query('n1.node.consul'), false) as Buffer)), 'SERVFAIL');
});
