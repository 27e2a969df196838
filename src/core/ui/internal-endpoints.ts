// /v1/internal/ui/services, /nodes and /node/:node (Consul: agent/ui_endpoint.go UIServices,
// UINodes, UINodeInfo). The web UI reads its lists through them and other tools call them too,
// so they answer with Consul's JSON shapes and are blocking queries over the catalog tables.
// ACLs (agent/consul/internal_endpoint.go ServiceDump/NodeDump/NodeInfo + acl_filter.go): an
// instance counts only with node:read and service:read; node dumps drop unreadable nodes, then
// services and checks; a node the token cannot read is 404 on /node/:node.
import { HttpError } from '../errors.js';
import { blockingQuery } from '../http/blocking.js';
import type { Reply, RequestContext } from '../http/context.js';
import type { ApiDeps } from '../http/deps.js';
import { requestFilter } from '../http/filter/index.js';
import { cachedRead } from '../http/handlers/cached-read.js';
import { getNode } from '../state/catalog.js';
import type { TableName } from '../state/store.js';
import { nodeDump, nodeInfo, summarizeServices, type InstanceFilter, type NodeInfo } from './summary.js';
import { filterNodeDump } from '../acl/index.js';

const CATALOG_TABLES: readonly TableName[] = ['nodes', 'services', 'checks'];

/** Consul: structs.MetaConsulVersion, filled in from gossip when a node did not register it. */
const META_CONSUL_VERSION = 'consul-version';

export function uiServices(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const f = requestFilter(ctx);
  const acl = ctx.acl;
  // Consul filters the service dump (node, service, checks per instance) before summarizing:
  // first the request's ?filter, then the ACLs.
  const byFilter: InstanceFilter | undefined = f
    ? (node, svc, checks) => f({ Node: node, Service: svc, Checks: checks.filter((c) => c.ServiceID === '' || c.ServiceID === svc.ID) })
    : undefined;
  const keep: InstanceFilter | undefined = !acl.enabled
    ? byFilter
    : (node, svc, checks) => {
        if (byFilter && !byFilter(node, svc, checks)) return false;
        if (acl.authz.nodeRead(node.Node) && acl.authz.serviceRead(svc.Service)) return true;
        acl.filtered = true;
        return false;
      };
  return cachedRead(ctx, deps, CATALOG_TABLES, (store) => summarizeServices(store, keep));
}

export async function uiNodes(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const f = requestFilter(ctx);
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    for (const t of CATALOG_TABLES) ws?.table(t);
    const dump = nodeDump(server.store);
    return { index: server.store.maxIndex(...CATALOG_TABLES), value: filterNodeDump(ctx.acl, f ? dump.filter((n) => f(n)) : dump) };
  });
  const versions = memberVersions(deps);
  for (const n of r.value) addVersion(n, versions);
  return { status: 200, body: r.value, meta: r.meta };
}

export async function uiNodeInfo(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const name = ctx.tail;
  if (name === '') throw new HttpError(400, 'Missing node name');
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    for (const t of CATALOG_TABLES) ws?.table(t);
    const node = getNode(server.store, name);
    return { index: server.store.maxIndex(...CATALOG_TABLES), value: node ? filterNodeDump(ctx.acl, [nodeInfo(server.store, node)])[0] : undefined };
  });
  if (!r.value) return { status: 404, raw: '', meta: r.meta };
  addVersion(r.value, memberVersions(deps));
  return { status: 200, body: r.value, meta: r.meta };
}

/** Gossip address -> Consul version, from the members' `build` tag ("1.21.5:abcdef"). */
function memberVersions(deps: ApiDeps): Map<string, string> {
  const out = new Map<string, string>();
  for (const wan of [true, false]) {
    if (wan && !deps.agent.server) continue;
    for (const m of deps.agent.members(wan)) {
      const build = m.Tags.build;
      if (build) out.set(m.Addr, build.split(':')[0] ?? build);
    }
  }
  return out;
}

function addVersion(n: NodeInfo, versions: Map<string, string>): void {
  if (n.Meta[META_CONSUL_VERSION] !== undefined) return;
  const v = versions.get(n.Address);
  if (v !== undefined) n.Meta = { ...n.Meta, [META_CONSUL_VERSION]: v };
}
