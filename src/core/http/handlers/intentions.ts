// /v1/connect/intentions (Consul: agent/intentions_endpoint.go): list, legacy ID-based create /
// read / update / delete, the `exact` form, `match` and `check`.
// ACLs (agent/consul/intention_endpoint.go): the list keeps what the token may read (intention:read
// on either end, Intention.CanRead); reading one it may not is the bare 403 "Permission denied",
// and so is any write without intention:write on the destination (Intention.CanWrite); match
// needs intention:read on each name, check service:read on the destination.
import { randomUUID } from 'node:crypto';
import { HttpError } from '../../errors.js';
import { decide, intentionString, matchIntentions, WILDCARD } from '../../connect/intentions.js';
import {
  allIntentions,
  findIntentionById,
  findIntentionExact,
  intentionsIndex,
  updateSource,
} from '../../server/intention-endpoint.js';
import type { SourceIntention } from '../../structs/connect.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { isObject, parseJson, type JsonObject } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { canReadIntention, filterIntentions, permissionDeniedBare, type RequestAcl } from '../../acl/index.js';

/** Intention.CanWrite: intention:write on the destination, else acl.ErrPermissionDenied. */
function requireWrite(acl: RequestAcl, destination: string): void {
  if (acl.enabled && (destination === '' || !acl.authz.intentionWrite(destination))) throw permissionDeniedBare();
}

function requireRead(acl: RequestAcl, ixn: { SourceName: string; DestinationName: string }): void {
  if (acl.enabled && !canReadIntention(acl, ixn)) throw permissionDeniedBare();
}

const required = (ctx: RequestContext, name: string): string => {
  const v = ctx.get(name);
  if (v === null || v === '') throw new HttpError(400, `required query parameter '${name}' not set`);
  return v;
};

async function readIntentions<T>(ctx: RequestContext, deps: ApiDeps, read: () => T): Promise<Reply> {
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('config-entries');
    return { index: intentionsIndex(server.store), value: read() };
  });
  return { status: 200, body: r.value, meta: r.meta };
}

export function intentionList(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  return readIntentions(ctx, deps, () => filterIntentions(ctx.acl, allIntentions(deps.requireServer().store)));
}

function decodeBody(ctx: RequestContext): JsonObject {
  const raw = parseJson(ctx.body);
  if (!isObject(raw)) throw new HttpError(400, 'Failed to decode request body: json: cannot unmarshal non-object into Go value of type structs.Intention');
  return raw;
}

function actionOf(o: JsonObject, hasPermissions: boolean): 'allow' | 'deny' | undefined {
  const a = typeof o.Action === 'string' ? o.Action.toLowerCase() : '';
  if (hasPermissions) {
    if (a !== '') throw new HttpError(500, 'Action must be empty when Permissions are specified');
    return undefined;
  }
  if (a !== 'allow' && a !== 'deny') throw new HttpError(500, "Action must be set to 'allow' or 'deny'");
  return a;
}

function sourceFrom(o: JsonObject, name: string, base: Partial<SourceIntention>): SourceIntention {
  const perms = Array.isArray(o.Permissions) ? o.Permissions : [];
  const s: SourceIntention = { ...base, Name: name, Type: 'consul', Precedence: 0 };
  const action = actionOf(o, perms.length > 0);
  if (action) s.Action = action;
  else delete s.Action;
  if (perms.length > 0) s.Permissions = perms;
  else delete s.Permissions;
  if (typeof o.Description === 'string' && o.Description !== '') s.Description = o.Description;
  return s;
}

const now = (): string => new Date().toISOString();

/** POST /v1/connect/intentions: legacy create; answers {"ID": ...}. */
export async function intentionCreate(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const o = decodeBody(ctx);
  const src = typeof o.SourceName === 'string' ? o.SourceName : '';
  const dst = typeof o.DestinationName === 'string' ? o.DestinationName : '';
  if (src === '') throw new HttpError(500, 'SourceName must be set');
  if (dst === '') throw new HttpError(500, 'DestinationName must be set');
  requireWrite(ctx.acl, dst);
  const server = deps.requireServer();
  const existing = findIntentionExact(server.store, src, dst);
  if (existing) throw new HttpError(500, `duplicate intention found: ${intentionString(existing)}`);
  const id = randomUUID();
  const meta = isObject(o.Meta) ? (o.Meta as Record<string, string>) : {};
  const t = now();
  await updateSource(server, src, dst, () => sourceFrom(o, src, { LegacyID: id, LegacyMeta: meta, LegacyCreateTime: t, LegacyUpdateTime: t }));
  return { status: 200, body: { ID: id } };
}

