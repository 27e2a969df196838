// /v1/query (Consul: agent/prepared_query_endpoint.go over PreparedQuery.Apply/Get/List/Execute/
// Explain): create, list, read, update and delete prepared queries, and run them (`/execute`,
// with failover to other datacenters) or show what a name resolves to (`/explain`).
import { randomUUID } from 'node:crypto';
import { HttpError, Errors } from '../../errors.js';
import { permissionDenied, permissionDeniedBare, requestToken, type RequestAcl } from '../../acl/index.js';
import { aclPrefix, decodeQuery, QueryInvalid, REDACTED_TOKEN, validateQuery } from '../../query/decode.js';
import { executeLocal, failoverDatacenters, shuffle, type ExecuteResponse, type QueryNode } from '../../query/execute.js';
import { executeJson, QueryResultCache, type ExecutedQuery } from '../../query/result-cache.js';
import { QUERY_NOT_FOUND, type PreparedQuery } from '../../query/types.js';
import { preparedQueryGet, preparedQueryList, preparedQueryResolve } from '../../state/prepared-queries.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { DecodeError, field, isObject, parseJson, type JsonObject } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { sortByNear } from '../near.js';
import { datacentersByDistance } from './catalog.js';
import { connectInstances } from './connect-catalog.js';

const notFound = (): HttpError => new HttpError(404, QUERY_NOT_FOUND);

function bodyQuery(ctx: RequestContext): PreparedQuery {
  const raw = parseJson(ctx.body);
  if (!isObject(raw)) throw Errors.decode('json: cannot unmarshal into Go value of type structs.PreparedQuery');
  try {
    return decodeQuery(raw);
  } catch (err) {
    if (err instanceof DecodeError) throw Errors.decode(err.message);
    throw err;
  }
}

function requireQueryWrite(acl: RequestAcl, q: PreparedQuery): void {
  const prefix = aclPrefix(q);
  if (prefix !== undefined && !acl.authz.preparedQueryWrite(prefix)) throw permissionDenied(acl.accessorId, 'query', 'write', prefix);
}

/** Consul's filterPreparedQueries: prefixed queries need query read; unprefixed ones, management. */
function mayReadQuery(acl: RequestAcl, q: PreparedQuery): boolean {
  if (!acl.enabled) return true;
  const prefix = aclPrefix(q);
  return prefix !== undefined ? acl.authz.preparedQueryRead(prefix) : acl.authz.aclWrite();
}

/** The list filtered as filterPreparedQueries does; tokens hidden without acl:write. */
function visibleQueries(acl: RequestAcl, qs: PreparedQuery[]): PreparedQuery[] {
  if (!acl.enabled) return qs;
  return acl.filter(qs, (q) => mayReadQuery(acl, q)).map((q) => redacted(acl, q));
}

function redacted(acl: RequestAcl, q: PreparedQuery): PreparedQuery {
  return !acl.enabled || acl.authz.aclWrite() || q.Token === '' ? q : { ...q, Token: REDACTED_TOKEN };
}

async function applyQuery(deps: ApiDeps, cmd: { op: 'set'; query: PreparedQuery } | { op: 'delete'; id: string }): Promise<void> {
  const server = deps.requireServer();
  const r = await server.apply({ t: 'prepared-query', v: 1, ...cmd });
  if (r.t === 'error') throw new HttpError(500, r.message);
}

function validated(q: PreparedQuery): PreparedQuery {
  try {
    validateQuery(q);
  } catch (err) {
    if (err instanceof QueryInvalid) throw new HttpError(500, `Invalid prepared query: ${err.message}`);
    throw err;
  }
  return q;
}

/** POST /v1/query */
export async function queryCreate(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const q = bodyQuery(ctx);
  if (q.ID !== '') throw new HttpError(500, 'ID must be empty when creating a new prepared query');
  requireQueryWrite(ctx.acl, q);
  do q.ID = randomUUID();
  while (preparedQueryGet(server.store, q.ID));
  await applyQuery(deps, { op: 'set', query: validated(q) });
  return { status: 200, body: { ID: q.ID } };
}

/** GET /v1/query */
export async function queryList(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('prepared-queries');
    return { index: server.store.maxIndex('prepared-queries'), value: visibleQueries(ctx.acl, preparedQueryList(server.store)) };
  });
  return { status: 200, body: r.value, meta: r.meta };
}

/** /v1/query/<id>, /v1/query/<id or name>/execute, /v1/query/<id or name>/explain */
export function querySpecific(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const tail = ctx.tail;
  if (tail.endsWith('/execute')) return queryExecute(ctx, deps, tail.slice(0, -'/execute'.length));
  if (tail.endsWith('/explain')) return queryExplain(ctx, deps, tail.slice(0, -'/explain'.length));
  if (ctx.method === 'GET') return queryGet(ctx, deps, tail);
  if (ctx.method === 'PUT') return queryUpdate(ctx, deps, tail);
  return queryDelete(ctx, deps, tail);
}

