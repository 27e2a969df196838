// memberlist's keyring and its AES-GCM message format (security.go, keyring.go).
// Wire format of an encrypted payload: [version][12-byte nonce][ciphertext][16-byte GCM tag].
//   version 0: the plaintext was PKCS7-padded to 16 bytes first (only spoken at protocol 1);
//   version 1: no padding (what every current sender uses).
// MUST: keys are 16, 24 or 32 bytes (AES-128/192/256); the primary key (index 0) is the only one
//       used to encrypt; decryption tries every key, primary first; the primary cannot be removed.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptError, KeyringError } from './errors.js';

export type EncryptionVersion = 0 | 1;

const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const BLOCK_SIZE = 16;

/** Bytes encryption adds in the worst case, for packing gossip under the UDP budget (Go encryptOverhead). */
export function encryptOverhead(version: EncryptionVersion): number {
  return version === 0 ? 1 + NONCE_SIZE + BLOCK_SIZE + TAG_SIZE : 1 + NONCE_SIZE + TAG_SIZE;
}

/** Exact encrypted size of a `plainLength`-byte message (Go encryptedLength). */
export function encryptedLength(version: EncryptionVersion, plainLength: number): number {
  const padding = version === 0 ? BLOCK_SIZE - (plainLength % BLOCK_SIZE) : 0;
  return 1 + NONCE_SIZE + plainLength + padding + TAG_SIZE;
}

export function validateKey(key: Uint8Array): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new KeyringError('key size must be 16, 24 or 32 bytes');
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cipherName(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  validateKey(key);
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

/**
 * Encrypt `plain` with `key`; `aad` is authenticated but not sent (packets: the label; streams: the
 * 5-byte [10][length] header plus the label). `nonce` is for tests; normally it is random.
 */
export function encryptPayload(
  version: EncryptionVersion,
  key: Uint8Array,
  plain: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_SIZE),
): Uint8Array {
  if (nonce.length !== NONCE_SIZE) throw new KeyringError(`nonce must be ${NONCE_SIZE} bytes`);
  let body = plain;
  if (version === 0) {
    const pad = BLOCK_SIZE - (plain.length % BLOCK_SIZE);
    body = new Uint8Array(plain.length + pad);
    body.set(plain);
    body.fill(pad, plain.length);
  }
  const cipher = createCipheriv(cipherName(key), key, nonce, { authTagLength: TAG_SIZE });
  cipher.setAAD(aad);
  const sealed = cipher.update(body);
  const final = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(1 + NONCE_SIZE + sealed.length + final.length + TAG_SIZE);
  out[0] = version;
  out.set(nonce, 1);
  out.set(sealed, 1 + NONCE_SIZE);
  out.set(final, 1 + NONCE_SIZE + sealed.length);
  out.set(tag, out.length - TAG_SIZE);
  return out;
}

function openWith(key: Uint8Array, msg: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  try {
    const decipher = createDecipheriv(cipherName(key), key, msg.subarray(1, 1 + NONCE_SIZE), { authTagLength: TAG_SIZE });
    decipher.setAAD(aad);
    decipher.setAuthTag(msg.subarray(msg.length - TAG_SIZE));
    const a = decipher.update(msg.subarray(1 + NONCE_SIZE, msg.length - TAG_SIZE));
    const b = decipher.final();
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  } catch {
    // Authentication failed under this key; the caller tries the next one.
    return undefined;
  }
}

/** Decrypt with the first key that authenticates; throws DecryptError when none does. */
// The texts are memberlist v0.5.3's (security.go), the version Consul 1.21 ships: a join with the
// wrong key fails with "No installed keys could decrypt the message" on both sides.
export function decryptPayload(keys: readonly Uint8Array[], msg: Uint8Array, aad: Uint8Array): Uint8Array {
  if (msg.length === 0) throw new DecryptError('Cannot decrypt empty payload');
  const version = msg[0] as number;
  if (version > 1) throw new DecryptError(`Unsupported encryption version ${version}`);
  if (msg.length < encryptedLength(version as EncryptionVersion, 0)) {
    throw new DecryptError(`Payload is too small to decrypt: ${msg.length}`);
  }
  for (const key of keys) {
    const plain = openWith(key, msg, aad);
    if (plain === undefined) continue;
    if (version === 1) return plain;
    // Go trusts the pad byte blindly (and would panic on a bad one); we refuse it instead.
    const pad = plain.length > 0 ? (plain[plain.length - 1] as number) : 0;
    if (pad === 0 || pad > plain.length) throw new DecryptError('invalid PKCS7 padding');
    return plain.subarray(0, plain.length - pad);
  }
  throw new DecryptError('No installed keys could decrypt the message');
}

/** The set of gossip encryption keys. Empty means encryption is off. */
export class Keyring {
  private ring: Uint8Array[] = [];

  /**
   * memberlist's NewKeyring: nothing (encryption off), or a primary plus optional secondaries.
   * Secondaries without a primary are refused.
   */
  constructor(keys: readonly Uint8Array[] = [], primary?: Uint8Array) {
    if (keys.length === 0 && (primary === undefined || primary.length === 0)) return;
    if (primary === undefined || primary.length === 0) throw new KeyringError('empty primary key not allowed');
    this.installKey(primary);
    for (const k of keys) this.installKey(k);
  }

  /** True when there is at least one key, i.e. gossip is encrypted. */
  get enabled(): boolean {
    return this.ring.length > 0;
  }

  /** Add a key for decryption (a no-op if present); the first key ever added becomes primary. */
  installKey(key: Uint8Array): void {
    validateKey(key);
    if (this.ring.some((k) => sameBytes(k, key))) return;
    this.ring.push(Uint8Array.from(key));
  }

  /** Make an installed key the primary (encryption) key. */
  useKey(key: Uint8Array): void {
    const at = this.ring.findIndex((k) => sameBytes(k, key));
    if (at < 0) throw new KeyringError('requested key is not in the keyring');
    const [chosen] = this.ring.splice(at, 1);
    this.ring.unshift(chosen as Uint8Array);
  }

  /** Drop a secondary key; removing a key that is not installed is a no-op, as in memberlist. */
  removeKey(key: Uint8Array): void {
    const primary = this.ring[0];
    if (primary !== undefined && sameBytes(primary, key)) throw new KeyringError('removing the primary key is not allowed');
    this.ring = this.ring.filter((k) => !sameBytes(k, key));
  }

  /** Every key, primary first (copies). */
  listKeys(): Uint8Array[] {
    return this.ring.map((k) => Uint8Array.from(k));
  }

  primaryKey(): Uint8Array | undefined {
    const p = this.ring[0];
    return p === undefined ? undefined : Uint8Array.from(p);
  }

  /** Encrypt with the primary key. */
  encrypt(plain: Uint8Array, aad: Uint8Array, version: EncryptionVersion = 1, nonce?: Uint8Array): Uint8Array {
    const primary = this.ring[0];
    if (primary === undefined) throw new KeyringError('keyring has no primary key');
    return encryptPayload(version, primary, plain, aad, nonce);
  }

  /** Decrypt with any installed key. */
  decrypt(msg: Uint8Array, aad: Uint8Array): Uint8Array {
    return decryptPayload(this.ring, msg, aad);
  }
}
