// Message bodies: Go field names, sorted keys, byte-string Vsn/Addr, omitempty, and exact bytes
// against a ping serf sent.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PacketMessage } from '../../../../src/core/gossip/memberlist/messages.js';
import {
  MessageDecodeError,
  MessageEncodeError,
  MessageType,
  bytesToIp,
  decodeMessage,
  encodeMessage,
  ipToBytes,
  sizeOf,
} from '../../../../src/core/gossip/wire/index.js';
import { decode, encode, type GoMap } from '../../../../src/core/gossip/wire/msgpack.js';
import { SERF_UDP_PING } from './fixtures.js';

const meta = Uint8Array.of(0xff, 0x81, 0xa4, 0x72, 0x6f, 0x6c, 0x65, 0xa4, 0x74, 0x65, 0x73, 0x74);

const samples: PacketMessage[] = [
  { type: 'ping', seqNo: 1, node: 'a' },
  { type: 'ping', seqNo: 0xffffffff, node: 'b', sourceAddr: '10.1.2.3', sourcePort: 8301, sourceNode: 'c' },
  { type: 'indirectPing', seqNo: 7, target: '127.0.0.1', port: 7946, node: 't', nack: true, sourceAddr: '::1', sourcePort: 1, sourceNode: 's' },
  { type: 'ack', seqNo: 3, payload: Uint8Array.of(1, 2, 3) },
  { type: 'ack', seqNo: 4, payload: new Uint8Array(0) },
  { type: 'nack', seqNo: 5 },
  { type: 'suspect', incarnation: 9, node: 'x', from: 'y' },
  { type: 'dead', incarnation: 10, node: 'x', from: 'x' },
  { type: 'alive', incarnation: 2, node: 'n', addr: '192.168.0.1', port: 8301, meta, vsn: [1, 5, 2, 2, 5, 4] },
  { type: 'alive', incarnation: 2, node: 'v6', addr: 'fe80::1:2', port: 1, meta: new Uint8Array(0), vsn: [1, 5, 2, 2, 5, 4] },
  { type: 'user', payload: Uint8Array.of(1, 0x82, 0xa5) },
  { type: 'user', payload: new Uint8Array(0) },
];

function bodyOf(bytes: Uint8Array): GoMap {
  return decode(bytes, 1).value as GoMap;
}

