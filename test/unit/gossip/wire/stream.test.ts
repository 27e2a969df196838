// The TCP layer: serf's push/pull captures decode (plain, encrypted, large) and re-encode to Go's
// exact bytes; incremental parsing; limits; encryption and label rules of readStream.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PushPullMsg, StreamMessage } from '../../../../src/core/gossip/memberlist/messages.js';
import {
  DecryptError,
  Keyring,
  LabelError,
  MessageDecodeError,
  StreamError,
  StreamLimitError,
  compressMessage,
  encodeStream,
  encodeStreamMessage,
  encryptedLength,
  parseStream,
} from '../../../../src/core/gossip/wire/index.js';
import { encode } from '../../../../src/core/gossip/wire/msgpack.js';
import { FIXTURE_KEY, SERF_PUSHPULL_JOIN, SERF_PUSHPULL_JOIN_ENCRYPTED, SERF_PUSHPULL_LARGE } from './fixtures.js';

const serfMeta = Uint8Array.of(0xff, 0x81, 0xa4, 0x72, 0x6f, 0x6c, 0x65, 0xa4, 0x74, 0x65, 0x73, 0x74); // {role: test}
const keyring = new Keyring([], FIXTURE_KEY);

function mustParse(buf: Uint8Array, opts = {}): { msg: StreamMessage; consumed: number } {
  const r = parseStream(buf, opts);
  assert.ok(r !== null, 'expected a complete message');
  return r;
}

function asPushPull(m: StreamMessage): PushPullMsg {
  assert.equal(m.type, 'pushPull');
  return m as PushPullMsg;
}

const pushPull: PushPullMsg = {
  type: 'pushPull',
  join: false,
  nodes: [
    { name: 'a', addr: '10.0.0.1', port: 8301, meta: serfMeta, incarnation: 3, state: 0, vsn: [1, 5, 2, 2, 5, 4] },
    { name: 'b', addr: '::1', port: 8302, meta: new Uint8Array(0), incarnation: 1, state: 3, vsn: [1, 5, 2, 2, 5, 4] },
  ],
  userState: Uint8Array.of(2, 0x80),
};

describe('parseStream on serf captures', () => {
  it('reads the compressed join push/pull and re-encodes it to the same bytes', () => {
    const { msg, consumed } = mustParse(SERF_PUSHPULL_JOIN);
    assert.equal(consumed, SERF_PUSHPULL_JOIN.length);
    const pp = asPushPull(msg);
    assert.equal(pp.join, true);
    assert.deepEqual(pp.nodes, [{ name: 'a', addr: '127.0.0.1', port: 17901, meta: serfMeta, incarnation: 1, state: 0, vsn: [1, 5, 2, 2, 5, 5] }]);
    assert.equal(pp.userState[0], 2); // serf messagePushPullType
    assert.deepEqual(encodeStream(msg, { compress: true }), SERF_PUSHPULL_JOIN);
  });

  it('decrypts the encrypted join (AAD = [10][length])', () => {
    const { msg, consumed } = mustParse(SERF_PUSHPULL_JOIN_ENCRYPTED, { keyring });
    assert.equal(consumed, SERF_PUSHPULL_JOIN_ENCRYPTED.length);
    assert.equal(asPushPull(msg).nodes[0]?.port, 17903);
    assert.throws(() => parseStream(SERF_PUSHPULL_JOIN_ENCRYPTED, { keyring: new Keyring([], new Uint8Array(16)) }), DecryptError);
    assert.throws(() => parseStream(SERF_PUSHPULL_JOIN_ENCRYPTED), StreamError);
  });

  it('reads the large push/pull and re-encodes it byte for byte', () => {
    const { msg } = mustParse(SERF_PUSHPULL_LARGE);
    assert.ok(asPushPull(msg).userState.length > 12000);
    assert.deepEqual(encodeStream(msg, { compress: true }), SERF_PUSHPULL_LARGE);
  });

  it('returns null on every proper prefix, and the message once complete', () => {
    for (const [fixture, opts] of [
      [SERF_PUSHPULL_JOIN, {}],
      [SERF_PUSHPULL_JOIN_ENCRYPTED, { keyring }],
      [encodeStream(pushPull, { compress: false }), {}],
      [encodeStream(pushPull, { compress: false, label: 'lbl' }), { label: 'lbl' }],
    ] as const) {
      for (let n = 0; n < fixture.length; n++) assert.equal(parseStream(fixture.subarray(0, n), opts), null, `prefix ${n}`);
      assert.ok(parseStream(fixture, opts) !== null);
    }
  });
});

