// Gossip: UDP packets and TCP streams as memberlist's network edge decodes them, plaintext and
// with a keyring (labels, compound, LZW, CRC, AES-GCM), and serf's message payloads. Everything a
// decoder refuses must be a WireError (memberlist) or a SerfCodecError/MsgpackError (serf).
import fc from 'fast-check';
import { MsgpackError } from '../../../src/core/gossip/wire/msgpack.js';
import { Keyring, WireError, decodePacket, encodePacket, encodeStream, parseStream } from '../../../src/core/gossip/wire/index.js';
import type { PacketMessage } from '../../../src/core/gossip/memberlist/messages.js';
import { SerfCodecError, decodeFilter, decodeKeyRequest, decodeKeyResponse, decodeSerfMessage, encodeSerfMessage } from '../../../src/core/gossip/serf/codec.js';
import { decodeTags } from '../../../src/core/gossip/serf/tags.js';
import { bytesLike, type FuzzTarget } from '../target.js';

const KEY = new Uint8Array(32).fill(7);
const keyring = new Keyring([KEY], KEY);
const nodeName = fc.stringMatching(/^[a-z0-9.-]{1,16}$/);
const addr = fc.constantFrom('127.0.0.1', '10.1.2.3', '::1', 'fe80::2');
const u32 = fc.integer({ min: 0, max: 0xffffffff });

const message: fc.Arbitrary<PacketMessage> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), seqNo: u32, node: nodeName }),
  fc.record({ type: fc.constant('ack' as const), seqNo: u32, payload: fc.uint8Array({ maxLength: 32 }) }),
  fc.record({ type: fc.constant('nack' as const), seqNo: u32 }),
  fc.record({ type: fc.constant('suspect' as const), incarnation: u32, node: nodeName, from: nodeName }),
  fc.record({ type: fc.constant('dead' as const), incarnation: u32, node: nodeName, from: nodeName }),
  fc.record({
    type: fc.constant('alive' as const),
    incarnation: u32,
    node: nodeName,
    addr,
    port: fc.integer({ min: 0, max: 65535 }),
    meta: fc.uint8Array({ maxLength: 64 }),
    vsn: fc.constant([1, 5, 2, 2, 5, 4] as never),
  }),
  fc.record({ type: fc.constant('user' as const), payload: fc.uint8Array({ maxLength: 64 }) }),
) as fc.Arbitrary<PacketMessage>;

const encodeOpts = fc.record({ encrypted: fc.boolean(), crc: fc.boolean(), compress: fc.boolean(), label: fc.constantFrom('', 'lbl') });

const validPacket = fc.tuple(fc.array(message, { minLength: 1, maxLength: 4 }), encodeOpts).map(([msgs, o]) => {
  try {
    return encodePacket(msgs, { keyring: o.encrypted ? keyring : undefined, crc: o.crc, compress: o.compress, label: o.label });
  } catch {
    return new Uint8Array(0);
  }
});

export const gossipPacketTarget: FuzzTarget<{ bytes: Uint8Array; encrypted: boolean; label: string }> = {
  name: 'gossip-packet',
  surface: 'memberlist UDP packets, plaintext and with a keyring',
  arbitrary: fc.record({ bytes: bytesLike(validPacket), encrypted: fc.boolean(), label: fc.constantFrom('', 'lbl') }),
  refusals: [WireError],
  run({ bytes, encrypted, label }) {
    decodePacket(bytes, { keyring: encrypted ? keyring : undefined, label, verifyIncoming: encrypted, onPartError: () => {} });
  },
};

const pushNode = fc.record({
  name: nodeName,
  addr,
  port: fc.integer({ min: 0, max: 65535 }),
  meta: fc.uint8Array({ maxLength: 32 }),
  incarnation: u32,
  state: fc.integer({ min: 0, max: 3 }),
  vsn: fc.constant([1, 5, 2, 2, 5, 4]),
});
const streamMessage = fc.oneof(
  fc.record({ type: fc.constant('pushPull' as const), join: fc.boolean(), nodes: fc.array(pushNode, { maxLength: 4 }), userState: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ type: fc.constant('user' as const), payload: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ type: fc.constant('ping' as const), seqNo: u32, node: nodeName }),
  fc.record({ type: fc.constant('err' as const), error: fc.string({ maxLength: 32 }) }),
);
const validStream = fc.tuple(streamMessage, encodeOpts).map(([m, o]) => {
  try {
    return encodeStream(m as never, { keyring: o.encrypted ? keyring : undefined, compress: o.compress, label: o.label });
  } catch {
    return new Uint8Array(0);
  }
});

export const gossipStreamTarget: FuzzTarget<{ bytes: Uint8Array; encrypted: boolean }> = {
  name: 'gossip-stream',
  surface: 'memberlist TCP streams (push/pull, user messages, pings), plaintext and with a keyring',
  arbitrary: fc.record({ bytes: bytesLike(validStream, 2048), encrypted: fc.boolean() }),
  refusals: [WireError],
  run({ bytes, encrypted }) {
    parseStream(bytes, { keyring: encrypted ? keyring : undefined, verifyIncoming: encrypted, maxBufferedBytes: 1 << 20 });
  },
};

const serfMessage = fc.oneof(
  fc.record({ type: fc.constant('leave' as const), ltime: u32, node: nodeName, prune: fc.boolean() }),
  fc.record({ type: fc.constant('join' as const), ltime: u32, node: nodeName }),
  fc.record({ type: fc.constant('userEvent' as const), ltime: u32, name: nodeName, payload: fc.uint8Array({ maxLength: 64 }), cc: fc.boolean() }),
  fc.record({
    type: fc.constant('query' as const),
    ltime: u32,
    id: u32,
    addr,
    port: fc.integer({ min: 0, max: 65535 }),
    sourceNode: nodeName,
    filters: fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 2 }),
    flags: fc.integer({ min: 0, max: 3 }),
    relayFactor: fc.integer({ min: 0, max: 5 }),
    timeoutMs: fc.integer({ min: 0, max: 60_000 }),
    name: nodeName,
    payload: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({ type: fc.constant('queryResponse' as const), ltime: u32, id: u32, from: nodeName, flags: fc.integer({ min: 0, max: 3 }), payload: fc.uint8Array({ maxLength: 64 }) }),
);
const validSerf = serfMessage.map((m) => {
  try {
    return encodeSerfMessage(m as never);
  } catch {
    return new Uint8Array(0);
  }
});

export const serfMessageTarget: FuzzTarget<{ bytes: Uint8Array; which: number }> = {
  name: 'serf-message',
  surface: 'serf payloads (intents, events, queries, key requests, filters, tags)',
  arbitrary: fc.record({ bytes: bytesLike(validSerf), which: fc.integer({ min: 0, max: 4 }) }),
  // Addresses inside serf payloads are decoded by the wire codec's IP reader (MessageDecodeError).
  refusals: [SerfCodecError, MsgpackError, WireError],
  run({ bytes, which }) {
    const decoders = [decodeSerfMessage, decodeFilter, decodeKeyRequest, decodeKeyResponse, decodeTags] as const;
    (decoders[which] as (b: Uint8Array) => unknown)(bytes);
  },
};
