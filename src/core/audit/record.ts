// One audit line: what an authenticated HTTP request did, in a fixed JSON shape.
//
// MUST: never the token's SecretID: the accessor ID names the caller, and `token` query
// parameters (the deprecated ?token= form) are removed from the logged path.

export interface AuditRecord {
  /** When the request arrived (RFC 3339, UTC, milliseconds). */
  time: string;
  /** AccessorID of the token the request resolved to; empty when ACLs are off or it did not resolve. */
  accessor_id: string;
  method: string;
  /** The request URI as sent, without `token` query parameters. */
  path: string;
  /** HTTP status; 0 when the client went away before an answer was sent. */
  status: number;
  duration_ms: number;
  /** host:port of the client. */
  remote_addr: string;
}

/** Remove every `token` parameter from a request URI, keeping the others exactly as sent. */
export function redactTokenParam(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((part) => {
      const name = part.split('=', 1)[0]!;
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed escape is kept as written; it cannot spell "token"
      }
      return decoded !== 'token';
    });
  return kept.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${kept.join('&')}`;
}

/** The record as one JSON line, fields in a fixed order (built by hand: this runs per request). */
export function auditLine(r: AuditRecord): string {
  return (
    `{"time":"${r.time}","accessor_id":${JSON.stringify(r.accessor_id)},"method":${JSON.stringify(r.method)},` +
    `"path":${JSON.stringify(r.path)},"status":${r.status},"duration_ms":${r.duration_ms},"remote_addr":${JSON.stringify(r.remote_addr)}}`
  );
}
