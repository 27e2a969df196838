// A CA's signing key read from PEM, as Consul's connect.ParseSigner accepts it: SEC1 "EC PRIVATE
// KEY", PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY", with Go's error texts for the rest.
import { createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import { firstPemBlock } from './pem.js';

type CryptoKey = webcrypto.CryptoKey;

export class SignerError extends Error {}

export interface Signer {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The WebCrypto signature algorithm Go's x509 would pick for this key (ECDSA-SHA256 on P-256...). */
  readonly algorithm: webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams;
}

const CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

/** A WebCrypto key pair for signing from a Node KeyObject; throws SignerError for unusable keys. */
async function signerFromKeyObject(key: KeyObject): Promise<Signer> {
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new SignerError(`x509: unsupported elliptic curve`);
    const alg = { name: 'ECDSA', namedCurve: curve.namedCurve };
    return {
      privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']),
      publicKey: await webcrypto.subtle.importKey('spki', spki, alg, true, ['verify']),
      algorithm: { name: 'ECDSA', hash: curve.hash },
    };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return {
      privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']),
      publicKey: await webcrypto.subtle.importKey('spki', spki, alg, true, ['verify']),
      algorithm: alg,
    };
  }
  // Go parses an ed25519 PKCS#8 key but tlsutil's keyID then refuses it.
  throw new SignerError(`invalid key type: ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** Parse the first PEM block of `pem` as a signing key (Consul: connect.ParseSigner). */
export async function parseSigner(pem: string): Promise<Signer> {
  const block = firstPemBlock(pem);
  if (!block) throw new SignerError('no PEM-encoded data found');
  let key: KeyObject;
  switch (block.type) {
    case 'EC PRIVATE KEY':
      key = parseKey(block.bytes, 'sec1', 'x509: failed to parse EC private key');
      break;
    case 'RSA PRIVATE KEY':
      key = parseKey(block.bytes, 'pkcs1', 'x509: failed to parse private key');
      break;
    case 'PRIVATE KEY':
      key = parseKey(block.bytes, 'pkcs8', 'x509: failed to parse private key');
      break;
    default:
      throw new SignerError(`unknown PEM block type for signing key: ${block.type}`);
  }
  return signerFromKeyObject(key);
}

function parseKey(der: Buffer, type: 'sec1' | 'pkcs1' | 'pkcs8', message: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch {
    throw new SignerError(message);
  }
}

/** A fresh EC P-256 key (Consul's agent TLS keys) as a Signer plus its SEC1 PEM. */
export async function generateEcSigner(): Promise<{ signer: Signer; pem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'sec1' }).toString();
  return { signer: { privateKey: keys.privateKey, publicKey: keys.publicKey, algorithm: { name: 'ECDSA', hash: 'SHA-256' } }, pem };
}
