// /v1/catalog/*: register, deregister and the catalog reads (Consul: agent/catalog_endpoint.go).
// ACLs (agent/consul/catalog_endpoint.go, acl_filter.go): writes are vetted in catalog-acl.ts;
// lists drop nodes without node:read and services without service:read, after ?filter.
import { nearParam, sortByNear } from '../near.js';
import { distanceSeconds } from '../../gossip/serf/coordinate.js';
import { HttpError } from '../../errors.js';
import { catalogIndex, getNode, listNodes, listServices, nodeServices, serviceInstances } from '../../state/catalog.js';
import type { StateStore } from '../../state/store.js';
import type { DeregisterRequest, HealthCheck, HealthStatus, NodeService, RegisterRequest } from '../../structs/catalog.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { bool, DecodeError, field, isObject, num, obj, parseJson, str, strList, strMap, type JsonObject } from '../decode.js';
import { requireLocalDatacenter } from '../datacenter.js';
import type { ApiDeps } from '../deps.js';
import { filterList, filterMap, requestFilter, type Filter } from '../filter/index.js';
import { isPeerQuery, nodeMetaMatches, parseNodeMeta } from './catalog-query.js';
import { cachedRead, cachedServiceRead } from './cached-read.js';
import { vetDeregister, vetRegister } from './catalog-acl.js';
import { filterNodes, filterServiceMap, filterServiceNames, filterServiceNodes, filterNodeServiceList } from '../../acl/index.js';

const STATUSES = new Set(['passing', 'warning', 'critical', 'maintenance']);

function decodeService(o: JsonObject): RegisterRequest['Service'] {
  const name = str(o, 'Service');
  const weights = obj(o, 'Weights');
  return {
    Kind: str(o, 'Kind'),
    ID: str(o, 'ID') || name,
    Service: name,
    Tags: strList(o, 'Tags'),
    Address: str(o, 'Address'),
    TaggedAddresses: {},
    Meta: strMap(o, 'Meta'),
    Port: num(o, 'Port'),
    Weights: weights ? { Passing: num(weights, 'Passing', 1), Warning: num(weights, 'Warning', 1) } : { Passing: 1, Warning: 1 },
    EnableTagOverride: bool(o, 'EnableTagOverride'),
  };
}

