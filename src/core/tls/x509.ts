// X.509 helpers shared by the Connect CA and (later) `consul tls` and TLS listeners.
//
// Built on @peculiar/x509 over Node's WebCrypto: a maintained library does the ASN.1, so no
// DER is written by hand here. Only EC P-256 keys (Consul's Connect default: private_key_type
// "ec", private_key_bits 256) and ECDSA-SHA256 signatures are produced.
import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;

const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export class X509Error extends Error {}

export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKey: CryptoKey;
  readonly privateKey: CryptoKey;
}

/** A fresh EC P-256 key pair; the private key as a SEC1 "EC PRIVATE KEY" PEM, as Consul writes it. */
export async function generateEcKey(): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const sec1 = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'sec1' }).toString();
  return { privateKeyPem: sec1, publicKey: keys.publicKey, privateKey: keys.privateKey };
}

/** Import a PEM private key (SEC1 or PKCS#8) for signing; throws X509Error when it is not EC P-256. */
export async function importEcPrivateKey(pem: string): Promise<CryptoKey> {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new X509Error(`error parsing private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new X509Error('private key is not an EC P-256 key');
  }
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, EC_ALG, true, ['sign']);
}

/** Colon-separated lower-case hex, Consul's connect.HexString. */
export function colonHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** SHA-256 fingerprint of a certificate's DER, colon-hex (Consul: connect.CalculateCertFingerprint). */
export function certFingerprint(pem: string): string {
  return colonHex(createHash('sha256').update(new Uint8Array(new x509.X509Certificate(pem).rawData)).digest());
}

/** The SubjectKeyId Consul uses: SHA-256 of the public key's DER (connect.KeyId, tlsutil keyID). */
export async function keyId(publicKey: CryptoKey): Promise<Uint8Array> {
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', publicKey));
  return createHash('sha256').update(spki).digest();
}

/** The issuer's SubjectKeyId, which a child's AuthorityKeyId must repeat for chain building. */
function subjectKeyIdHex(cert: x509.X509Certificate): string {
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ski) throw new X509Error('CA certificate has no SubjectKeyId');
  return ski.keyId;
}

export interface RootCertParams {
  readonly key: KeyPairPem;
  readonly commonName: string;
  readonly serial: bigint;
  /** The SPIFFE trust-domain URI (spiffe://<trust-domain>). */
  readonly uri: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** When set, the root is cross-signed by this (old) CA key and name instead of self-signed. */
  readonly signer?: { readonly privateKey: CryptoKey; readonly certPem: string };
}

const serialHex = (n: bigint): string => {
  const h = n.toString(16);
  return h.length % 2 === 0 ? h : `0${h}`;
};

/** A CA certificate (Consul: provider_consul.go generateCA): CA:true, keyCertSign|cRLSign|digitalSignature, URI SAN. */
export async function createCaCert(p: RootCertParams): Promise<string> {
  const ski = await keyId(p.key.publicKey);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    new x509.SubjectAlternativeNameExtension([{ type: 'url', value: p.uri }]),
    new x509.SubjectKeyIdentifierExtension(Buffer.from(ski).toString('hex')),
  ];
  const subject = `CN=${p.commonName}`;
  let issuer = subject;
  let signingKey = p.key.privateKey;
  if (p.signer) {
    const signerCert = new x509.X509Certificate(p.signer.certPem);
    issuer = signerCert.subject;
    signingKey = p.signer.privateKey;
    extensions.push(new x509.AuthorityKeyIdentifierExtension(subjectKeyIdHex(signerCert)));
  } else {
    extensions.push(new x509.AuthorityKeyIdentifierExtension(Buffer.from(ski).toString('hex')));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(p.serial),
    subject,
    issuer,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.key.publicKey,
    signingKey,
    signingAlgorithm: EC_ALG,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

/** A CSR carrying one URI SAN (Consul: connect.CreateCSR for a service's SPIFFE ID). */
export async function createCsr(key: KeyPairPem, uri: string): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys: { publicKey: key.publicKey, privateKey: key.privateKey },
    signingAlgorithm: EC_ALG,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }])],
  });
  return csr.toString('pem') + '\n';
}

export interface ParsedCsr {
  readonly uris: string[];
  readonly publicKey: CryptoKey;
}

/** Parse and verify a CSR's self-signature; its URI SANs. Throws X509Error on garbage. */
export async function parseCsr(pem: string): Promise<ParsedCsr> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch (err) {
    throw new X509Error(`failed to parse CSR: ${(err as Error).message}`);
  }
  if (!(await csr.verify())) throw new X509Error('CSR signature is invalid');
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const uris = san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
  return { uris, publicKey: await csr.publicKey.export(EC_ALG, ['verify']) };
}

export interface LeafParams {
  readonly publicKey: CryptoKey;
  readonly uri: string;
  readonly commonName: string;
  readonly serial: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly caKey: CryptoKey;
  readonly caCertPem: string;
}

/** A leaf (Consul: provider_consul.go Sign): not a CA, digitalSignature|keyEncipherment|keyAgreement, client+server auth. */
export async function signLeaf(p: LeafParams): Promise<string> {
  const ca = new x509.X509Certificate(p.caCertPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(p.serial),
    subject: `CN=${p.commonName}`,
    issuer: ca.subject,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.publicKey,
    signingKey: p.caKey,
    signingAlgorithm: EC_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: p.uri }]),
      new x509.SubjectKeyIdentifierExtension(Buffer.from(await keyId(p.publicKey)).toString('hex')),
      new x509.AuthorityKeyIdentifierExtension(subjectKeyIdHex(ca)),
    ],
  });
  return cert.toString('pem') + '\n';
}

export interface CertInfo {
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly uris: string[];
  readonly subjectKeyId: string;
}

export function certInfo(pem: string): CertInfo {
  const c = new x509.X509Certificate(pem);
  const san = c.getExtension(x509.SubjectAlternativeNameExtension);
  const ski = c.getExtension(x509.SubjectKeyIdentifierExtension);
  return {
    serialHex: c.serialNumber,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    uris: san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [],
    subjectKeyId: ski ? colonHex(Buffer.from(ski.keyId, 'hex')) : '',
  };
}

/** Serial as Consul shows it in leaf answers: colon-hex of the big-endian bytes. */
export function serialColonHex(serial: bigint): string {
  return colonHex(Buffer.from(serialHex(serial), 'hex'));
}

/** A key pair from a PEM private key (a user-supplied CA key). Throws X509Error unless EC P-256. */
export async function keyPairFromPem(pem: string): Promise<KeyPairPem> {
  const privateKey = await importEcPrivateKey(pem);
  const spki = createPublicKey(createPrivateKey(pem)).export({ format: 'der', type: 'spki' });
  const publicKey = await webcrypto.subtle.importKey('spki', spki, EC_ALG, true, ['verify']);
  return { privateKeyPem: pem, publicKey, privateKey };
}
