import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { decodeQuery } from '../../../src/core/dns/decode.js';

test('decodes the question (lower-cased) and the EDNS size and ECS option', () => {
  const q = dnsPacket.encode({
    type: 'query',
    id: 9,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'SRV', name: 'WEB.Service.Consul' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '10.1.2.0' }] } as never],
  });
  const d = decodeQuery(q);
  assert.ok(d);
  assert.equal(d.id, 9);
  assert.deepEqual(d.question, { name: 'web.service.consul', type: 33, class: 1 });
  assert.equal(d.edns?.udpSize, 1232);
  assert.equal(d.edns?.ecs?.readUInt8(2), 24);
});

test('garbage never throws, truncated messages are rejected', () => {
  const q = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'web.service.consul' }] });
  for (let n = 0; n < q.length; n++) assert.equal(decodeQuery(q.subarray(0, n)), undefined, `prefix of ${n} bytes`);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => void decodeQuery(Buffer.from(bytes))));
});