function decodeCheck(o: JsonObject, node: string): RegisterRequest['Checks'][number] {
  const status = str(o, 'Status') || 'critical';
  const name = str(o, 'Name');
  return {
    Node: str(o, 'Node') || node,
    CheckID: str(o, 'CheckID') || name,
    Name: name,
    Status: status as HealthStatus,
    Notes: str(o, 'Notes'),
    Output: str(o, 'Output'),
    ServiceID: str(o, 'ServiceID'),
    ServiceName: str(o, 'ServiceName'),
    ServiceTags: [],
    Type: str(o, 'Type'),
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
}

/**
 * The body of PUT /v1/catalog/register, decoded as Go's encoding/json would (type errors are 400
 * "Request decode failed"). Datacenter defaults to `dc`; what the request means is checked by
 * validateRegister, after the datacenter (Consul forwards by datacenter before validating).
 */
export function decodeRegister(body: Buffer, dc: string): RegisterRequest {
  const raw = parseJson(body);
  if (!isObject(raw)) throw new HttpError(400, 'Request decode failed: json: cannot unmarshal non-object into Go value of type structs.RegisterRequest');
  try {
    const node = str(raw, 'Node');
    const svc = obj(raw, 'Service');
    const checks: RegisterRequest['Checks'] = [];
    const one = obj(raw, 'Check');
    if (one) checks.push(decodeCheck(one, node));
    const many = field(raw, 'Checks');
    if (Array.isArray(many)) for (const c of many) if (isObject(c)) checks.push(decodeCheck(c, node));
    return {
      ID: str(raw, 'ID'),
      Node: node,
      Address: str(raw, 'Address'),
      Datacenter: str(raw, 'Datacenter') || dc,
      TaggedAddresses: strMap(raw, 'TaggedAddresses'),
      NodeMeta: strMap(raw, 'NodeMeta'),
      Service: svc ? decodeService(svc) : null,
      Checks: checks,
      SkipNodeUpdate: bool(raw, 'SkipNodeUpdate'),
    };
  } catch (err) {
    if (err instanceof DecodeError) throw new HttpError(400, `Request decode failed: ${err.message}`);
    throw err;
  }
}

/** What a decoded registration must hold before it is applied (400 with Consul's reasons). */
export function validateRegister(req: RegisterRequest): void {
  if (req.Node === '') throw new HttpError(400, 'Missing node name');
  if (req.Address === '') throw new HttpError(400, 'Missing node address');
  if (req.Service && req.Service.Service === '') throw new HttpError(400, 'Must provide service name (Service.Service) with service registration');
  for (const c of req.Checks) if (!STATUSES.has(c.Status)) throw new HttpError(400, `Invalid check status: "${c.Status}"`);
}

export async function catalogRegister(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const req = decodeRegister(ctx.body, deps.config.datacenter);
  // Consul: the body's Datacenter (never ?dc) picks where Catalog.Register is forwarded.
  requireLocalDatacenter(req.Datacenter, deps.config.datacenter);
  validateRegister(req);
  const server = deps.requireServer();
  vetRegister(ctx.acl, server.store, req);
  const result = await server.apply({ t: 'register', v: 1, req });
  if (result.t === 'error') throw new HttpError(500, result.message);
  return { status: 200, body: true };
}

export async function catalogDeregister(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const raw = parseJson(ctx.body);
  if (!isObject(raw)) throw new HttpError(400, 'Request decode failed: json: cannot unmarshal non-object into Go value of type structs.DeregisterRequest');
  let req: DeregisterRequest;
  try {
    req = { Node: str(raw, 'Node'), ServiceID: str(raw, 'ServiceID'), CheckID: str(raw, 'CheckID') };
    // Consul: the body's Datacenter (never ?dc) picks where Catalog.Deregister is forwarded.
    requireLocalDatacenter(str(raw, 'Datacenter'), deps.config.datacenter);
  } catch (err) {
    if (err instanceof DecodeError) throw new HttpError(400, `Request decode failed: ${err.message}`);
    throw err;
  }
  if (req.Node === '') throw new HttpError(400, 'Missing node name');
  const server = deps.requireServer();
  vetDeregister(ctx.acl, server.store, req);
  const result = await server.apply({ t: 'deregister', v: 1, req });
  if (result.t === 'error') throw new HttpError(500, result.message);
  return { status: 200, body: true };
}

/**
 * Datacenters known through the WAN pool's servers, nearest first (Consul: router
 * GetDatacentersByDistance): the median estimated RTT from this server to each datacenter's
 * servers, ours at 0, ties in name order.
 */
export async function catalogDatacenters(_ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  return { status: 200, body: datacentersByDistance(deps) };
}

/** Every known datacenter, nearest first (ours first: it is at distance 0). */
export function datacentersByDistance(deps: ApiDeps): string[] {
  const own = deps.config.datacenter;
  const names = new Set<string>([own]);
  for (const m of deps.agent.members(true)) {
    const dc = m.Tags.dc;
    if (m.Tags.role === 'consul' && dc && m.Status !== 3) names.add(dc);
  }
  const coords = deps.agent.wanCoordinates?.() ?? [];
  const self = coords.find((c) => c.name === `${deps.config.nodeName}.${own}`)?.coord;
  const rtt = new Map<string, number>();
  for (const dc of names) {
    if (dc === own) {
      rtt.set(dc, 0);
      continue;
    }
    const ds = self ? coords.filter((c) => c.dc === dc).map((c) => distanceSeconds(self, c.coord)).sort((a, b) => a - b) : [];
    rtt.set(dc, ds.length > 0 ? (ds[ds.length >> 1] as number) : Number.POSITIVE_INFINITY);
  }
  return [...names].sort().sort((a, b) => (rtt.get(a) as number) - (rtt.get(b) as number) || 0);
}

export function catalogNodes(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const meta = parseNodeMeta(ctx);
  const near = nearParam(ctx, deps.config.nodeName);
  return cachedRead(ctx, deps, ['nodes'], (store) => filterNodes(ctx.acl, filterList(ctx, sortByNear(store, near, listNodes(store).filter((n) => nodeMetaMatches(n, meta)), (n) => n.Node))));
}

export function catalogServices(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const meta = parseNodeMeta(ctx);
  const filter = requestFilter(ctx); // a bad expression is 400 before any read, as Consul's bexpr.CreateFilter
  return cachedRead(ctx, deps, ['services', 'nodes'], (store) =>
    Object.fromEntries(
      filterServiceNames(
        ctx.acl,
        filter ? filteredServiceTags(store, meta, filter) : listServices(store, (node) => nodeMetaMatches(store.tables.nodes.get(node), meta)),
      ),
    ),
  );
}

/**
 * Consul's Catalog.ListServices with a filter: the expression runs against each service instance
 * as a ServiceNode (the shape /v1/catalog/service returns), and the name -> tags map is built from
 * the instances that pass only; a service with none left is absent.
 */
function filteredServiceTags(store: StateStore, meta: [string, string][], filter: Filter): Map<string, string[]> {
  const tags = new Map<string, Set<string>>();
  for (const node of listNodes(store)) {
    if (!nodeMetaMatches(node, meta)) continue;
    for (const s of nodeServices(store, node.Node)) {
      if (!filter(catalogServiceJson(node, s))) continue;
      let set = tags.get(s.Service);
      if (!set) tags.set(s.Service, (set = new Set()));
      for (const t of s.Tags) set.add(t);
    }
  }
  return new Map([...tags.keys()].sort().map((name) => [name, [...(tags.get(name) ?? [])]]));
}

/** One instance as /v1/catalog/service (and /v1/catalog/connect) answer it (Consul's ServiceNode). */
export function catalogServiceJson(node: ReturnType<typeof listNodes>[number], s: NodeService): Record<string, unknown> {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: node.TaggedAddresses,
    NodeMeta: node.Meta,
    ServiceKind: s.Kind,
    ServiceID: s.ID,
    ServiceName: s.Service,
    ServiceTags: s.Tags,
    ServiceAddress: s.Address,
    ServiceTaggedAddresses: s.TaggedAddresses,
    ServiceWeights: s.Weights,
    ServiceMeta: s.Meta,
    ServicePort: s.Port,
    ServiceEnableTagOverride: s.EnableTagOverride,
    ServiceProxy: s.Proxy ?? { Mode: '', MeshGateway: {}, Expose: {} },
    ServiceConnect: s.Connect ?? {},
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  };
}

