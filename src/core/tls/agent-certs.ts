// Agent TLS certificates (not Connect's): the CA and the server/client/cli certificates that
// `consul tls ca create` and `consul tls cert create` write. Mirrors Consul's tlsutil/generate.go:
// EC P-256 keys, 128-bit random serials, SubjectKeyId = SHA-256 of the public key, the CA subject
// HashiCorp's tool writes, optional critical DNS name constraints and a SPIFFE signing URI.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { X509Error, keyId } from './x509.js';
import { firstPemBlock } from './pem.js';
import { generateEcSigner, type Signer } from './signer.js';

const DAY_MS = 86_400_000;

/** Go's tlsutil.GenerateSerialNumber: uniform in [0, 2^128). */
export function generateSerialNumber(): bigint {
  return BigInt(`0x${randomBytes(16).toString('hex')}`);
}

function serialHex(n: bigint): string {
  const h = n.toString(16);
  return h.length % 2 === 0 ? h : `0${h}`;
}

/** time.Now().AddDate(0, 0, days). */
function addDays(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** One RDN value as Go's asn1 marshals a string: PrintableString when it can, else UTF8String. */
function rdn(oid: string, value: string): x509.JsonAttributeAndObjectValue {
  return { [oid]: [x509.Name.isPrintableString(value) ? { printableString: value } : { utf8String: value }] };
}

/** The CA subject Consul writes, in Go's pkix.Name order (C, ST, L, street, postalCode, O, CN). */
function caSubject(commonName: string): x509.Name {
  return new x509.Name([
    rdn('2.5.4.6', 'US'),
    rdn('2.5.4.8', 'CA'),
    rdn('2.5.4.7', 'San Francisco'),
    rdn('2.5.4.9', '101 Second Street'),
    rdn('2.5.4.17', '94105'),
    rdn('2.5.4.10', 'HashiCorp Inc.'),
    rdn('2.5.4.3', commonName),
  ]);
}

/** A critical nameConstraints extension permitting only these DNS domains (Go: PermittedDNSDomains). */
function nameConstraints(domains: readonly string[]): x509.Extension {
  const permitted = new GeneralSubtrees(domains.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) })));
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(new NameConstraints({ permittedSubtrees: permitted })));
}

export interface AgentCaOptions {
  /** Validity in days; 0 means 365, as tlsutil.GenerateCA does. */
  readonly days: number;
  /** The cluster's DNS domain, used in the SPIFFE URI when clusterId is set. */
  readonly domain: string;
  /** Permitted DNS domains; empty for no name constraints. */
  readonly permittedDnsDomains: readonly string[];
  readonly clusterId: string;
  /** Empty: "Consul Agent CA <serial>". */
  readonly commonName: string;
  readonly now?: Date;
}

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A new self-signed agent CA and its key (Consul: tlsutil.GenerateCA). */
export async function generateAgentCa(opts: AgentCaOptions): Promise<PemPair> {
  const { signer, pem } = await generateEcSigner();
  const serial = generateSerialNumber();
  const name = opts.commonName !== '' ? opts.commonName : `Consul Agent CA ${serial.toString(10)}`;
  const days = opts.days === 0 ? 365 : opts.days;
  const now = opts.now ?? new Date();
  const id = Buffer.from(await keyId(signer.publicKey)).toString('hex');
  const subject = caSubject(name);
  // Go's extension order: key usage, basic constraints, SKI, AKI, SAN, name constraints.
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.SubjectKeyIdentifierExtension(id),
    new x509.AuthorityKeyIdentifierExtension(id),
  ];
  if (opts.clusterId !== '') {
    // connect.SpiffeIDSigning: spiffe://<cluster-id>.<domain>
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${opts.clusterId}.${opts.domain}` }]));
  }
  if (opts.permittedDnsDomains.length > 0) extensions.push(nameConstraints(opts.permittedDnsDomains));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(serial),
    subject,
    issuer: subject,
    notBefore: now,
    notAfter: addDays(now, days),
    publicKey: signer.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: pem };
}

export type ExtKeyUsage = 'serverAuth' | 'clientAuth';

export interface AgentCertOptions {
  readonly signer: Signer;
  readonly caPem: string;
  /** Subject CN, e.g. server.dc1.consul. */
  readonly name: string;
  readonly days: number;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly extKeyUsage: readonly ExtKeyUsage[];
  readonly now?: Date;
}

/** Go's tlsutil parseCert: the first PEM block must be a CERTIFICATE. Throws X509Error. */
export function parseCaCert(pem: string): x509.X509Certificate {
  const block = firstPemBlock(pem);
  if (!block) throw new X509Error('no PEM-encoded data found');
  if (block.type !== 'CERTIFICATE') throw new X509Error('first PEM-block should be CERTIFICATE type');
  try {
    return new x509.X509Certificate(new Uint8Array(block.bytes));
  } catch {
    throw new X509Error('x509: malformed certificate');
  }
}

const EKU_OID: Record<ExtKeyUsage, string> = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
};

/** A certificate for an agent or the CLI, signed by the CA (Consul: tlsutil.GenerateCert). */
export async function generateAgentCert(opts: AgentCertOptions): Promise<PemPair> {
  let parent: x509.X509Certificate;
  try {
    parent = parseCaCert(opts.caPem);
  } catch (err) {
    throw new X509Error(`failed to parse CA: ${(err as Error).message}`);
  }
  const { signer: signee, pem } = await generateEcSigner();
  const now = opts.now ?? new Date();
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
  ];
  if (opts.extKeyUsage.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(opts.extKeyUsage.map((u) => EKU_OID[u])));
  extensions.push(
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.SubjectKeyIdentifierExtension(Buffer.from(await keyId(signee.publicKey)).toString('hex')),
  );
  // Go copies the parent's SubjectKeyId into the child's AuthorityKeyId.
  const parentSki = parent.getExtension(x509.SubjectKeyIdentifierExtension);
  if (parentSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(parentSki.keyId));
  const names: x509.JsonGeneralName[] = [
    ...opts.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...opts.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  let cert: x509.X509Certificate;
  try {
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialHex(generateSerialNumber()),
      subject: new x509.Name([rdn('2.5.4.3', opts.name)]),
      // The parent's subject as encoded, so the chain matches byte for byte even for CAs made by Go.
      issuer: parent.subjectName,
      notBefore: now,
      notAfter: addDays(now, opts.days),
      publicKey: signee.publicKey,
      signingKey: opts.signer.privateKey,
      signingAlgorithm: opts.signer.algorithm,
      extensions,
    });
  } catch (err) {
    throw new X509Error(`failed to create certificate: ${(err as Error).message}`);
  }
  return { certPem: cert.toString('pem') + '\n', keyPem: pem };
}
