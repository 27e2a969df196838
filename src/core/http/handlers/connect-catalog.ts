// /v1/catalog/connect/:service and /v1/health/connect/:service (Consul: catalog_endpoint.go
// ServiceNodes with Connect=true, health_endpoint.go): the Connect-capable instances of a
// destination: its proxies (kind connect-proxy naming it as destination) and Connect-native
// instances of the service itself.
import { HttpError } from '../../errors.js';
import { nodeChecks, serviceInstances, type ServiceInstance } from '../../state/catalog.js';
import type { StateStore } from '../../state/store.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { filterList } from '../filter/index.js';
import { cachedRead } from './cached-read.js';

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

const NO_PROXY = { Mode: '', MeshGateway: {}, Expose: {} };

export function catalogConnect(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === '') throw new HttpError(400, 'Missing service name');
  return cachedRead(ctx, deps, TABLES, (store) =>
    filterList(
      ctx,
      connectInstances(store, ctx.tail).map(({ node, service: s }) => ({
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
        ServiceProxy: s.Proxy ?? NO_PROXY,
        ServiceConnect: s.Connect ?? {},
        CreateIndex: s.CreateIndex,
        ModifyIndex: s.ModifyIndex,
      })),
    ),
  );
}

export function healthConnect(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === '') throw new HttpError(400, 'Missing service name');
  const passing = ctx.has('passing') && !['false', '0', 'f'].includes((ctx.get('passing') ?? '').toLowerCase());
  return cachedRead(ctx, deps, TABLES, (store) => {
    let entries = connectInstances(store, ctx.tail).map(({ node, service }) => ({
      Node: node,
      Service: { ...service, Proxy: service.Proxy ?? NO_PROXY, Connect: service.Connect ?? {}, PeerName: '' },
      Checks: nodeChecks(store, node.Node).filter((c) => c.ServiceID === '' || c.ServiceID === service.ID),
    }));
    if (passing) entries = entries.filter((e) => e.Checks.every((c) => c.Status === 'passing'));
    return filterList(ctx, entries);
  });
}
