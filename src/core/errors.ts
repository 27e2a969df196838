// Consul's error messages and HTTP status codes in one table (fastify-style catalog). Clients
// match on these texts (e.g. "No cluster leader"), so they are Consul's, word for word.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const Errors = {
  noLeader: () => new HttpError(500, 'No cluster leader'),
  noServers: () => new HttpError(500, 'No known Consul servers'),
  noPathToDc: () => new HttpError(500, 'No path to datacenter'),
  missingKey: () => new HttpError(400, 'Missing key name'),
  staleAndConsistent: () => new HttpError(400, 'Cannot specify ?stale with ?consistent, conflicting semantics.'),
  invalidIndex: () => new HttpError(400, 'Invalid index'),
  invalidWait: () => new HttpError(400, 'Invalid wait time'),
  invalidMaxStale: (v: string) => new HttpError(400, `Invalid max_stale value "${v}"`),
  conflictingFlags: (q: string) => new HttpError(400, `Conflicting flags: ${q}\n`),
  decode: (why: string) => new HttpError(400, `Request decode failed: ${why}`),
  tooLarge: (size: number, max: number) =>
    new HttpError(
      413,
      `Request body(${size} bytes) too large, max size: ${max} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`,
    ),
  methodNotAllowed: (m: string) => new HttpError(405, `method ${m} not allowed`),
  aclDisabled: () => new HttpError(401, 'ACL support disabled'),
} as const;
