import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { EncodeError, encodeMessage, uncompressedSize, type Message, type Rr } from '../../../src/core/dns/encode.js';

const rrs: Rr[] = [
  { type: 'A', name: 'web.service.consul', ttl: 5, data: Buffer.from([10, 0, 0, 1]) },
  { type: 'AAAA', name: 'web.service.consul', ttl: 5, data: Buffer.from('20010db8000000000000000000000001', 'hex') },
  { type: 'CNAME', name: 'shop.service.consul', ttl: 0, data: 'www.amazon.com' },
  { type: 'SRV', name: 'web.service.consul', ttl: 0, data: { priority: 1, weight: 3, port: 80, target: 'n1.node.dc1.consul' } },
  { type: 'TXT', name: 'n1.node.consul', ttl: 0, data: ['a=b', 'x'.repeat(300)] },
  { type: 'NS', name: 'consul', ttl: 0, data: 'n1.node.dc1.consul' },
  { type: 'SOA', name: 'consul', ttl: 0, data: { mname: 'ns.consul', rname: 'hostmaster.consul', serial: 123, refresh: 3600, retry: 600, expire: 86400, minimum: 0 } },
];

function msg(answers: Rr[]): Message {
  return { id: 7, flags: 0x8400, rcode: 0, question: { name: 'web.service.consul', type: 1, class: 1 }, answers, authority: [], additional: [], opt: { udpSize: 4096, options: Buffer.alloc(0) } };
}

test('every record type round-trips through dns-packet, compressed or not', () => {
  for (const compress of [true, false]) {
    const p = dnsPacket.decode(encodeMessage(msg(rrs), compress));
    assert.equal(p.id, 7);
    const a = p.answers ?? [];
    assert.equal(a.length, rrs.length);
    assert.equal((a[0] as { data: string }).data, '10.0.0.1');
    assert.equal((a[1] as { data: string }).data, '2001:db8::1');
    assert.equal((a[2] as { data: string }).data, 'www.amazon.com');
    assert.deepEqual((a[3] as { data: unknown }).data, { priority: 1, weight: 3, port: 80, target: 'n1.node.dc1.consul' });
    const txt = (a[4] as { data: Buffer[] }).data.map((b) => b.toString());
    assert.equal(txt[0], 'a=b');
    assert.equal(txt.slice(1).join(''), 'x'.repeat(300), 'long strings are split in 255-byte pieces');
    assert.equal((a[5] as { data: string }).data, 'n1.node.dc1.consul');
    assert.equal((a[6] as { data: { serial: number } }).data.serial, 123);
    const opt = (p.additionals ?? [])[0] as { type: string; udpPayloadSize: number };
    assert.equal(opt.type, 'OPT');
    assert.equal(opt.udpPayloadSize, 4096);
  }
});

test('compression shrinks, and uncompressedSize matches the plain encoding', () => {
  const plain = encodeMessage(msg(rrs), false);
  const packed = encodeMessage(msg(rrs), true);
  assert.ok(packed.length < plain.length);
  assert.equal(uncompressedSize(msg(rrs)), plain.length);
});

test('bad names throw EncodeError', () => {
  assert.throws(() => encodeMessage(msg([{ type: 'A', name: 'x'.repeat(64) + '.consul', ttl: 0, data: Buffer.alloc(4) }]), true), EncodeError);
  assert.throws(() => encodeMessage(msg([{ type: 'A', name: 'a..b', ttl: 0, data: Buffer.alloc(4) }]), true), EncodeError);
});