async function queryGet(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('prepared-queries');
    return { index: server.store.maxIndex('prepared-queries'), value: preparedQueryGet(server.store, id) };
  });
  if (!r.value) throw notFound();
  // Consul's Get runs the list filter on the one query and answers acl.ErrPermissionDenied (the
  // bare text) when it is filtered out: unprefixed queries are for management tokens only.
  if (!mayReadQuery(ctx.acl, r.value)) throw permissionDeniedBare();
  const out = [redacted(ctx.acl, r.value)];
  return { status: 200, body: out, meta: r.meta };
}

function existing(deps: ApiDeps, ctx: RequestContext, id: string): PreparedQuery {
  const q = preparedQueryGet(deps.requireServer().store, id);
  if (!q) throw new HttpError(500, `Cannot modify non-existent prepared query: '${id}'`);
  requireQueryWrite(ctx.acl, q);
  return q;
}

async function queryUpdate(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  const q = bodyQuery(ctx);
  q.ID = id; // the path wins over the body, as Consul's handler does
  requireQueryWrite(ctx.acl, q);
  existing(deps, ctx, id);
  await applyQuery(deps, { op: 'set', query: validated(q) });
  return { status: 200, raw: '' };
}

async function queryDelete(ctx: RequestContext, deps: ApiDeps, id: string): Promise<Reply> {
  existing(deps, ctx, id);
  await applyQuery(deps, { op: 'delete', id });
  return { status: 200, raw: '' };
}

function resolveOrThrow(deps: ApiDeps, idOrName: string): PreparedQuery {
  const q = preparedQueryResolve(deps.requireServer().store, idOrName);
  if (!q) throw notFound();
  return q;
}

async function queryExplain(ctx: RequestContext, deps: ApiDeps, idOrName: string): Promise<Reply> {
  const server = deps.requireServer();
  await server.readCheck(ctx.consistency());
  const q = resolveOrThrow(deps, idOrName);
  // Consul's Explain: the list filter on the one query, acl.ErrPermissionDenied when filtered out.
  if (!mayReadQuery(ctx.acl, q)) throw permissionDeniedBare();
  return { status: 200, body: { Query: redacted(ctx.acl, q) }, meta: metaNow(ctx, deps) };
}

function metaNow(ctx: RequestContext, deps: ApiDeps): Reply['meta'] {
  const server = deps.requireServer();
  return { index: 1, knownLeader: server.knownLeader(), lastContactMs: server.lastContactMs(), consistency: ctx.consistency() };
}

function limitParam(ctx: RequestContext): number {
  return ctx.uint('limit', 0, () => new HttpError(400, 'Bad limit'));
}

/** The identity whose ACLs filter the instances: the query's own token when it has one. */
async function effectiveAcl(ctx: RequestContext, deps: ApiDeps, q: PreparedQuery): Promise<RequestAcl> {
  if (q.Token !== '' && deps.acl?.enabled) return deps.acl.resolve(q.Token);
  return ctx.acl;
}

/** Instances the identity may see (node read and service read), as indexes into `nodes`. */
function visibleOrder(ctx: RequestContext, acl: RequestAcl, nodes: readonly QueryNode[]): number[] {
  const order = nodes.map((_, i) => i);
  if (!acl.enabled) return order;
  const kept = order.filter((i) => {
    const n = nodes[i] as QueryNode;
    return acl.authz.nodeRead(n.Node.Node) && acl.authz.serviceRead(String(n.Service.Service));
  });
  if (kept.length !== order.length) ctx.acl.filtered = true;
  return kept;
}

const caches = new WeakMap<ApiDeps, QueryResultCache>();

/** This datacenter's result for `q`, from the cache while the service's instances are unchanged. */
function localResult(deps: ApiDeps, q: PreparedQuery, connect: boolean): ExecutedQuery {
  const store = deps.requireServer().store;
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new QueryResultCache()));
  const viaConnect = connect || q.Service.Connect.Enabled;
  const index = viaConnect ? store.maxIndex('nodes', 'services', 'checks') : store.serviceIndex(q.Service.Service);
  const key = `${q.ID}\x00${q.ModifyIndex}\x00${viaConnect}\x00${JSON.stringify(q.Service)}\x00${q.DNS.TTL}`;
  return cache.get(key, index, () => executeLocal({ store, datacenter: deps.config.datacenter, connectInstances }, q, connect));
}

