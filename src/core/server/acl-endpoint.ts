// The ACL writes on the leader (Consul: agent/consul/acl_endpoint.go BootstrapTokens, TokenSet,
// tokenSetInternal, TokenClone, TokenDelete, PolicySet, PolicyDelete, RoleSet, RoleDelete): the
// validation Consul does before Raft, with its texts, then one typed command per write.
//
// Randomness (IDs, secrets) and the clock (CreateTime, expirations) are used here, before
// proposing; the FSM only stores. Permission checks are the HTTP handlers' (they hold the identity).
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from '../errors.js';
import { permissionDeniedCause } from '../acl/errors.js';
import { GLOBAL_MANAGEMENT_POLICY_ID, ANONYMOUS_TOKEN_ID } from '../acl/errors.js';
import { parseRules, RulesError } from '../acl/rules.js';
import {
  aclCanBootstrap,
  aclPolicyGetById,
  aclPolicyGetByName,
  aclRoleGetById,
  aclRoleGetByName,
  aclTokenGetByAccessor,
  aclTokenGetBySecret,
  BOOTSTRAP_NOT_ALLOWED,
} from '../state/acl.js';
import type { AclLink, AclNodeIdentity, AclPolicy, AclRole, AclServiceIdentity, AclToken, AclTokenInput } from '../structs/acl.js';
import { tokenIsExpired } from '../structs/acl.js';
import type { FsmCommand } from '../fsm/commands.js';
import { formatGoDuration } from '../support/duration.js';
import type { Logger } from '../support/logger.js';
import { policyHash, roleHash, tokenHash } from './acl-json.js';
import type { Server } from './server.js';

/** The file in the data dir whose index re-opens bootstrapping once (Consul: aclBootstrapReset). */
export const BOOTSTRAP_RESET_FILE = 'acl-bootstrap-reset';

const VALID_POLICY_NAME = /^[A-Za-z0-9\-_]{1,128}$/;
const VALID_ROLE_NAME = /^[A-Za-z0-9\-_]{1,256}$/;
const VALID_IDENTITY_NAME = /^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RESERVED_PREFIX = '00000000-0000-0000-0000-0000000000';
/** Consul's acl_token_min/max_expiration_ttl defaults (1m, 24h). */
const MIN_EXPIRATION_MS = 60_000;
const MAX_EXPIRATION_MS = 24 * 3_600_000;

/** An RPC error as the HTTP layer shows it: Consul answers plain RPC errors with 500. */
const rpcError = (message: string): HttpError => new HttpError(500, message);

const validIdentityName = (n: string): boolean => n.length >= 1 && n.length <= 256 && VALID_IDENTITY_NAME.test(n);

/** A new random UUID outside the reserved built-in range. */
function newId(): string {
  for (;;) {
    const id = randomUUID();
    if (!id.startsWith(RESERVED_PREFIX)) return id;
  }
}

/** Go's time.Time JSON form (RFC 3339, fractional seconds). */
export function goTime(ms: number): string {
  return new Date(ms).toISOString();
}

async function applyOrFail(server: Server, cmd: FsmCommand, what: string): Promise<void> {
  const r = await server.apply(cmd);
  if (r.t === 'error') throw rpcError(`Failed to apply ${what} request: ${r.message}`);
}

// ---------------------------------------------------------------- bootstrap

async function fileResetIndex(dataDir: string, log: Logger): Promise<number> {
  if (!dataDir) return 0;
  const file = path.join(dataDir, BOOTSTRAP_RESET_FILE);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error(`bootstrap: failed to read path: path=${file} error="${(err as Error).message}"`);
    return 0;
  }
  const m = /^\s*(\d+)/.exec(raw);
  if (!m) {
    log.error(`failed to parse bootstrap reset index path: path=${file}`);
    return 0;
  }
  return Number(m[1]);
}

