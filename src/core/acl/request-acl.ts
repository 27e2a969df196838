// One request's ACL identity: the authorizer its token resolved to and the AccessorID that permission
// errors and the audit log name. Handlers call `require*`/`filter*` helpers here instead of building
// errors themselves, so every denial reads the same.
//
// MUST: the SecretID never appears here (only the AccessorID), so it cannot reach logs or errors.
import type { IncomingHttpHeaders } from 'node:http';
import { ALLOW_ALL, type AccessLevel, type Authorizer, type Resource } from './authorizer.js';
import { ANONYMOUS_TOKEN_ID, permissionDenied } from './errors.js';

export class RequestAcl {
  /** Set when a list answer dropped entries this token may not see (X-Consul-Results-Filtered-By-ACLs). */
  filtered = false;

  constructor(
    readonly authz: Authorizer,
    /** The token's AccessorID; the anonymous token's when none was given. */
    readonly accessorId: string,
    /** False when ACLs are disabled (then authz is ALLOW_ALL). */
    readonly enabled: boolean,
  ) {}

  /** Throws Consul's 403 when `allowed` is false. */
  require(allowed: boolean, resource: Resource, level: AccessLevel, name?: string): void {
    if (!allowed) throw permissionDenied(this.accessorId, resource, level, name);
  }

  /** Keeps the items this token may see; records that filtering happened. */
  filter<T>(items: readonly T[], visible: (item: T) => boolean): T[] {
    if (!this.enabled) return items as T[];
    const out = items.filter(visible);
    if (out.length !== items.length) this.filtered = true;
    return out;
  }
}

/** ACLs disabled: one shared identity that may do everything. */
export const ACL_DISABLED = new RequestAcl(ALLOW_ALL, ANONYMOUS_TOKEN_ID, false);

/**
 * The token a request carries, in Consul's order (agent/http.go parseTokenInternal): `?token=`,
 * then `X-Consul-Token`, then `Authorization: Bearer <token>`. Undefined when none is given (the
 * agent's default token, acl.tokens.default, then applies).
 */
export function requestToken(headers: IncomingHttpHeaders | Readonly<Record<string, string>>, query: URLSearchParams): string | undefined {
  const q = query.get('token');
  if (q !== null && q !== '') return q;
  const h = headers['x-consul-token'];
  const hv = Array.isArray(h) ? h[0] : h;
  if (hv !== undefined && hv !== '') return hv;
  const auth = headers['authorization'];
  const av = (Array.isArray(auth) ? auth[0] : auth)?.trim();
  if (av !== undefined && av !== '') {
    const [scheme, ...rest] = av.split(/\s+/);
    if (scheme?.toLowerCase() === 'bearer' && rest.length > 0) return rest.join(' ');
  }
  return undefined;
}

/**
 * Resolves a request's token to its identity. Implemented by the ACL subsystem (resolver.ts):
 * synchronously on servers (the state store is local), possibly asynchronously on client agents
 * (a server is asked over RPC, with a cache).
 */
export interface AclResolver {
  readonly enabled: boolean;
  /** 'allow' or 'deny': the X-Consul-Default-ACL-Policy header on every response. */
  readonly defaultPolicy: 'allow' | 'deny';
  /** Throws 403 "ACL not found" for an unknown secret and 403 for an expired token. */
  resolve(secret: string | undefined): RequestAcl | Promise<RequestAcl>;
}