async function queryExecute(ctx: RequestContext, deps: ApiDeps, idOrName: string): Promise<Reply> {
  const server = deps.requireServer();
  await server.readCheck(ctx.consistency());
  // Consul's Execute checks no query permission (knowing the name or ID is enough): it only
  // filters the instances with the query's token, else the caller's (visibleOrder below).
  const q = resolveOrThrow(deps, idOrName);
  const connect = ctx.has('connect');
  const limit = limitParam(ctx);
  const local = localResult(deps, q, connect);
  const nodes = local.response.Nodes;
  let order = shuffle(visibleOrder(ctx, await effectiveAcl(ctx, deps, q), nodes));
  // ?near (the client's) wins over the query's Near; _agent is the agent that took the call.
  let near = ctx.get('near') || q.Service.Near;
  if (near === '_agent') near = ctx.originNode ?? deps.config.nodeName;
  if (near) {
    order = sortByNear(server.store, near, order, (i) => (nodes[i] as QueryNode).Node.Node);
    // The source node itself goes first when it is among the first ten (Consul's Execute).
    const at = order.slice(0, 10).findIndex((i) => (nodes[i] as QueryNode).Node.Node === near);
    if (at > 0) [order[0], order[at]] = [order[at] as number, order[0] as number];
  }
  if (limit > 0) order = order.slice(0, limit);
  const meta = metaNow(ctx, deps);
  if (order.length === 0) {
    const r: ExecuteResponse = { ...local.response, Nodes: [] };
    await failover(ctx, deps, q, r, limit, connect);
    return { status: 200, body: r, meta };
  }
  if (ctx.pretty) return { status: 200, body: { ...local.response, Nodes: order.map((i) => nodes[i]) }, meta };
  return { status: 200, json: executeJson(local.response, local.fragments, order), meta };
}

/** Consul's queryFailover: ask the chosen datacenters in order until one has instances. */
async function failover(ctx: RequestContext, deps: ApiDeps, q: PreparedQuery, r: ExecuteResponse, limit: number, connect: boolean): Promise<void> {
  const send = deps.dcForwarder;
  const others = datacentersByDistance(deps).filter((dc) => dc !== deps.config.datacenter);
  const dcs = failoverDatacenters(q, others);
  let tried = 0;
  for (const dc of dcs) {
    tried++;
    if (!send) break;
    const token = requestToken(ctx.req.headers, ctx.query);
    const headers: Record<string, string> = token !== undefined ? { 'x-consul-token': token } : {};
    try {
      const body = Buffer.from(JSON.stringify({ Query: q, Limit: limit, Connect: connect }));
      const reply = await send(dc, { method: 'PUT', url: `/v1/internal/query/execute-remote?dc=${encodeURIComponent(dc)}`, headers, body, originNode: deps.config.nodeName }, 30_000);
      if (reply.status !== 200) throw new Error(Buffer.from(reply.body).toString('utf8'));
      const remote = JSON.parse(Buffer.from(reply.body).toString('utf8')) as ExecuteResponse;
      Object.assign(r, remote);
      if (r.Nodes.length > 0) break;
    } catch (err) {
      deps.agent.logStreams?.logger.warn(`prepared_query: Failed querying for service in datacenter: service=${q.Service.Service} datacenter=${dc} error="${(err as Error).message}"`);
    }
  }
  r.Failovers = tried;
}

/** PUT /v1/internal/query/execute-remote: another datacenter runs a query definition here (PreparedQuery.ExecuteRemote). */
export async function queryExecuteRemote(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const raw = parseJson(ctx.body);
  if (!isObject(raw)) throw Errors.decode('json: cannot unmarshal into Go value of type structs.PreparedQueryExecuteRemoteRequest');
  const queryRaw = field(raw, 'Query');
  if (!isObject(queryRaw)) throw Errors.decode('missing Query');
  let q: PreparedQuery;
  try {
    q = decodeQuery(queryRaw as JsonObject);
  } catch (err) {
    if (err instanceof DecodeError) throw Errors.decode(err.message);
    throw err;
  }
  const limit = typeof field(raw, 'Limit') === 'number' ? (field(raw, 'Limit') as number) : 0;
  await server.readCheck(ctx.consistency());
  const r = executeLocal({ store: server.store, datacenter: deps.config.datacenter, connectInstances }, q, field(raw, 'Connect') === true);
  let order = shuffle(visibleOrder(ctx, await effectiveAcl(ctx, deps, q), r.Nodes));
  if (limit > 0) order = order.slice(0, limit);
  return { status: 200, body: { ...r, Nodes: order.map((i) => r.Nodes[i]) }, meta: metaNow(ctx, deps) };
}