describe('encodeStream / parseStream', () => {
  const msgs: StreamMessage[] = [
    pushPull,
    { ...pushPull, join: true, nodes: [], userState: new Uint8Array(0) },
    { type: 'ping', seqNo: 5, node: 'b', sourceAddr: '127.0.0.1', sourcePort: 1, sourceNode: 'a' },
    { type: 'ack', seqNo: 5, payload: new Uint8Array(0) },
    { type: 'user', payload: new Uint8Array(3000).fill(0x61) },
    { type: 'user', payload: new Uint8Array(0) },
    { type: 'err', error: 'Remote state is encrypted and encryption is not configured' },
  ];

  it('round-trips every stream message with and without compression, encryption and label', () => {
    for (const msg of msgs) {
      for (const compress of [false, true]) {
        for (const enc of [undefined, keyring]) {
          for (const label of [undefined, 'lan']) {
            const bytes = encodeStream(msg, { compress, keyring: enc, label });
            const trailing = Uint8Array.of(...bytes, 0xee);
            const { msg: back, consumed } = mustParse(trailing, { keyring: enc, label });
            assert.deepEqual(back, msg);
            assert.equal(consumed, bytes.length);
          }
        }
      }
    }
  });

  it('writes the push/pull header with sorted Go field names', () => {
    const bytes = encodeStreamMessage({ ...pushPull, nodes: [] });
    const header = encode(new Map<string, boolean | number>([['Join', false], ['Nodes', 0], ['UserStateLen', 2]]));
    assert.deepEqual(bytes, Uint8Array.of(6, ...header, 2, 0x80));
  });

  it('applies encryption rules in both directions', () => {
    const plain = encodeStream(pushPull, { compress: true });
    assert.throws(() => parseStream(plain, { keyring }), StreamError);
    assert.deepEqual(mustParse(plain, { keyring, verifyIncoming: false }).msg, pushPull);
    const sealed = encodeStream(pushPull, { compress: true, keyring, label: 'x' });
    assert.equal(sealed[3], 10);
    assert.throws(() => parseStream(sealed, { keyring }), LabelError);
    // Rewriting the label with one of the same length breaks the AAD.
    const relabelled = Uint8Array.from(sealed);
    relabelled[2] = 0x79;
    assert.throws(() => parseStream(relabelled, { keyring, label: 'y' }), DecryptError);
  });

  it('enforces memberlist limits from the headers alone', () => {
    const header = (h: Record<string, number | boolean>): Uint8Array => Uint8Array.of(6, ...encode(h));
    assert.throws(() => parseStream(header({ Nodes: 2 ** 20 + 1, UserStateLen: 0 })), StreamLimitError);
    assert.throws(() => parseStream(header({ Nodes: -1 })), StreamLimitError);
    assert.throws(() => parseStream(header({ Nodes: 0, UserStateLen: 20 * 1024 * 1024 + 1 })), StreamLimitError);
    assert.throws(() => parseStream(Uint8Array.of(8, ...encode({ UserMsgLen: 20 * 1024 * 1024 + 1 }))), StreamLimitError);
    assert.throws(() => parseStream(Uint8Array.of(10, 0x01, 0x40, 0x00, 0x01), { keyring }), StreamLimitError);
    // A legal but unfulfilled header waits, until the buffered cap is reached.
    const waiting = header({ Nodes: 0, UserStateLen: 1000 });
    assert.equal(parseStream(waiting), null);
    assert.throws(() => parseStream(Uint8Array.of(...waiting, ...new Uint8Array(100)), { maxBufferedBytes: 64 }), StreamLimitError);
  });

  it('refuses garbage inside decrypted or decompressed data', () => {
    const cut = encodeStreamMessage(pushPull).subarray(0, 20);
    assert.throws(() => parseStream(compressMessage(cut)), MessageDecodeError);
    const head = Uint8Array.of(10, 0, 0, 0, encryptedLength(1, cut.length));
    const sealed = Uint8Array.of(...head, ...keyring.encrypt(cut, head));
    assert.throws(() => parseStream(sealed, { keyring }), MessageDecodeError);
    assert.throws(() => parseStream(Uint8Array.of(9, ...encode({ Algo: 0, Buf: Uint8Array.of(0x00, 0x03, 0x02) }))), StreamError);
    assert.throws(() => parseStream(Uint8Array.of(9, ...encode({ Algo: 1, Buf: Uint8Array.of(0) }))), MessageDecodeError);
    // Only one compress layer, as in Go.
    assert.throws(() => parseStream(compressMessage(compressMessage(encodeStreamMessage(pushPull)))), StreamError);
  });

  it('refuses unknown stream message types', () => {
    assert.throws(() => parseStream(Uint8Array.of(4, 0x80)), StreamError);
    assert.throws(() => parseStream(Uint8Array.of(7, 1, 0, 0)), StreamError);
  });
});
