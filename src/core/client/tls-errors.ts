// TLS failures of a request in the words Go's crypto/tls and crypto/x509 use, so that
// `consul members` against an HTTPS agent fails as Consul's does, e.g.
//   Get "https://127.0.0.1:8501/v1/agent/members": tls: failed to verify certificate: x509: certificate signed by unknown authority
//   Get "https://127.0.0.1:8501/v1/agent/members": remote error: tls: certificate required
import { isIP } from 'node:net';

interface TlsErrorLike {
  code?: string;
  host?: string;
  cert?: { subjectaltname?: string };
}

const VERIFY = 'tls: failed to verify certificate: ';

/** OpenSSL's chain errors that Go reports as an unknown authority. */
const UNKNOWN_AUTHORITY = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** TLS alerts the server sent, as Go's alert strings ("remote error: tls: <alert>"). */
const REMOTE_ALERTS: Readonly<Record<string, string>> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'certificate required',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'bad certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'unknown certificate authority',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'expired certificate',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'unknown certificate',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'unsupported certificate',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'handshake failure',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'protocol version not supported',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'error decrypting message',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'access denied',
  ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: 'internal error',
  ERR_SSL_TLSV1_UNRECOGNIZED_NAME: 'unrecognized name',
};

/** Go's x509.HostnameError text from Node's altname failure (the peer's SAN list). */
function hostnameError(host: string, san: string): string {
  const entries = san.split(/,\s*/).filter((s) => s !== '');
  const dns = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4));
  const ips = entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice(11));
  if (isIP(host) !== 0) {
    if (ips.length === 0) return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
    return `x509: certificate is valid for ${ips.join(', ')}, not ${host}`;
  }
  if (dns.length === 0) return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${dns.join(', ')}, not ${host}`;
}

/** Is this a TLS error that tlsErrorText words (used to prefer it over a later "socket closed")? */
export function isTlsError(err: unknown): boolean {
  return tlsErrorText(err) !== undefined;
}

/** Go's text for a Node/OpenSSL TLS failure, or undefined when `err` is not one. */
export function tlsErrorText(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as TlsErrorLike;
  const code = e.code ?? '';
  if (UNKNOWN_AUTHORITY.has(code)) return `${VERIFY}x509: certificate signed by unknown authority`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `${VERIFY}x509: certificate has expired or is not yet valid`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `${VERIFY}${hostnameError((e.host ?? '').replace(/\.$/, ''), e.cert?.subjectaltname ?? '')}`;
  }
  const alert = REMOTE_ALERTS[code];
  if (alert) return `remote error: tls: ${alert}`;
  // A plain-HTTP server answering the TLS hello (net/http's check of the first bytes).
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST') {
    return 'http: server gave HTTP response to HTTPS client';
  }
  return undefined;
}
