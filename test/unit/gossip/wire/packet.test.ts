// The UDP layer: serf captures decode; our encodings round-trip through every layer combination;
// labels, CRC, encryption rollout and compound edge cases behave as memberlist's ingestPacket.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PacketMessage } from '../../../../src/core/gossip/memberlist/messages.js';
import {
  ChecksumError,
  DecryptError,
  Keyring,
  LabelError,
  MessageEncodeError,
  PacketError,
  WireError,
  compressMessage,
  decodePacket,
  encodeMessage,
  encodePacket,
  makeCompound,
  wrapPacket,
} from '../../../../src/core/gossip/wire/index.js';
import { FIXTURE_KEY, SERF_UDP_ACK, SERF_UDP_GOSSIP, SERF_UDP_GOSSIP_ENCRYPTED, SERF_UDP_PING, SERF_UDP_PING_ENCRYPTED } from './fixtures.js';

const plainOpts = { verifyIncoming: true };
const serfMeta = Uint8Array.of(0xff, 0x81, 0xa4, 0x72, 0x6f, 0x6c, 0x65, 0xa4, 0x74, 0x65, 0x73, 0x74); // {role: test}
const alive = (name: string, n: number): PacketMessage => ({
  type: 'alive',
  incarnation: n,
  node: name,
  addr: '127.0.0.1',
  port: 7946,
  meta: serfMeta,
  vsn: [1, 5, 2, 2, 5, 5],
});

describe('decodePacket on serf captures', () => {
  it('reads a plain direct ping', () => {
    assert.deepEqual(decodePacket(SERF_UDP_PING, plainOpts), [
      { type: 'ping', seqNo: 1, node: 'fake', sourceAddr: '127.0.0.1', sourcePort: 17951, sourceNode: 'a' },
    ]);
  });

  it('reads gossip: hasCrc + compress + compound of two alives and a serf join intent', () => {
    const msgs = decodePacket(SERF_UDP_GOSSIP, plainOpts);
    assert.deepEqual(
      msgs.map((m) => m.type),
      ['alive', 'alive', 'user'],
    );
    const a = msgs[1];
    assert.ok(a !== undefined && a.type === 'alive');
    assert.equal(a.node, 'a');
    assert.equal(a.addr, '127.0.0.1');
    assert.equal(a.port, 17951);
    assert.deepEqual(a.meta, serfMeta);
    assert.deepEqual(a.vsn, [1, 5, 2, 2, 5, 5]);
    const user = msgs[2];
    assert.ok(user !== undefined && user.type === 'user');
    assert.equal(user.payload[0], 1); // serf messageJoinType
  });

  it('reads a compressed ack carrying a Vivaldi coordinate', () => {
    const [ack] = decodePacket(SERF_UDP_ACK, plainOpts);
    assert.ok(ack !== undefined && ack.type === 'ack');
    assert.equal(ack.seqNo, 101);
    assert.equal(ack.payload.length, 130);
    assert.equal(ack.payload[0], 1); // ping version
  });

  it('decrypts encrypted captures with the key, and refuses them without it', () => {
    const keyring = new Keyring([], FIXTURE_KEY);
    const gossip = decodePacket(SERF_UDP_GOSSIP_ENCRYPTED, { keyring, verifyIncoming: true });
    assert.deepEqual(
      gossip.map((m) => m.type),
      ['alive', 'alive', 'user'],
    );
    const [ping] = decodePacket(SERF_UDP_PING_ENCRYPTED, { keyring, verifyIncoming: true });
    assert.ok(ping !== undefined && ping.type === 'ping');
    assert.equal(ping.sourcePort, 17961);
    assert.throws(() => decodePacket(SERF_UDP_PING_ENCRYPTED, { keyring: new Keyring([], new Uint8Array(32)), verifyIncoming: true }), DecryptError);
  });
});