describe('memberlist codec', () => {
  it('round-trips every message type, and sizeOf is the encoded length', () => {
    for (const m of samples) {
      const bytes = encodeMessage(m);
      assert.deepEqual(decodeMessage(bytes), m);
      assert.equal(sizeOf(m), bytes.length);
    }
  });

  it('writes the type byte memberlist uses', () => {
    const types = samples.map((m) => encodeMessage(m)[0]);
    assert.deepEqual(types, [0, 0, 1, 2, 2, 11, 3, 5, 4, 4, 8, 8]);
  });

  it('reproduces the exact bytes of a ping serf sent', () => {
    const m = decodeMessage(SERF_UDP_PING);
    assert.deepEqual(m, { type: 'ping', seqNo: 1, node: 'fake', sourceAddr: '127.0.0.1', sourcePort: 17951, sourceNode: 'a' });
    assert.deepEqual(encodeMessage(m), SERF_UDP_PING);
  });

  it('uses Go field names in sorted order, with Vsn and Addr as byte strings', () => {
    const bytes = encodeMessage(samples[8] as PacketMessage);
    const body = bodyOf(bytes);
    assert.deepEqual(Object.keys(body), ['Addr', 'Incarnation', 'Meta', 'Node', 'Port', 'Vsn']);
    assert.deepEqual(body['Vsn'], Uint8Array.of(1, 5, 2, 2, 5, 4));
    assert.deepEqual(body['Addr'], Uint8Array.of(192, 168, 0, 1));
    // The 6-byte Vsn is a fixstr (0xa6), not a fixarray (0x96).
    const at = bytes.indexOf(0xa6, bytes.length - 8);
    assert.deepEqual([...bytes.subarray(at)], [0xa6, 1, 5, 2, 2, 5, 4]);
  });

  it('leaves out empty SourceAddr/SourcePort/SourceNode and writes an empty []byte as nil', () => {
    assert.deepEqual(Object.keys(bodyOf(encodeMessage({ type: 'ping', seqNo: 1, node: 'a' }))), ['Node', 'SeqNo']);
    const ack = encodeMessage({ type: 'ack', seqNo: 1, payload: new Uint8Array(0) });
    assert.equal(bodyOf(ack)['Payload'], null);
  });

  it('writes a UDP user message as the type byte plus the raw payload', () => {
    assert.deepEqual(encodeMessage({ type: 'user', payload: Uint8Array.of(9, 9) }), Uint8Array.of(8, 9, 9));
  });

  it('decodes leniently like Go: unknown fields ignored, missing ones zero, trailing bytes ignored', () => {
    const body = encode({ SeqNo: 5, Extra: 'x' });
    const bytes = Uint8Array.of(MessageType.ping, ...body, 0xc1, 0xc1);
    assert.deepEqual(decodeMessage(bytes), { type: 'ping', seqNo: 5, node: '' });
    // Vsn sent as an array of small integers still reads (Go decodes arrays into []uint8).
    const alive = Uint8Array.of(MessageType.alive, ...encode({ Node: 'n', Vsn: [1, 5, 2, 2, 5, 4] }));
    const m = decodeMessage(alive);
    assert.equal(m.type, 'alive');
    if (m.type === 'alive') assert.deepEqual(m.vsn, [1, 5, 2, 2, 5, 4]);
  });

  it('refuses malformed bodies with MessageDecodeError', () => {
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(MessageType.ping, ...encode({ SeqNo: -1 })),
      Uint8Array.of(MessageType.ping, ...encode({ SeqNo: 2 ** 32 })),
      Uint8Array.of(MessageType.ping, ...encode({ Node: 5 })),
      Uint8Array.of(MessageType.alive, ...encode({ Addr: Uint8Array.of(1, 2, 3) })),
      Uint8Array.of(MessageType.alive, ...encode({ Vsn: Uint8Array.of(1, 2, 3) })),
      Uint8Array.of(MessageType.alive, ...encode({ Port: 70000 })),
      Uint8Array.of(MessageType.ping, 0x85),
      Uint8Array.of(MessageType.ping, 0xc1),
      Uint8Array.of(MessageType.pushPull),
      Uint8Array.of(200),
    ];
    for (const b of bad) assert.throws(() => decodeMessage(b), MessageDecodeError, `bytes ${[...b]}`);
  });

  it('refuses unencodable values with MessageEncodeError', () => {
    assert.throws(() => encodeMessage({ type: 'ping', seqNo: -1, node: 'a' }), MessageEncodeError);
    assert.throws(() => encodeMessage({ type: 'nack', seqNo: 2 ** 32 }), MessageEncodeError);
    assert.throws(
      () => encodeMessage({ type: 'alive', incarnation: 1, node: 'n', addr: 'not-an-ip', port: 1, meta, vsn: [1, 5, 2, 2, 5, 4] }),
      MessageEncodeError,
    );
    assert.throws(
      () => encodeMessage({ type: 'alive', incarnation: 1, node: 'n', addr: '1.2.3.4', port: 1, meta, vsn: [1, 5, 2, 2, 5, 256] }),
      MessageEncodeError,
    );
  });
});

describe('ip conversion', () => {
  it('maps IPv4 to 4 bytes and IPv6 to 16, printing like Go', () => {
    assert.deepEqual(ipToBytes('127.0.0.1'), Uint8Array.of(127, 0, 0, 1));
    assert.deepEqual(ipToBytes(''), new Uint8Array(0));
    const cases: [string, string][] = [
      ['::1', '::1'],
      ['::', '::'],
      ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
      ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
      ['fe80::1%eth0', 'fe80::1'],
      ['[2001:db8::1]', '2001:db8::1'],
    ];
    for (const [input, printed] of cases) {
      const b = ipToBytes(input);
      assert.equal(b.length, 16, input);
      assert.equal(bytesToIp(b), printed, input);
    }
    // memberlist advertises IPv4 as 4 bytes (net.IP.To4), also when written IPv4-mapped.
    assert.deepEqual(ipToBytes('::ffff:10.0.0.1'), Uint8Array.of(10, 0, 0, 1));
    for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '1::2::3', '1:2:3:4:5:6:7:8:9', 'host']) {
      assert.throws(() => ipToBytes(bad), MessageEncodeError, bad);
    }
  });
});
