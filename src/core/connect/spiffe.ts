// SPIFFE IDs as types with a parser, not strings (Consul: agent/connect/uri.go, uri_service.go,
// uri_signing.go, uri_agent.go). A leaf's URI SAN names its service:
//   spiffe://<trust-domain>/ns/<namespace>/dc/<datacenter>/svc/<service>
// and a CA's names its trust domain: spiffe://<trust-domain>.

export type SpiffeId =
  | { readonly type: 'service'; readonly host: string; readonly namespace: string; readonly partition: string; readonly datacenter: string; readonly service: string }
  | { readonly type: 'agent'; readonly host: string; readonly datacenter: string; readonly agent: string }
  | { readonly type: 'signing'; readonly host: string };

export class SpiffeError extends Error {}

const SERVICE = /^\/(?:ap\/([^/]+)\/)?ns\/([^/]+)\/dc\/([^/]+)\/svc\/([^/]+)$/;
const AGENT = /^\/(?:ap\/([^/]+)\/)?agent\/client\/dc\/([^/]+)\/id\/([^/]+)$/;

/** Parse a certificate URI (Consul: connect.ParseCertURI). Throws SpiffeError with Consul's texts. */
export function parseSpiffeId(input: string): SpiffeId {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SpiffeError(`parse "${input}": invalid URI`);
  }
  if (url.protocol !== 'spiffe:') throw new SpiffeError('URI must have scheme "spiffe"');
  const host = url.hostname.toLowerCase();
  if (host === '') throw new SpiffeError('SPIFFE ID must have a trust domain');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    // Go's url.Parse refuses a bad escape before anything else is looked at.
    const bad = /%(?![0-9a-fA-F]{2}).{0,2}/.exec(url.pathname)?.[0] ?? '%';
    throw new SpiffeError(`parse "${input}": invalid URL escape "${bad}"`);
  }
  if (path === '' || path === '/') return { type: 'signing', host };
  let m = SERVICE.exec(path);
  if (m) {
    return { type: 'service', host, partition: m[1] ?? 'default', namespace: m[2] as string, datacenter: m[3] as string, service: m[4] as string };
  }
  m = AGENT.exec(path);
  if (m) return { type: 'agent', host, datacenter: m[2] as string, agent: m[3] as string };
  throw new SpiffeError('SPIFFE ID is not in the expected format');
}

/** spiffe://<td>/ns/default/dc/<dc>/svc/<service> (OSS: default namespace and partition). */
export function serviceSpiffeUri(trustDomain: string, datacenter: string, service: string): string {
  return `spiffe://${trustDomain}/ns/default/dc/${datacenter}/svc/${service}`;
}

export function signingSpiffeUri(trustDomain: string): string {
  return `spiffe://${trustDomain}`;
}

/** Consul: connect.TrustDomainForTarget: the cluster ID's trust domain. */
export function trustDomainFor(clusterId: string): string {
  return `${clusterId}.consul`;
}

/** Does a service ID belong to a trust domain (Consul: SpiffeIDSigning.CanSign)? */
export function canSign(trustDomain: string, id: SpiffeId): boolean {
  return id.type !== 'signing' && id.host === trustDomain.toLowerCase();
}