describe('encodePacket / decodePacket', () => {
  const one: PacketMessage[] = [{ type: 'ping', seqNo: 42, node: 'b', sourceAddr: '127.0.0.1', sourcePort: 7946, sourceNode: 'a' }];
  const many: PacketMessage[] = [
    { type: 'ack', seqNo: 1, payload: new Uint8Array(130).fill(3) },
    alive('a', 1),
    alive('b', 2),
    { type: 'suspect', incarnation: 3, node: 'c', from: 'a' },
    { type: 'user', payload: new Uint8Array(40).fill(7) },
  ];
  const keyring = new Keyring([], FIXTURE_KEY);

  it('round-trips through every combination of compound, compress, crc, encryption and label', () => {
    for (const msgs of [one, many]) {
      for (const crc of [false, true]) {
        for (const compress of [false, true]) {
          for (const enc of [undefined, keyring]) {
            for (const label of [undefined, 'dc1-lan']) {
              const bytes = encodePacket(msgs, { crc, compress, keyring: enc, label });
              assert.deepEqual(decodePacket(bytes, { keyring: enc, label, verifyIncoming: true }), msgs);
            }
          }
        }
      }
    }
  });

  it('lays the layers out as memberlist does', () => {
    const plain = encodePacket(one, { crc: false });
    assert.deepEqual(plain, encodeMessage(one[0] as PacketMessage));
    assert.equal(encodePacket(many, { crc: false })[0], 7);
    assert.equal(encodePacket(many, { crc: false, compress: true })[0], 9);
    assert.equal(encodePacket(many, { crc: true, compress: true })[0], 12);
    assert.equal(encodePacket(many, { crc: true, compress: true })[5], 9);
    assert.equal(encodePacket(many, { crc: true, keyring })[0], 1); // encryption version 1
    assert.equal(encodePacket(many, { crc: true, keyring, encryptionVersion: 0 })[0], 0);
    const labelled = encodePacket(one, { crc: false, label: 'x', keyring });
    assert.deepEqual([...labelled.subarray(0, 4)], [244, 1, 0x78, 1]);
  });

  it('compresses only when that makes the packet smaller', () => {
    const tiny: PacketMessage[] = [{ type: 'nack', seqNo: 1 }];
    assert.deepEqual(encodePacket(tiny, { crc: false, compress: true }), encodeMessage(tiny[0] as PacketMessage));
  });

  it('drops traffic whose label is not ours, and uses the label as AAD', () => {
    const labelled = encodePacket(one, { crc: false, label: 'a' });
    assert.throws(() => decodePacket(labelled, plainOpts), LabelError);
    assert.throws(() => decodePacket(labelled, { ...plainOpts, label: 'b' }), LabelError);
    assert.throws(() => decodePacket(encodePacket(one, { crc: false }), { ...plainOpts, label: 'a' }), LabelError);
    assert.throws(() => decodePacket(Uint8Array.of(244, 0, 0), plainOpts), LabelError);
    assert.throws(() => decodePacket(Uint8Array.of(244, 5, 0x61), plainOpts), PacketError);
    // Same key, label header rewritten: the AAD no longer matches.
    const sealed = encodePacket(one, { crc: false, label: 'a', keyring });
    const relabelled = Uint8Array.from(sealed);
    relabelled[2] = 0x62;
    assert.throws(() => decodePacket(relabelled, { keyring, label: 'b', verifyIncoming: true }), DecryptError);
  });

  it('reads plaintext when decryption fails and verifyIncoming is off (key rollout)', () => {
    const plain = encodePacket(one, { crc: true });
    assert.throws(() => decodePacket(plain, { keyring, verifyIncoming: true }), DecryptError);
    assert.deepEqual(decodePacket(plain, { keyring, verifyIncoming: false }), one);
  });

  it('verifies the CRC', () => {
    const bytes = encodePacket(many, { crc: true });
    const bad = Uint8Array.from(bytes);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff;
    assert.throws(() => decodePacket(bad, plainOpts), ChecksumError);
  });

  it('keeps the good parts of a compound and reports the bad and truncated ones', () => {
    const good = encodeMessage({ type: 'nack', seqNo: 9 });
    const broken = Uint8Array.of(3, 0xc1);
    const compound = makeCompound([good, broken, good, good]);
    const cut = compound.subarray(0, compound.length - good.length - 1); // last two parts incomplete
    const errors: WireError[] = [];
    const msgs = decodePacket(cut, { verifyIncoming: true, onPartError: (e) => errors.push(e) });
    assert.deepEqual(msgs, [{ type: 'nack', seqNo: 9 }]);
    assert.equal(errors.length, 2);
    assert.match(errors[1]?.message ?? '', /2 truncated/);
  });

  it('accepts nested wrappers within bounds and refuses deeper nesting', () => {
    const inner = makeCompound([encodeMessage({ type: 'nack', seqNo: 1 })]);
    const nested = compressMessage(makeCompound([compressMessage(inner)]));
    assert.deepEqual(decodePacket(nested, plainOpts), [{ type: 'nack', seqNo: 1 }]);
    let deep = inner;
    for (let i = 0; i < 6; i++) deep = compressMessage(deep);
    assert.throws(() => decodePacket(deep, plainOpts), PacketError);
  });

  it('refuses what cannot be a packet', () => {
    assert.throws(() => encodePacket([], { crc: false }), MessageEncodeError);
    const many256 = Array.from({ length: 256 }, (): PacketMessage => ({ type: 'nack', seqNo: 1 }));
    assert.throws(() => encodePacket(many256, { crc: false }), MessageEncodeError);
    assert.throws(() => makeCompound([new Uint8Array(70000)]), MessageEncodeError);
    assert.throws(() => decodePacket(new Uint8Array(0), plainOpts), PacketError);
    assert.throws(() => decodePacket(Uint8Array.of(6, 0x80), plainOpts), PacketError); // pushPull is stream-only
    assert.throws(() => decodePacket(Uint8Array.of(7), plainOpts), PacketError);
    assert.throws(() => decodePacket(Uint8Array.of(7, 3, 0, 1), plainOpts), PacketError);
  });

  it('wrapPacket applies the layers to pre-encoded bytes', () => {
    const body = makeCompound(many.map(encodeMessage));
    assert.deepEqual(decodePacket(wrapPacket(body, { crc: true, compress: true }), plainOpts), many);
  });
});
