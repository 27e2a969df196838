// Running a prepared query in this datacenter (Consul: PreparedQuery.execute and Execute in
// agent/consul/prepared_query_endpoint.go): the service's instances with their checks, filtered by
// health (OnlyPassing, IgnoreCheckIDs), node and service metadata, and tags (`!tag` forbids one);
// then shuffled, sorted by ?near / Service.Near, capped by ?limit. Failover to other datacenters
// lives with the HTTP handler, which can reach them.
import type { HealthCheck } from '../structs/catalog.js';
import { nodeChecks, serviceInstances, type ServiceInstance } from '../state/catalog.js';
import type { StateStore } from '../state/store.js';
import type { PreparedQuery } from './types.js';

/** One structs.CheckServiceNode as the API shows it. */
export interface QueryNode {
  Node: ServiceInstance['node'];
  Service: Record<string, unknown>;
  Checks: HealthCheck[];
}

/** structs.PreparedQueryExecuteResponse as JSON. */
export interface ExecuteResponse {
  Service: string;
  Nodes: QueryNode[];
  DNS: { TTL: string };
  Datacenter: string;
  Failovers: number;
}

export interface LocalQueryDeps {
  readonly store: StateStore;
  readonly datacenter: string;
  /** Connect-capable instances of a service (proxies and native), for Connect queries. */
  readonly connectInstances: (store: StateStore, name: string) => ServiceInstance[];
}

const NO_PROXY = { Mode: '', MeshGateway: {}, Expose: {} };

/** structs.CheckServiceNodes.FilterIgnore: drop instances with a critical (or, OnlyPassing, any non-passing) check. */
function healthy(checks: readonly HealthCheck[], onlyPassing: boolean, ignore: ReadonlySet<string>): boolean {
  for (const c of checks) {
    if (ignore.has(c.CheckID)) continue;
    if (c.Status === 'critical' || (onlyPassing && c.Status !== 'passing')) return false;
  }
  return true;
}

function metaMatches(meta: Record<string, string> | undefined, want: Record<string, string> | null): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if ((meta ?? {})[k] !== v) return false;
  return true;
}

/** Every wanted tag present and no `!tag` present, compared without case (Consul: tagFilter). */
function tagsMatch(tags: readonly string[] | undefined, wanted: readonly string[] | null): boolean {
  if (!wanted || wanted.length === 0) return true;
  const have = new Set((tags ?? []).map((t) => t.toLowerCase()));
  for (const raw of wanted) {
    const t = raw.toLowerCase();
    if (t.startsWith('!') ? have.has(t.slice(1)) : !have.has(t)) return false;
  }
  return true;
}

/** The query's answer here, before sorting, ACL filtering and failover. */
export function executeLocal(deps: LocalQueryDeps, query: PreparedQuery, forceConnect: boolean): ExecuteResponse {
  const svc = query.Service;
  const instances = svc.Connect.Enabled || forceConnect ? deps.connectInstances(deps.store, svc.Service) : serviceInstances(deps.store, svc.Service);
  const ignore = new Set(svc.IgnoreCheckIDs ?? []);
  const nodes: QueryNode[] = [];
  for (const { node, service } of instances) {
    const checks = nodeChecks(deps.store, node.Node).filter((c) => c.ServiceID === '' || c.ServiceID === service.ID);
    if (!healthy(checks, svc.OnlyPassing, ignore)) continue;
    if (!metaMatches(node.Meta, svc.NodeMeta) || !metaMatches(service.Meta, svc.ServiceMeta) || !tagsMatch(service.Tags, svc.Tags)) continue;
    nodes.push({ Node: node, Service: { ...service, Proxy: service.Proxy ?? NO_PROXY, Connect: service.Connect ?? {}, PeerName: '' }, Checks: checks });
  }
  return { Service: svc.Service, Nodes: nodes, DNS: { TTL: query.DNS.TTL }, Datacenter: deps.datacenter, Failovers: 0 };
}

/** Fisher-Yates with Math.random: load spreading at the edge, not replicated state. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * Which datacenters failover tries, in order (Consul: queryFailover): the NearestN nearest other
 * datacenters, then those listed in Failover.Datacenters that are known and not tried yet.
 */
export function failoverDatacenters(query: PreparedQuery, othersByDistance: readonly string[]): string[] {
  const out: string[] = [];
  const n = query.Service.Failover.NearestN;
  if (n > 0) out.push(...othersByDistance.slice(0, n));
  const known = new Set(othersByDistance);
  for (const dc of query.Service.Failover.Datacenters ?? []) if (known.has(dc) && !out.includes(dc)) out.push(dc);
  return out;
}
