// The built-in CA provider `consul` (Consul: agent/connect/ca/provider_consul.go): an EC P-256
// root per trust domain, leaves signed directly by the active root, rotation by cross-signing.
// It only computes; the caller (the leader's CA routine) stores what it returns through Raft.
import { randomBytes, randomUUID } from 'node:crypto';
import type { CARoot } from '../structs/connect.js';
import { certFingerprint, certInfo, createCaCert, generateEcKey, keyPairFromPem, parseCsr, serialColonHex, signLeaf, X509Error } from '../tls/index.js';
import { canSign, parseSpiffeId, serviceSpiffeUri, signingSpiffeUri, SpiffeError } from './spiffe.js';

export type CaRootInput = Omit<CARoot, 'CreateIndex' | 'ModifyIndex'>;

/** Consul's defaults for the consul provider (agent/config/default.go connect.ca_config). */
export const DEFAULT_CA_CONFIG = {
  LeafCertTTL: '72h',
  IntermediateCertTTL: '8760h',
  RootCertTTL: '87600h',
  PrivateKeyType: 'ec',
  PrivateKeyBits: 256,
  RotationPeriod: '2160h',
} as const;

const ROOT_TTL_MS = 87600 * 3600_000;

export class CaError extends Error {}

/** Consul: CommonCAProviderConfig.Validate, then what this provider can issue (EC P-256 only). */
export function validateCaConfig(config: Record<string, unknown>): void {
  const type = config.PrivateKeyType ?? DEFAULT_CA_CONFIG.PrivateKeyType;
  const bits = Number(config.PrivateKeyBits ?? DEFAULT_CA_CONFIG.PrivateKeyBits);
  if (type === 'ec') {
    if (![224, 256, 384, 521].includes(bits)) throw new CaError('EC key length must be one of (224, 256, 384, 521) bits');
    if (bits !== 256) throw new CaError(`EC key length ${bits} is not supported by this agent (only 256)`);
  } else if (type === 'rsa') {
    if (![2048, 4096].includes(bits)) throw new CaError('RSA key length must be 2048 or 4096 bits');
    throw new CaError("private key type 'rsa' is not supported by this agent (only 'ec')");
  } else {
    throw new CaError("private key type must be either 'ec' or 'rsa'");
  }
}

const randomSerial = (): bigint => BigInt('0x' + randomBytes(8).toString('hex')) & 0x7fff_ffff_ffff_ffffn;

/** A new root for the trust domain; cross-signed by `previous` when rotating (its key and cert). */
export async function generateRoot(clusterId: string, trustDomain: string, now: Date, userKeyPem?: string, previous?: CaRootInput): Promise<CaRootInput> {
  const key = userKeyPem ? await keyPairFromPem(userKeyPem) : await generateEcKey();
  const serial = randomSerial();
  const common = {
    key,
    commonName: `pri-${randomUUID().slice(0, 8)}.consul.ca.${clusterId.slice(0, 8)}.consul`,
    serial,
    uri: signingSpiffeUri(trustDomain),
    notBefore: now,
    notAfter: new Date(now.getTime() + ROOT_TTL_MS),
  };
  const rootCert = await createCaCert(common);
  let signingCert: string | undefined;
  if (previous) {
    const prevKey = await keyPairFromPem(previous.SigningKey);
    signingCert = await createCaCert({ ...common, signer: { privateKey: prevKey.privateKey, certPem: previous.RootCert } });
  }
  const info = certInfo(rootCert);
  const root: CaRootInput = {
    ID: certFingerprint(rootCert),
    Name: 'Consul CA Primary Cert',
    SerialNumber: Number(serial & 0x1f_ffff_ffff_ffffn),
    SigningKeyID: info.subjectKeyId,
    ExternalTrustDomain: clusterId,
    NotBefore: info.notBefore.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    NotAfter: info.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    RootCert: rootCert,
    IntermediateCerts: null,
    Active: true,
    RotatedOutAt: '0001-01-01T00:00:00Z',
    PrivateKeyType: 'ec',
    PrivateKeyBits: 256,
    SigningKey: key.privateKeyPem,
  };
  if (signingCert) root.SigningCert = signingCert;
  return root;
}

/** An issued leaf (Consul: structs.IssuedCert, without the private key the agent adds). */
export interface IssuedCert {
  SerialNumber: string;
  CertPEM: string;
  Service: string;
  ServiceURI: string;
  ValidAfter: string;
  ValidBefore: string;
}

export interface SignRequest {
  readonly csrPem: string;
  readonly trustDomain: string;
  readonly datacenter: string;
  readonly ttlMs: number;
  readonly now: Date;
}

/**
 * Sign a service CSR with the active root (Consul: CAManager.SignCertificate): the CSR's SPIFFE ID
 * must be a service of our trust domain and datacenter. Errors carry Consul's texts.
 */
export async function signServiceCsr(root: CaRootInput, req: SignRequest): Promise<IssuedCert> {
  let parsed;
  try {
    parsed = await parseCsr(req.csrPem);
  } catch (err) {
    if (err instanceof X509Error) throw new CaError(err.message);
    throw err;
  }
  if (parsed.uris.length !== 1) throw new CaError('CSR SAN contains an invalid URI or is missing a URI');
  let id;
  try {
    id = parseSpiffeId(parsed.uris[0] as string);
  } catch (err) {
    if (err instanceof SpiffeError) throw new CaError(`SPIFFE ID in CSR is not valid: ${err.message}`);
    throw err;
  }
  if (id.type !== 'service') throw new CaError('SPIFFE ID in CSR must be a service or agent ID');
  if (!canSign(req.trustDomain, id)) throw new CaError('SPIFFE ID in CSR from a different trust domain');
  if (id.datacenter !== req.datacenter) throw new CaError('SPIFFE ID in CSR from a different datacenter');
  const key = await keyPairFromPem(root.SigningKey);
  const serial = randomSerial();
  // Consul backdates a minute for clock skew between machines.
  const notBefore = new Date(req.now.getTime() - 60_000);
  const notAfter = new Date(req.now.getTime() + req.ttlMs);
  const uri = serviceSpiffeUri(req.trustDomain, req.datacenter, id.service);
  const certPem = await signLeaf({
    publicKey: parsed.publicKey,
    uri,
    commonName: id.service,
    serial,
    notBefore,
    notAfter,
    caKey: key.privateKey,
    caCertPem: root.RootCert,
  });
  // A rotated-in root chains to the previous one through its cross-signed copy.
  const chain = root.SigningCert ? certPem + root.SigningCert : certPem;
  return {
    SerialNumber: serialColonHex(serial),
    CertPEM: chain,
    Service: id.service,
    ServiceURI: uri,
    ValidAfter: notBefore.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ValidBefore: notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}