/** /v1/connect/intentions/<id> (GET, PUT, DELETE), and the special sub-paths. */
export function intentionSpecificGet(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === 'match') return intentionMatch(ctx, deps);
  if (ctx.tail === 'check') return intentionCheck(ctx, deps);
  if (ctx.tail === 'exact') return intentionExactGet(ctx, deps);
  const server = deps.requireServer();
  return readIntentions(ctx, deps, () => {
    const hit = findIntentionById(server.store, ctx.tail);
    if (!hit) throw new HttpError(404, 'Intention not found');
    const ixn = allIntentions(server.store).find((i) => i.ID === ctx.tail);
    if (ixn) requireRead(ctx.acl, ixn);
    return ixn;
  });
}

export async function intentionSpecificPut(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === 'exact') return intentionExactPut(ctx, deps);
  const server = deps.requireServer();
  const hit = findIntentionById(server.store, ctx.tail);
  if (!hit) throw new HttpError(500, 'Cannot modify non-existent intention');
  requireWrite(ctx.acl, hit.entry.Name);
  const o = decodeBody(ctx);
  await updateSource(server, hit.source.Name, hit.entry.Name, (cur) => sourceFrom(o, hit.source.Name, { ...(cur ?? hit.source), LegacyUpdateTime: now() }));
  return { status: 200, body: { ID: ctx.tail } };
}

export async function intentionSpecificDelete(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === 'exact') return intentionExactDelete(ctx, deps);
  const server = deps.requireServer();
  const hit = findIntentionById(server.store, ctx.tail);
  if (!hit) throw new HttpError(500, 'Cannot delete non-existent intention');
  requireWrite(ctx.acl, hit.entry.Name);
  await updateSource(server, hit.source.Name, hit.entry.Name, () => undefined);
  return { status: 200, body: true };
}

function intentionExactGet(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const src = required(ctx, 'source');
  const dst = required(ctx, 'destination');
  const server = deps.requireServer();
  return readIntentions(ctx, deps, () => {
    const ixn = findIntentionExact(server.store, src, dst);
    if (!ixn) throw new HttpError(404, 'Intention not found');
    requireRead(ctx.acl, ixn);
    return ixn;
  });
}

async function intentionExactPut(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const src = required(ctx, 'source');
  const dst = required(ctx, 'destination');
  const o = decodeBody(ctx);
  requireWrite(ctx.acl, dst);
  await updateSource(deps.requireServer(), src, dst, (cur) => sourceFrom(o, src, { ...(cur ?? {}), LegacyUpdateTime: cur?.LegacyID ? now() : undefined }));
  return { status: 200, body: true };
}

async function intentionExactDelete(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const src = required(ctx, 'source');
  const dst = required(ctx, 'destination');
  requireWrite(ctx.acl, dst);
  await updateSource(deps.requireServer(), src, dst, () => undefined);
  return { status: 200, body: true };
}

/** GET /v1/connect/intentions/match?by=source|destination&name=X (repeatable). */
function intentionMatch(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const by = required(ctx, 'by');
  if (by !== 'source' && by !== 'destination') throw new HttpError(400, "'by' parameter must be one of 'source' or 'destination'");
  const names = ctx.query.getAll('name').filter((n) => n !== '');
  if (names.length === 0) throw new HttpError(400, "required query parameter 'name' not set");
  for (const n of names) ctx.acl.require(ctx.acl.authz.intentionRead(n), 'intention', 'read', n);
  const server = deps.requireServer();
  return readIntentions(ctx, deps, () => {
    const all = allIntentions(server.store);
    const out: Record<string, unknown> = {};
    for (const n of names) out[n] = matchIntentions(all, by, n);
    return out;
  });
}

/** GET /v1/connect/intentions/check?source=&destination=: {"Allowed": bool}. */
function intentionCheck(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const src = required(ctx, 'source');
  const dst = required(ctx, 'destination');
  if (src === WILDCARD || dst === WILDCARD) throw new HttpError(400, 'source and destination must be exact names');
  // Consul: Check needs only service:read on the destination (it answers pass/fail, nothing more).
  ctx.acl.require(ctx.acl.authz.serviceRead(dst), 'service', 'read', dst);
  const server = deps.requireServer();
  const defaultAllow = ctx.acl.authz.intentionDefaultAllow();
  return readIntentions(ctx, deps, () => ({ Allowed: decide(matchIntentions(allIntentions(server.store), 'destination', dst), src, defaultAllow, ctx.acl.enabled).allowed }));
}
