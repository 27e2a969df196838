// /v1/catalog/connect/:service and /v1/health/connect/:service (Consul: catalog_endpoint.go
// ServiceNodes with Connect=true, health_endpoint.go): the Connect-capable instances of a
// destination: its proxies (kind connect-proxy naming it as destination) and Connect-native
// instances of the service itself.
// ACLs: without service:read on the destination the answer is simply empty (no error, nothing
// reported filtered), else instances are filtered as catalog/health do.
import { HttpError } from '../../errors.js';
import { nodeChecks, serviceInstances, type ServiceInstance } from '../../state/catalog.js';
import type { StateStore } from '../../state/store.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { filterList } from '../filter/index.js';
import { filterCheckServiceNodes, filterServiceNodes } from '../../acl/index.js';
import { cachedRead } from './cached-read.js';
import { catalogServiceJson } from './catalog.js';
import { passingParam } from './health.js';

const TABLES = ['nodes', 'services', 'checks'] as const;

/** Connect-capable instances of `name`, proxies first in catalog order. */
export function connectInstances(store: StateStore, name: string): ServiceInstance[] {
  const proxyNames = new Set<string>();
  for (const s of store.tables.services.values()) {
    if (s.Kind === 'connect-proxy' && s.Proxy?.DestinationServiceName === name) proxyNames.add(s.Service);
  }
  const out: ServiceInstance[] = [];
  for (const p of [...proxyNames].sort()) {
    out.push(...serviceInstances(store, p).filter((i) => i.service.Kind === 'connect-proxy' && i.service.Proxy?.DestinationServiceName === name));
  }
  out.push(...serviceInstances(store, name).filter((i) => i.service.Connect?.Native === true));
  return out;
}

/**
 * Consul: a Connect query needs service:read on the destination itself; without it Catalog.ServiceNodes
 * returns before its query ("Just return nil, which will return an empty response") and
 * Health.ServiceNodes returns no nodes with the index.
 */
function mayReadDestination(ctx: RequestContext): boolean {
  return ctx.acl.authz.serviceRead(ctx.tail);
}

const NO_PROXY = { Mode: '', MeshGateway: {}, Expose: {} };

export function catalogConnect(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === '') throw new HttpError(400, 'Missing service name');
  if (!mayReadDestination(ctx)) {
    const server = deps.requireServer();
    return Promise.resolve({ status: 200, body: [], meta: { index: 1, knownLeader: server.knownLeader(), lastContactMs: server.lastContactMs(), consistency: ctx.consistency() } });
  }
  return cachedRead(ctx, deps, TABLES, (store) =>
    filterServiceNodes(
      ctx.acl,
      filterList(
        ctx,
        connectInstances(store, ctx.tail).map(({ node, service }) => catalogServiceJson(node, service) as { Node: string; ServiceName: string }),
      ),
    ),
  );
}

export function healthConnect(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === '') throw new HttpError(400, 'Missing service name');
  const passing = passingParam(ctx);
  const visible = mayReadDestination(ctx);
  return cachedRead(ctx, deps, TABLES, (store) => {
    if (!visible) return [];
    let entries = connectInstances(store, ctx.tail).map(({ node, service }) => ({
      Node: node,
      Service: { ...service, Proxy: service.Proxy ?? NO_PROXY, Connect: service.Connect ?? {}, PeerName: '' },
      Checks: nodeChecks(store, node.Node).filter((c) => c.ServiceID === '' || c.ServiceID === service.ID),
    }));
    if (passing) entries = entries.filter((e) => e.Checks.every((c) => c.Status === 'passing'));
    return filterCheckServiceNodes(ctx.acl, filterList(ctx, entries));
  });
}
