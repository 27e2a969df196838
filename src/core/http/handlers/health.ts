// /v1/health/*: checks by node, service and state, and service entries with their health
// (Consul: agent/health_endpoint.go). Every read is a blocking query over the catalog tables.
// ACLs (agent/consul/health_endpoint.go, acl_filter.go): checks need node:read on their node and
// service:read on their service; service entries need both; filtered after ?filter.
import { nearParam, sortByNear } from '../near.js';
import { HttpError } from '../../errors.js';
import { serviceInstances, nodeChecks } from '../../state/catalog.js';
import type { StateStore } from '../../state/store.js';
import type { CatalogNode, HealthCheck } from '../../structs/catalog.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { filterList } from '../filter/index.js';
import { isPeerQuery, nodeMetaMatches, parseNodeMeta } from './catalog-query.js';
import { cachedRead, cachedServiceRead } from './cached-read.js';
import { filterCheckServiceNodes, filterHealthChecks } from '../../acl/index.js';

const CATALOG_TABLES = ['nodes', 'services', 'checks'] as const;

function query(ctx: RequestContext, deps: ApiDeps, read: (store: StateStore) => unknown): Promise<Reply> {
  return cachedRead(ctx, deps, CATALOG_TABLES, read);
}

export function healthNode(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  return query(ctx, deps, (store) => filterHealthChecks(ctx.acl, filterList(ctx, nodeChecks(store, ctx.tail))));
}

export function healthChecks(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const meta = parseNodeMeta(ctx);
  return cachedServiceRead(ctx, deps, ctx.tail, (store) =>
    filterHealthChecks(
      ctx.acl,
      filterList(
        ctx,
        [...store.tables.checks.values()].filter((c) => c.ServiceName === ctx.tail && nodeMetaMatches(store.tables.nodes.get(c.Node), meta)),
      ),
    ),
  );
}

const STATES = new Set(['any', 'passing', 'warning', 'critical']);

export function healthState(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const state = ctx.tail;
  if (!STATES.has(state)) throw new HttpError(400, `Invalid state: ${state}`);
  const meta = parseNodeMeta(ctx);
  return query(ctx, deps, (store) =>
    filterHealthChecks(
      ctx.acl,
      filterList(
        ctx,
        [...store.tables.checks.values()].filter(
          (c) => (state === 'any' || c.Status === state) && nodeMetaMatches(store.tables.nodes.get(c.Node), meta),
        ),
      ),
    ),
  );
}

/** ServiceEntry: the node, the service (with its raft indexes) and node + service checks. */
export interface ServiceEntry {
  Node: CatalogNode;
  Service: Record<string, unknown>;
  Checks: HealthCheck[];
}

export function serviceEntries(store: StateStore, name: string, tags: readonly string[]): ServiceEntry[] {
  return serviceInstances(store, name, tags).map(({ node, service }) => ({
    Node: node,
    Service: { ...service, Proxy: service.Proxy ?? { Mode: '', MeshGateway: {}, Expose: {} }, Connect: service.Connect ?? {}, PeerName: '' },
    Checks: nodeChecks(store, node.Node).filter((c) => c.ServiceID === '' || c.ServiceID === service.ID),
  }));
}

/** Go's strconv.ParseBool spellings. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** ?passing, bare or a Go bool (Consul: getBoolQueryParam; 400 without echoing the value). */
/** ?passing as Consul parses it (Go's strconv.ParseBool; a bad value is 400). */
export function passingParam(ctx: RequestContext): boolean {
  if (!ctx.has('passing')) return false;
  const v = ctx.get('passing') ?? '';
  if (v === '' || GO_TRUE.has(v)) return true;
  if (GO_FALSE.has(v)) return false;
  throw new HttpError(400, 'Invalid value for ?passing');
}

export function healthService(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const passing = passingParam(ctx);
  const tags = ctx.query.getAll('tag');
  const meta = parseNodeMeta(ctx);
  const peer = isPeerQuery(ctx);
  const near = nearParam(ctx, deps.config.nodeName);
  return cachedServiceRead(ctx, deps, ctx.tail, (store) => {
    let entries = sortByNear(store, near, (peer ? [] : serviceEntries(store, ctx.tail, tags)).filter((e) => nodeMetaMatches(e.Node, meta)), (e) => e.Node.Node);
    // HTTP ?passing is strict: a warning check excludes the instance (DNS is more lenient).
    if (passing) entries = entries.filter((e) => e.Checks.every((c) => c.Status === 'passing'));
    return filterCheckServiceNodes(ctx.acl, filterList(ctx, entries));
  });
}