export function catalogService(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const tags = ctx.query.getAll('tag');
  const meta = parseNodeMeta(ctx);
  const peer = isPeerQuery(ctx);
  const near = nearParam(ctx, deps.config.nodeName);
  return cachedServiceRead(ctx, deps, ctx.tail, (store) =>
    filterServiceNodes(
      ctx.acl,
      filterList(
        ctx,
        sortByNear(store, near, (peer ? [] : serviceInstances(store, ctx.tail, tags)).filter((i) => nodeMetaMatches(i.node, meta)), (i) => i.node.Node).map(
          (i) => catalogServiceJson(i.node, i.service) as { Node: string; ServiceName: string },
        ),
      ),
    ),
  );
}

export async function catalogNode(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('services').table('nodes');
    const found = getNode(server.store, ctx.tail);
    // Consul's filterNodeServices: a node the token cannot read is answered as absent.
    const node = found && filterNodes(ctx.acl, [found]).length === 1 ? found : undefined;
    // ?filter applies to the node's services (Consul), then the ACL filter.
    const value = node
      ? { Node: node, Services: filterServiceMap(ctx.acl, filterMap(ctx, Object.fromEntries(nodeServices(server.store, node.Node).map((s) => [s.ID, s])))) }
      : null;
    return { index: catalogIndex(server.store), value };
  });
  return { status: 200, body: r.value, meta: r.meta };
}

export async function catalogNodeServices(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('services').table('nodes');
    const found = getNode(server.store, ctx.tail);
    const node = found && filterNodes(ctx.acl, [found]).length === 1 ? found : undefined;
    const value = node ? { Node: node, Services: filterNodeServiceList(ctx.acl, filterList(ctx, nodeServices(server.store, node.Node))) } : null;
    return { index: catalogIndex(server.store), value };
  });
  return { status: 200, body: r.value, meta: r.meta };
}

export type { HealthCheck };