/** Consul: ACL.BootstrapTokens. The second call gets Consul's 403 naming the reset index. */
export async function aclBootstrap(server: Server, dataDir: string, log: Logger): Promise<AclToken> {
  const { allowed, resetIndex } = aclCanBootstrap(server.store);
  let specified = 0;
  if (!allowed) {
    specified = await fileResetIndex(dataDir, log);
    if (specified === 0) throw permissionDeniedCause(`${BOOTSTRAP_NOT_ALLOWED} (reset index: ${resetIndex})`);
    if (specified !== resetIndex) throw rpcError(`Invalid bootstrap reset index (specified ${specified}, reset index: ${resetIndex})`);
  }
  // Removed whether or not this bootstrap succeeds: a file left behind would re-open bootstrapping
  // after a snapshot restore (Consul's reasoning).
  if (specified !== 0) await rm(path.join(dataDir, BOOTSTRAP_RESET_FILE), { force: true }).catch(() => undefined);
  const token: AclTokenInput = {
    AccessorID: newId(),
    SecretID: newId(),
    Description: 'Bootstrap Token (Global Management)',
    Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID }],
    Roles: [],
    ServiceIdentities: [],
    NodeIdentities: [],
    Local: false,
    CreateTime: goTime(Date.now()),
    Hash: '',
  };
  token.Hash = tokenHash(token);
  const r = await server.apply({ t: 'acl-bootstrap', v: 1, token, resetIndex: specified });
  if (r.t === 'error') {
    if (r.message.includes(BOOTSTRAP_NOT_ALLOWED)) throw permissionDeniedCause(`${BOOTSTRAP_NOT_ALLOWED} (reset index: ${aclCanBootstrap(server.store).resetIndex})`);
    throw rpcError(r.message);
  }
  log.info('ACL bootstrap completed');
  const stored = aclTokenGetByAccessor(server.store, token.AccessorID);
  if (!stored) throw rpcError('Failed to retrieve the token after insertion');
  return stored;
}

// ---------------------------------------------------------------- tokens

/** A token write as decoded from the request (ExpirationTTL in ms, 0 = unset). */
export interface TokenWrite {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies: AclLink[];
  Roles: AclLink[];
  ServiceIdentities: AclServiceIdentity[];
  NodeIdentities: AclNodeIdentity[];
  Local: boolean;
  ExpirationTime: string;
  ExpirationTTLMs: number;
  AuthMethod: string;
}

function resolvePolicyLinks(server: Server, links: readonly AclLink[]): AclLink[] {
  const seen = new Set<string>();
  const out: AclLink[] = [];
  for (const link of links) {
    let id = link.ID;
    if (!id) {
      const p = aclPolicyGetByName(server.store, link.Name ?? '');
      if (!p) throw rpcError(`No such ACL policy with name "${link.Name ?? ''}"`);
      id = p.ID;
    } else if (!aclPolicyGetById(server.store, id)) throw rpcError(`No such ACL policy with ID "${id}"`);
    if (!seen.has(id)) {
      seen.add(id);
      out.push({ ID: id });
    }
  }
  return out;
}

function resolveRoleLinks(server: Server, links: readonly AclLink[]): AclLink[] {
  const seen = new Set<string>();
  const out: AclLink[] = [];
  for (const link of links) {
    let id = link.ID;
    if (!id) {
      const r = aclRoleGetByName(server.store, link.Name ?? '');
      if (!r) throw rpcError(`No such ACL role with name "${link.Name ?? ''}"`);
      id = r.ID;
    } else if (!aclRoleGetById(server.store, id)) throw rpcError(`No such ACL role with ID "${id}"`);
    if (!seen.has(id)) {
      seen.add(id);
      out.push({ ID: id });
    }
  }
  return out;
}

