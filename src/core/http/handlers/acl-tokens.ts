// /v1/acl/bootstrap, /v1/acl/token[/...], /v1/acl/tokens (Consul: agent/acl_endpoint.go over
// agent/consul/acl_endpoint.go). Each handler checks acl:read or acl:write itself, as Consul's
// ACL endpoints do; SecretIDs are shown as "<hidden>" to tokens without acl:write.
import { HttpError } from '../../errors.js';
import { aclDisabled, aclNotFound } from '../../acl/errors.js';
import { requestToken } from '../../acl/request-acl.js';
import { aclBootstrap, aclTokenClone, aclTokenDelete, aclTokenSet } from '../../server/acl-endpoint.js';
import { tokenJson, tokenStubJson } from '../../server/acl-json.js';
import { aclIndex, aclPolicyGetByName, aclRoleGetByName, aclTokenGetByAccessor, aclTokenGetBySecret, aclTokenList } from '../../state/acl.js';
import { tokenIsExpired } from '../../structs/acl.js';
import { blockingQuery, then } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import type { AclAgent, ApiDeps } from '../deps.js';
import { decodeTokenWrite } from './acl-decode.js';

/** Consul's checkACLDisabled: 401 "ACL support disabled" on every ACL endpoint while ACLs are off. */
export function requireAclsEnabled(deps: ApiDeps): void {
  if (!deps.acl?.enabled || !deps.aclAgent) throw aclDisabled();
}

export function aclAgent(deps: ApiDeps): AclAgent {
  if (!deps.aclAgent) throw aclDisabled();
  return deps.aclAgent;
}

const TOKEN_TABLES = ['acl-tokens', 'acl-policies', 'acl-roles'] as const;

/** PUT /v1/acl/bootstrap. */
export async function aclBootstrapHandler(_ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAclsEnabled(deps);
  const server = deps.requireServer();
  const token = await aclBootstrap(server, deps.config.dataDir, aclAgent(deps).log);
  return { status: 200, body: tokenJson(server.store, token, false) };
}

/** PUT /v1/acl/token: create. */
export async function aclTokenCreate(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAclsEnabled(deps);
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  const token = await aclTokenSet(server, decodeTokenWrite(ctx.body), true);
  return { status: 200, body: tokenJson(server.store, token, false) };
}

/** GET /v1/acl/token/self: the request's own token (no permission needed: the secret is proof). */
export function aclTokenSelf(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const server = deps.requireServer();
  const secret = aclAgent(deps).resolver.effectiveSecret(requestToken(ctx.req.headers, ctx.query));
  return then(
    blockingQuery(ctx, server, deps.limits, (ws) => {
      ws?.table('acl-tokens');
      const t = aclTokenGetBySecret(server.store, secret);
      return { index: aclIndex(server.store, 'acl-tokens'), value: t && !tokenIsExpired(t, Date.now()) ? t : undefined };
    }),
    (r) => {
      if (!r.value) throw aclNotFound();
      return { status: 200, body: tokenJson(server.store, r.value, false), meta: r.meta };
    },
  );
}

/** /v1/acl/token/:accessor (GET, PUT, DELETE) and PUT /v1/acl/token/:accessor/clone. */
export function aclTokenCrud(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  let id = ctx.tail;
  if (ctx.method === 'PUT' && id.endsWith('/clone')) return tokenClone(ctx, deps, id.slice(0, -'/clone'.length));
  if (id === '' && ctx.method !== 'PUT') throw new HttpError(400, 'Missing token ID');
  id = id.replace(/\/+$/, '');
  if (ctx.method === 'GET') return tokenRead(ctx, deps, id);
  if (ctx.method === 'PUT') return tokenUpdate(ctx, deps, id);
  return tokenDelete(ctx, deps, id);
}

function tokenRead(ctx: RequestContext, deps: ApiDeps, id: string): Reply | Promise<Reply> {
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclRead(), 'acl', 'read');
  const redact = !ctx.acl.authz.aclWrite();
  return then(
    blockingQuery(ctx, server, deps.limits, (ws) => {
      for (const t of TOKEN_TABLES) ws?.table(t);
      const t = aclTokenGetByAccessor(server.store, id);
      return { index: aclIndex(server.store, 'acl-tokens'), value: t && !tokenIsExpired(t, Date.now()) ? t : undefined };
    }),
    (r) => {
      if (!r.value) throw aclNotFound();
      return { status: 200, body: tokenJson(server.store, r.value, redact), meta: r.meta };
    },
  );
}

async function tokenUpdate(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const server = deps.requireServer();
  const w = decodeTokenWrite(ctx.body);
  if (w.AccessorID !== '' && w.AccessorID !== id) throw new HttpError(400, 'Token Accessor ID in URL and payload do not match');
  w.AccessorID = id;
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  const token = await aclTokenSet(server, w, false);
  return { status: 200, body: tokenJson(server.store, token, false) };
}

async function tokenDelete(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  await aclTokenDelete(server, id, requestToken(ctx.req.headers, ctx.query) ?? '');
  return { status: 200, body: true };
}

async function tokenClone(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const server = deps.requireServer();
  const w = decodeTokenWrite(ctx.body);
  ctx.acl.require(ctx.acl.authz.aclWrite(), 'acl', 'write');
  const token = await aclTokenClone(server, id, w.Description);
  return { status: 200, body: tokenJson(server.store, token, false) };
}

/** GET /v1/acl/tokens (?policy=, ?role=, by ID; Consul also takes names here). */
export function aclTokenListHandler(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  requireAclsEnabled(deps);
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.aclRead(), 'acl', 'read');
  const redact = !ctx.acl.authz.aclWrite();
  const policyArg = ctx.get('policy') ?? '';
  const roleArg = ctx.get('role') ?? '';
  return then(
    blockingQuery(ctx, server, deps.limits, (ws) => {
      for (const t of TOKEN_TABLES) ws?.table(t);
      const store = server.store;
      const policy = policyArg === '' ? undefined : (aclPolicyGetByName(store, policyArg)?.ID ?? policyArg);
      const role = roleArg === '' ? undefined : (aclRoleGetByName(store, roleArg)?.ID ?? roleArg);
      const now = Date.now();
      const tokens = aclTokenList(store, { policy, role }).filter((t) => !tokenIsExpired(t, now));
      return { index: aclIndex(store, 'acl-tokens'), value: tokens.map((t) => tokenStubJson(store, t, redact)) };
    }),
    (r) => ({ status: 200, body: r.value, meta: r.meta }),
  );
}
