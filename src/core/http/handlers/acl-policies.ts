// /v1/acl/policy[/...], /v1/acl/policies, /v1/acl/role[/...], /v1/acl/roles (Consul:
// agent/acl_endpoint.go ACLPolicy*, ACLRole*). Reads need acl:read, writes acl:write; a policy or
// role that does not exist reads as 403 "ACL not found", as Consul answers.
import { HttpError } from '../../errors.js';
import { aclNotFound } from '../../acl/errors.js';
import { aclPolicyDelete, aclPolicySet, aclRoleDelete, aclRoleSet } from '../../server/acl-endpoint.js';
import { policyJson, policyStubJson, roleJson } from '../../server/acl-json.js';
import { aclIndex, aclPolicyGetById, aclPolicyGetByName, aclPolicyList, aclRoleGetById, aclRoleGetByName, aclRoleList } from '../../state/acl.js';
import type { StateStore } from '../../state/store.js';
import { blockingQuery, then } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { decodePolicyWrite, decodeRoleWrite } from './acl-decode.js';
import { requireAclsEnabled } from './acl-tokens.js';

function readOne<T>(ctx: RequestContext, deps: ApiDeps, table: 'acl-policies' | 'acl-roles', get: (store: StateStore) => T | undefined, show: (store: StateStore, v: T) => unknown): Reply | Promise<Reply> {
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclRead(), 'acl', 'read');
  return then(
    blockingQuery(ctx, server, deps.limits, (ws) => {
      ws?.table(table);
      if (table === 'acl-roles') ws?.table('acl-policies');
      return { index: aclIndex(server.store, table), value: get(server.store) };
    }),
    (r) => {
      if (r.value === undefined) throw aclNotFound();
      return { status: 200, body: show(server.store, r.value), meta: r.meta };
    },
  );
}

// ---------------------------------------------------------------- policies

/** PUT /v1/acl/policy: create. */
export async function aclPolicyCreate(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAclsEnabled(deps);
  const w = decodePolicyWrite(ctx.body);
  if (w.ID !== '') throw new HttpError(400, 'Cannot specify the ID when creating a new policy');
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  return { status: 200, body: policyJson(await aclPolicySet(server, w)) };
}

/** /v1/acl/policy/:id (GET, PUT, DELETE). */
export function aclPolicyCrud(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const id = ctx.tail;
  if (id === '' && ctx.method !== 'PUT') throw new HttpError(400, 'Missing policy ID');
  if (ctx.method === 'GET') return readOne(ctx, deps, 'acl-policies', (s) => aclPolicyGetById(s, id), (_s, p) => policyJson(p));
  if (ctx.method === 'PUT') return policyUpdate(ctx, deps, id);
  return policyDelete(ctx, deps, id);
}

async function policyUpdate(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const w = decodePolicyWrite(ctx.body);
  if (w.ID !== '' && w.ID !== id) throw new HttpError(400, 'Policy ID in URL and payload do not match');
  w.ID = id;
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  return { status: 200, body: policyJson(await aclPolicySet(server, w)) };
}

async function policyDelete(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  await aclPolicyDelete(server, id);
  return { status: 200, body: true };
}

/** GET /v1/acl/policy/name/:name. */
export function aclPolicyByName(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const name = ctx.tail;
  if (name === '') throw new HttpError(400, 'Missing policy Name');
  return readOne(ctx, deps, 'acl-policies', (s) => aclPolicyGetByName(s, name), (_s, p) => policyJson(p));
}

/** GET /v1/acl/policies. */
export function aclPolicyListHandler(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclRead(), 'acl', 'read');
  return then(
    blockingQuery(ctx, server, deps.limits, (ws) => {
      ws?.table('acl-policies');
      return { index: aclIndex(server.store, 'acl-policies'), value: aclPolicyList(server.store).map(policyStubJson) };
    }),
    (r) => ({ status: 200, body: r.value, meta: r.meta }),
  );
}

// ---------------------------------------------------------------- roles

/** PUT /v1/acl/role: create. */
export async function aclRoleCreate(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAclsEnabled(deps);
  const w = decodeRoleWrite(ctx.body);
  if (w.ID !== '') throw new HttpError(400, 'Cannot specify the ID when creating a new role');
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  const role = await aclRoleSet(server, w);
  return { status: 200, body: roleJson(server.store, role) };
}

/** /v1/acl/role/:id (GET, PUT, DELETE). */
export function aclRoleCrud(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const id = ctx.tail;
  if (id === '' && ctx.method !== 'PUT') throw new HttpError(400, 'Missing role ID');
  if (ctx.method === 'GET') return readOne(ctx, deps, 'acl-roles', (s) => aclRoleGetById(s, id), roleJson);
  if (ctx.method === 'PUT') return roleUpdate(ctx, deps, id);
  return roleDelete(ctx, deps, id);
}

async function roleUpdate(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const w = decodeRoleWrite(ctx.body);
  if (w.ID !== '' && w.ID !== id) throw new HttpError(400, 'Role ID in URL and payload do not match');
  w.ID = id;
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  const role = await aclRoleSet(server, w);
  return { status: 200, body: roleJson(server.store, role) };
}

async function roleDelete(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  await aclRoleDelete(server, id);
  return { status: 200, body: true };
}

/** GET /v1/acl/role/name/:name. */
export function aclRoleByName(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const name = ctx.tail;
  if (name === '') throw new HttpError(400, 'Missing role Name');
  return readOne(ctx, deps, 'acl-roles', (s) => aclRoleGetByName(s, name), roleJson);
}

/** GET /v1/acl/roles (?policy= by ID). */
export function aclRoleListHandler(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclRead(), 'acl', 'read');
  const policy = ctx.get('policy') ?? '';
  return then(
    blockingQuery(ctx, server, deps.limits, (ws) => {
      ws?.table('acl-roles');
      ws?.table('acl-policies');
      const roles = aclRoleList(server.store, policy === '' ? undefined : policy);
      return { index: aclIndex(server.store, 'acl-roles'), value: roles.map((r) => roleJson(server.store, r)) };
    }),
    (r) => ({ status: 200, body: r.value, meta: r.meta }),
  );
}
