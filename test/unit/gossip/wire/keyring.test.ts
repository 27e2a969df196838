// Keyring rules (memberlist keyring.go) and the AES-GCM message format (security.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DecryptError,
  Keyring,
  KeyringError,
  decryptPayload,
  encryptPayload,
  encryptedLength,
} from '../../../../src/core/gossip/wire/index.js';
import { FIXTURE_KEY, SERF_UDP_PING_ENCRYPTED } from './fixtures.js';

const k = (fill: number, n = 32): Uint8Array => new Uint8Array(n).fill(fill);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('Keyring', () => {
  it('starts empty (encryption off) or with a primary first', () => {
    assert.equal(new Keyring().enabled, false);
    const ring = new Keyring([k(2), k(3, 16)], k(1));
    assert.equal(ring.enabled, true);
    assert.deepEqual(ring.listKeys(), [k(1), k(2), k(3, 16)]);
    assert.deepEqual(ring.primaryKey(), k(1));
    assert.throws(() => new Keyring([k(2)]), KeyringError);
  });

  it('accepts only 16, 24 or 32 byte keys', () => {
    const ring = new Keyring();
    for (const n of [0, 8, 15, 17, 31, 33, 64]) assert.throws(() => ring.installKey(k(1, n)), KeyringError);
    for (const n of [16, 24, 32]) ring.installKey(k(n, n));
    assert.equal(ring.listKeys().length, 3);
  });

  it('installs idempotently, uses an installed key, refuses to remove the primary', () => {
    const ring = new Keyring([], k(1));
    ring.installKey(k(2));
    ring.installKey(k(2));
    assert.equal(ring.listKeys().length, 2);
    assert.throws(() => ring.useKey(k(9)), KeyringError);
    ring.useKey(k(2));
    assert.deepEqual(ring.listKeys(), [k(2), k(1)]);
    assert.throws(() => ring.removeKey(k(2)), KeyringError);
    ring.removeKey(k(9)); // not installed: no-op, as in memberlist
    ring.removeKey(k(1));
    assert.deepEqual(ring.listKeys(), [k(2)]);
  });

  it('encrypts with the primary and decrypts with any installed key', () => {
    const sender = new Keyring([], k(1));
    const msg = sender.encrypt(text('hello'), new Uint8Array(0));
    assert.equal(msg[0], 1);
    assert.equal(msg.length, encryptedLength(1, 5));
    const receiver = new Keyring([k(1)], k(7));
    assert.deepEqual(receiver.decrypt(msg, new Uint8Array(0)), text('hello'));
    assert.throws(() => new Keyring([], k(8)).decrypt(msg, new Uint8Array(0)), DecryptError);
  });

  it('binds the additional data', () => {
    const msg = encryptPayload(1, k(1), text('x'), text('label-a'));
    assert.deepEqual(decryptPayload([k(1)], msg, text('label-a')), text('x'));
    assert.throws(() => decryptPayload([k(1)], msg, text('label-b')), DecryptError);
  });

  it('reads legacy version 0 (PKCS7 padded) messages', () => {
    for (const n of [0, 1, 15, 16, 17]) {
      const plain = new Uint8Array(n).fill(0x5a);
      const msg = encryptPayload(0, k(4, 16), plain, new Uint8Array(0));
      assert.equal(msg[0], 0);
      assert.equal(msg.length, encryptedLength(0, n));
      assert.deepEqual(decryptPayload([k(4, 16)], msg, new Uint8Array(0)), plain);
    }
  });

  it('is deterministic given a nonce', () => {
    const nonce = new Uint8Array(12).fill(9);
    assert.deepEqual(encryptPayload(1, k(1, 24), text('a'), new Uint8Array(0), nonce), encryptPayload(1, k(1, 24), text('a'), new Uint8Array(0), nonce));
  });

  it('refuses empty, short, unknown-version and tampered payloads', () => {
    const keys = [k(1)];
    assert.throws(() => decryptPayload(keys, new Uint8Array(0), new Uint8Array(0)), DecryptError);
    assert.throws(() => decryptPayload(keys, new Uint8Array(28).fill(1), new Uint8Array(0)), DecryptError);
    assert.throws(() => decryptPayload(keys, new Uint8Array(44).fill(0), new Uint8Array(0)), DecryptError);
    assert.throws(() => decryptPayload(keys, new Uint8Array(64).fill(2), new Uint8Array(0)), DecryptError);
    const msg = encryptPayload(1, k(1), text('hello'), new Uint8Array(0));
    msg[15] = (msg[15] as number) ^ 1;
    assert.throws(() => decryptPayload(keys, msg, new Uint8Array(0)), DecryptError);
  });

  it('decrypts a packet serf encrypted', () => {
    const plain = new Keyring([], FIXTURE_KEY).decrypt(SERF_UDP_PING_ENCRYPTED, new Uint8Array(0));
    assert.equal(plain[0], 0); // a ping
  });
});