function checkIdentities(owner: 'token' | 'role', local: boolean, svc: readonly AclServiceIdentity[], nodes: readonly AclNodeIdentity[]): { svc: AclServiceIdentity[]; nodes: AclNodeIdentity[] } {
  const svcOut = new Map<string, AclServiceIdentity>();
  for (const s of svc) {
    if (!s.ServiceName) throw rpcError(`Service identity is missing the service name field on this ${owner}`);
    if (local && s.Datacenters && s.Datacenters.length > 0) throw rpcError(`Service identity "${s.ServiceName}" cannot specify a list of datacenters on a local token`);
    if (!validIdentityName(s.ServiceName)) throw rpcError(`Service identity "${s.ServiceName}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`);
    // Consul's dedupeServiceIdentities: one per name, datacenters merged.
    const prev = svcOut.get(s.ServiceName);
    const dcs = [...new Set([...(prev?.Datacenters ?? []), ...(s.Datacenters ?? [])])];
    svcOut.set(s.ServiceName, dcs.length > 0 ? { ServiceName: s.ServiceName, Datacenters: dcs } : { ServiceName: s.ServiceName });
  }
  const nodeOut = new Map<string, AclNodeIdentity>();
  for (const n of nodes) {
    if (!n.NodeName) throw rpcError(`Node identity is missing the node name field on this ${owner}`);
    if (!n.Datacenter) throw rpcError(`Node identity is missing the datacenter field on this ${owner}`);
    if (!validIdentityName(n.NodeName)) throw rpcError("Node identity has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed");
    nodeOut.set(`${n.NodeName}\x00${n.Datacenter}`, { NodeName: n.NodeName, Datacenter: n.Datacenter });
  }
  return { svc: [...svcOut.values()], nodes: [...nodeOut.values()] };
}

/** Consul: tokenSetInternal. `create` is PUT /v1/acl/token (and clone); else an update by AccessorID. */
export async function aclTokenSet(server: Server, w: TokenWrite, create: boolean): Promise<AclToken> {
  const store = server.store;
  const accessorMatch = w.AccessorID ? aclTokenGetByAccessor(store, w.AccessorID) : undefined;
  const secretMatch = w.SecretID ? aclTokenGetBySecret(store, w.SecretID) : undefined;
  const now = Date.now();
  let accessorId = w.AccessorID;
  let secretId = w.SecretID;
  let createTime: string;
  let expiration = w.ExpirationTime;
  if (!accessorId || create) {
    if (!accessorId) accessorId = newId();
    else if (!UUID.test(accessorId)) throw rpcError('Invalid Token: AccessorID is not a valid UUID');
    else if (accessorMatch || aclTokenGetBySecret(store, accessorId)) throw rpcError('Invalid Token: AccessorID is already in use');
    else if (accessorId.startsWith(RESERVED_PREFIX)) throw rpcError(`Invalid Token: UUIDs with the prefix "${RESERVED_PREFIX}" are reserved`);
    if (!secretId) secretId = newId();
    else if (!UUID.test(secretId)) throw rpcError('Invalid Token: SecretID is not a valid UUID');
    else if (secretMatch || aclTokenGetByAccessor(store, secretId)) throw rpcError('Invalid Token: SecretID is already in use');
    else if (secretId.startsWith(RESERVED_PREFIX)) throw rpcError(`Invalid Token: UUIDs with the prefix "${RESERVED_PREFIX}" are reserved`);
    createTime = goTime(now);
    if (w.AuthMethod) throw rpcError('AuthMethod field is disallowed outside of Login');
    if (w.ExpirationTTLMs !== 0) {
      if (w.ExpirationTTLMs < 0) throw rpcError(`Token Expiration TTL '${formatGoDuration(w.ExpirationTTLMs)}' should be > 0`);
      if (expiration) throw rpcError('Token Expiration TTL and Expiration Time cannot both be set');
      expiration = goTime(now + w.ExpirationTTLMs);
    }
    if (expiration) {
      const exp = Date.parse(expiration);
      if (Number.isNaN(exp)) throw new HttpError(400, `Token decoding failed: parsing time "${expiration}" as RFC 3339`);
      if (exp < now) throw rpcError('ExpirationTime cannot be before CreateTime');
      const inMs = exp - now;
      if (inMs > MAX_EXPIRATION_MS) throw rpcError(`ExpirationTime cannot be more than ${formatGoDuration(MAX_EXPIRATION_MS)} in the future (was ${formatGoDuration(inMs)})`);
      if (inMs < MIN_EXPIRATION_MS) throw rpcError(`ExpirationTime cannot be less than ${formatGoDuration(MIN_EXPIRATION_MS)} in the future (was ${formatGoDuration(inMs)})`);
    }
  } else {
    if (!UUID.test(accessorId)) throw rpcError('AccessorID is not a valid UUID');
    if (secretId === 'allow' || secretId === 'deny' || secretId === 'manage') throw permissionDeniedCause('Cannot modify root ACL');
    if (!accessorMatch || tokenIsExpired(accessorMatch, now)) throw rpcError(`Cannot find token "${accessorId}"`);
    if (!secretId) secretId = accessorMatch.SecretID;
    else if (secretId !== accessorMatch.SecretID) throw rpcError('Changing a tokens SecretID is not permitted');
    if (w.Local !== accessorMatch.Local) throw rpcError(`cannot toggle local mode of ${accessorId}`);
    if (w.AuthMethod) throw rpcError(`Cannot change AuthMethod of ${accessorId}`);
    if (w.ExpirationTTLMs !== 0) throw rpcError(`Cannot change expiration time of ${accessorId}`);
    if (!expiration) expiration = accessorMatch.ExpirationTime ?? '';
    else if (!accessorMatch.ExpirationTime || Date.parse(expiration) !== Date.parse(accessorMatch.ExpirationTime)) throw rpcError(`Cannot change expiration time of ${accessorId}`);
    createTime = accessorMatch.CreateTime;
  }
  const policies = resolvePolicyLinks(server, w.Policies);
  const roles = resolveRoleLinks(server, w.Roles);
  const ids = checkIdentities('token', w.Local, w.ServiceIdentities, w.NodeIdentities);
  const token: AclTokenInput = {
    AccessorID: accessorId,
    SecretID: secretId,
    Description: w.Description,
    Policies: policies,
    Roles: roles,
    ServiceIdentities: ids.svc,
    NodeIdentities: ids.nodes,
    Local: w.Local,
    CreateTime: createTime,
    Hash: '',
  };
  if (expiration) token.ExpirationTime = expiration;
  token.Hash = tokenHash(token);
  await applyOrFail(server, { t: 'acl-token', v: 1, op: 'set', tokens: [token] }, 'token write');
  const stored = aclTokenGetByAccessor(server.store, accessorId);
  if (!stored) throw rpcError('Failed to retrieve the token after insertion');
  return stored;
}

