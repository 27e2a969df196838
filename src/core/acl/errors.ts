// ACL errors with Consul's status codes and texts (acl/errors.go, agent/http.go): clients match
// on these strings ("ACL not found", "Permission denied", "ACL support disabled").
import { HttpError } from '../errors.js';
import type { AccessLevel, Resource } from './authorizer.js';

/** The anonymous token's AccessorID (structs.ACLTokenAnonymousID). */
export const ANONYMOUS_TOKEN_ID = '00000000-0000-0000-0000-000000000002';
/** The built-in global-management policy's ID (structs.ACLPolicyGlobalManagementID). */
export const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';

/** 403 "Permission denied: token with AccessorID '…' lacks permission 'key:write' on "foo"". */
export function permissionDenied(accessorId: string, resource: Resource, level: AccessLevel, name?: string): HttpError {
  let msg = 'Permission denied';
  msg += accessorId === ANONYMOUS_TOKEN_ID ? ': anonymous token' : `: token with AccessorID '${accessorId}'`;
  msg += ` lacks permission '${resource}:${level}'`;
  if (name !== undefined && name !== '') msg += ` on ${JSON.stringify(name)}`;
  if (accessorId === ANONYMOUS_TOKEN_ID) msg += '. The anonymous token is used implicitly when a request does not specify a token.';
  return new HttpError(403, msg);
}

/** 403 "Permission denied: <cause>" (a bad or unusable token, e.g. an expired one). */
export function permissionDeniedCause(cause: string): HttpError {
  return new HttpError(403, `Permission denied: ${cause}`);
}

/** 403 "ACL not found": a token secret that matches no token. */
export function aclNotFound(): HttpError {
  return new HttpError(403, 'ACL not found');
}

/** 401 "ACL support disabled": any ACL endpoint while ACLs are off. */
export function aclDisabled(): HttpError {
  return new HttpError(401, 'ACL support disabled');
}
