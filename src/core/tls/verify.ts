// Consul's tlsutil.Verify: check a freshly made certificate against its CA for a DNS name before
// writing it, with the errors Go's x509.Certificate.Verify gives (validity first, then the host
// name, then the chain: signature and the CA's DNS name constraints).
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { pemBlocks } from './pem.js';

/** Go's time.RFC3339 in UTC. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's matchDomainConstraint (DNS names, case-insensitive; ".x" means strict subdomains). */
export function matchDomainConstraint(domain: string, constraint: string): boolean {
  const d = domain.toLowerCase();
  const c = constraint.toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return d.endsWith(c);
  return d === c || d.endsWith(`.${c}`);
}

/** Go's matchHostnames for one SAN pattern (a leading "*." matches one label). */
function matchHostname(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().split('.');
  const h = host.toLowerCase().replace(/\.$/, '').split('.');
  if (p.length !== h.length) return false;
  return p.every((label, i) => (i === 0 && label === '*') || label === h[i]);
}

function sanOf(cert: x509.X509Certificate): { dns: string[]; ips: string[] } {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san ? san.names.items : [];
  return { dns: items.filter((n) => n.type === 'dns').map((n) => n.value), ips: items.filter((n) => n.type === 'ip').map((n) => n.value) };
}

/** Permitted DNS subtrees of a CA's nameConstraints, or undefined when it has none. */
function permittedDnsDomains(ca: x509.X509Certificate): string[] | undefined {
  const ext = ca.extensions.find((e) => e.type === id_ce_nameConstraints);
  if (!ext) return undefined;
  const nc = AsnConvert.parse(ext.value, NameConstraints);
  return (nc.permittedSubtrees ?? []).flatMap((t) => (t.base.dNSName !== undefined ? [t.base.dNSName] : []));
}

/**
 * Undefined when `certPem` is valid now, names `dnsName` and chains to `caPem`; otherwise the error
 * text Consul prints (tlsutil.Verify).
 */
export function verifyAgentCert(caPem: string, certPem: string, dnsName: string, now: Date = new Date()): string | undefined {
  const roots: X509Certificate[] = [];
  for (const b of pemBlocks(caPem)) {
    if (b.type !== 'CERTIFICATE') continue;
    try {
      roots.push(new X509Certificate(b.bytes));
    } catch {
      // AppendCertsFromPEM skips what does not parse
    }
  }
  if (roots.length === 0) return 'failed to parse root certificate';
  const block = pemBlocks(certPem)[0];
  let leaf: X509Certificate;
  let leafInfo: x509.X509Certificate;
  try {
    if (!block || block.type !== 'CERTIFICATE') throw new Error('no certificate');
    leaf = new X509Certificate(block.bytes);
    leafInfo = new x509.X509Certificate(new Uint8Array(block.bytes));
  } catch {
    return 'failed to parse certificate';
  }
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  const prefix = 'x509: certificate has expired or is not yet valid: ';
  if (now < notBefore) return `${prefix}current time ${rfc3339(now)} is before ${rfc3339(notBefore)}`;
  if (now > notAfter) return `${prefix}current time ${rfc3339(now)} is after ${rfc3339(notAfter)}`;
  const san = sanOf(leafInfo);
  if (dnsName !== '' && !san.dns.some((p) => matchHostname(p, dnsName))) {
    return san.dns.length === 0
      ? `x509: certificate is not valid for any names, but wanted to match ${dnsName}`
      : `x509: certificate is valid for ${san.dns.join(', ')}, not ${dnsName}`;
  }
  const issuer = roots.find((r) => leaf.checkIssued(r) && leaf.verify(r.publicKey));
  if (!issuer) return 'x509: certificate signed by unknown authority';
  const permitted = permittedDnsDomains(new x509.X509Certificate(new Uint8Array(issuer.raw)));
  if (permitted) {
    for (const name of san.dns) {
      if (!permitted.some((c) => matchDomainConstraint(name, c))) {
        return `x509: a root or intermediate certificate is not authorized to sign for this name: DNS name "${name}" is not permitted by any constraint`;
      }
    }
  }
  return undefined;
}