/** Consul: ACL.TokenClone: same links and expiry, new IDs; the body's Description replaces the old one. */
export async function aclTokenClone(server: Server, accessorId: string, description: string): Promise<AclToken> {
  const token = aclTokenGetByAccessor(server.store, accessorId);
  if (!token || tokenIsExpired(token, Date.now())) throw new HttpError(403, 'ACL not found');
  return aclTokenSet(
    server,
    {
      AccessorID: '',
      SecretID: '',
      Description: description !== '' ? description : token.Description,
      Policies: token.Policies,
      Roles: token.Roles,
      ServiceIdentities: token.ServiceIdentities,
      NodeIdentities: token.NodeIdentities,
      Local: token.Local,
      ExpirationTime: token.ExpirationTime ?? '',
      ExpirationTTLMs: 0,
      AuthMethod: '',
    },
    true,
  );
}

/** Consul: ACL.TokenDelete. `requestSecret` is the caller's own token, which may not delete itself. */
export async function aclTokenDelete(server: Server, accessorId: string, requestSecret: string): Promise<void> {
  if (!UUID.test(accessorId)) throw rpcError('Accessor ID is missing or an invalid UUID');
  if (accessorId === ANONYMOUS_TOKEN_ID) throw rpcError('Delete operation not permitted on the anonymous token');
  const token = aclTokenGetByAccessor(server.store, accessorId);
  if (!token) return;
  if (requestSecret === token.SecretID) throw rpcError("Deletion of the request's authorization token is not permitted");
  await applyOrFail(server, { t: 'acl-token', v: 1, op: 'delete', ids: [accessorId] }, 'token delete');
}

// ---------------------------------------------------------------- policies

export interface PolicyWrite {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters: string[];
}

/** Consul: ACL.PolicySet. Bad rules answer with the rules parser's text. */
export async function aclPolicySet(server: Server, w: PolicyWrite): Promise<AclPolicy> {
  const store = server.store;
  if (!w.Name) throw rpcError('Invalid Policy: no Name is set');
  if (!VALID_POLICY_NAME.test(w.Name)) throw rpcError("Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
  let id = w.ID;
  const nameMatch = aclPolicyGetByName(store, w.Name);
  if (!id) {
    id = newId();
    if (nameMatch) throw rpcError(`Invalid Policy: A Policy with Name "${w.Name}" already exists`);
  } else {
    if (!UUID.test(id)) throw rpcError('Policy ID invalid UUID');
    const idMatch = aclPolicyGetById(store, id);
    if (!idMatch) throw rpcError(`cannot find policy ${id}`);
    if (idMatch.Name !== w.Name && nameMatch) throw rpcError(`Invalid Policy: A policy with name "${w.Name}" already exists`);
    if (id === GLOBAL_MANAGEMENT_POLICY_ID) {
      if (w.Datacenters.length > 0) throw rpcError('Changing the Datacenters of the builtin global-management policy is not permitted');
      if (w.Rules !== idMatch.Rules) throw rpcError('Changing the Rules for the builtin global-management policy is not permitted');
    }
  }
  try {
    parseRules(w.Rules);
  } catch (err) {
    if (err instanceof RulesError) throw rpcError(err.message);
    throw err;
  }
  const policy = { ID: id, Name: w.Name, Description: w.Description, Rules: w.Rules, Hash: '', ...(w.Datacenters.length > 0 ? { Datacenters: w.Datacenters } : {}) };
  policy.Hash = policyHash(policy);
  await applyOrFail(server, { t: 'acl-policy', v: 1, op: 'set', policies: [policy] }, 'policy upsert');
  const stored = aclPolicyGetById(server.store, id);
  if (!stored) throw rpcError('Failed to retrieve the policy after insertion');
  return stored;
}

export async function aclPolicyDelete(server: Server, id: string): Promise<void> {
  const policy = aclPolicyGetById(server.store, id);
  if (!policy) return;
  if (policy.ID === GLOBAL_MANAGEMENT_POLICY_ID) throw rpcError('Delete operation not permitted on the builtin global-management policy');
  await applyOrFail(server, { t: 'acl-policy', v: 1, op: 'delete', ids: [id] }, 'policy delete');
}

// ---------------------------------------------------------------- roles

export interface RoleWrite {
  ID: string;
  Name: string;
  Description: string;
  Policies: AclLink[];
  ServiceIdentities: AclServiceIdentity[];
  NodeIdentities: AclNodeIdentity[];
}

/** Consul: ACL.RoleSet. */
export async function aclRoleSet(server: Server, w: RoleWrite): Promise<AclRole> {
  const store = server.store;
  if (!w.Name) throw rpcError('Invalid Role: no Name is set');
  if (!VALID_ROLE_NAME.test(w.Name)) throw rpcError("Invalid Role: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
  let id = w.ID;
  if (!id) {
    id = newId();
    if (aclRoleGetByName(store, w.Name)) throw rpcError(`Invalid Role: A Role with Name "${w.Name}" already exists`);
  } else {
    if (!UUID.test(id)) throw rpcError('Role ID invalid UUID');
    const existing = aclRoleGetById(store, id);
    if (!existing) throw rpcError(`cannot find role ${id}`);
    if (existing.Name !== w.Name && aclRoleGetByName(store, w.Name)) throw rpcError(`Invalid Role: A role with name "${w.Name}" already exists`);
  }
  const policies = resolvePolicyLinks(server, w.Policies);
  const ids = checkIdentities('role', false, w.ServiceIdentities, w.NodeIdentities);
  const role = { ID: id, Name: w.Name, Description: w.Description, Policies: policies, ServiceIdentities: ids.svc, NodeIdentities: ids.nodes, Hash: '' };
  role.Hash = roleHash(role);
  await applyOrFail(server, { t: 'acl-role', v: 1, op: 'set', roles: [role] }, 'role upsert');
  const stored = aclRoleGetById(server.store, id);
  if (!stored) throw rpcError('Failed to retrieve the role after insertion');
  return stored;
}

export async function aclRoleDelete(server: Server, id: string): Promise<void> {
  if (!aclRoleGetById(server.store, id)) return;
  await applyOrFail(server, { t: 'acl-role', v: 1, op: 'delete', ids: [id] }, 'role delete');
}
