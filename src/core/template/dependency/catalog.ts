// Catalog and health dependencies (consul-template dependency/health_service.go,
// catalog_services.go, catalog_nodes.go, catalog_node.go, catalog_datacenters.go): the same
// string grammar, String() names, status filters and sort orders.
import type { HttpTransport } from '../../client/index.js';
import {
  anchored, dcRe, type Dependency, DependencyParseError, type FetchResult, filterRe, getJson, nearRe, nodeNameRe,
  type QueryOptions, queryRe, serviceNameRe, tagRe,
} from './dependency.js';
import { CatalogNode, CatalogNodeEntry, CatalogNodeService, CatalogSnippet, HealthService, ServiceTags, stringMap } from './structs.js';

const HEALTH_FILTERS = ['any', 'passing', 'warning', 'critical', 'maintenance'];
const healthServiceRe = anchored(tagRe, serviceNameRe, queryRe, dcRe, nearRe, filterRe);

interface HealthCheckJson {
  CheckID: string;
  Status: string;
}

/** api.HealthChecks.AggregatedStatus: maintenance beats critical beats warning beats passing. */
export function aggregatedStatus(checks: readonly HealthCheckJson[]): string {
  let passing = false;
  let warning = false;
  let critical = false;
  let maintenance = false;
  for (const c of checks) {
    const id = String(c.CheckID);
    if (id === '_node_maintenance' || id.startsWith('_service_maintenance:')) {
      maintenance = true;
      continue;
    }
    if (c.Status === 'passing') passing = true;
    else if (c.Status === 'warning') warning = true;
    else if (c.Status === 'critical') critical = true;
    else return '';
  }
  if (maintenance) return 'maintenance';
  if (critical) return 'critical';
  if (warning) return 'warning';
  if (passing) return 'passing';
  return 'passing';
}

export class HealthServiceQuery implements Dependency {
  readonly kind = 'consul';
  readonly id: string;
  private readonly name: string;
  private readonly tag: string;
  private readonly dc: string;
  private readonly near: string;
  private readonly filters: string[];

  /** `s` is "tag.name@dc~near|filter"; `statusFilter` is the optional second argument of service. */
  constructor(s: string) {
    const m = healthServiceRe.exec(s);
    if (!m?.groups) throw new DependencyParseError(`health.service: invalid format: ${JSON.stringify(s)}`);
    const g = m.groups;
    this.name = g.name ?? '';
    this.tag = g.tag ?? '';
    this.dc = g.dc ?? '';
    this.near = g.near ?? '';
    const filters: string[] = [];
    if (g.filter) {
      for (const raw of g.filter.split(',')) {
        const f = raw.trim();
        if (f === '') continue;
        if (!HEALTH_FILTERS.includes(f)) throw new DependencyParseError(`health.service: invalid filter: ${JSON.stringify(f)} in ${JSON.stringify(s)}`);
        filters.push(f);
      }
      filters.sort();
    } else filters.push('passing');
    this.filters = filters;
    let name = this.name;
    if (this.tag) name = `${this.tag}.${name}`;
    if (this.dc) name = `${name}@${this.dc}`;
    if (this.near) name = `${name}~${this.near}`;
    name = `${name}|${this.filters.join(',')}`;
    this.id = `health.service(${name})`;
  }

  async fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    const passingOnly = this.filters.length === 1 && this.filters[0] === 'passing';
    const res = await getJson(
      http,
      `/v1/health/service/${this.name}`,
      { dc: this.dc || undefined, tag: this.tag || undefined, near: this.near || undefined, passing: passingOnly || undefined },
      opts,
      signal,
    );
    const entries = (res.body ?? []) as Array<{
      Node: { Node: string; ID?: string; Address: string; TaggedAddresses?: Record<string, string>; Meta?: Record<string, string> };
      Service: { ID: string; Service: string; Tags: string[] | null; Address: string; Port: number; Meta?: Record<string, string>; TaggedAddresses?: Record<string, unknown>; Weights?: Record<string, unknown> };
      Checks: HealthCheckJson[];
    }>;
    const list: HealthService[] = [];
    for (const e of entries) {
      const status = aggregatedStatus(e.Checks ?? []);
      if (!this.filters.some((f) => f === status || f === 'any')) continue;
      list.push(
        new HealthService(
          e.Node.Node,
          e.Node.ID ?? '',
          e.Node.Address,
          stringMap(e.Node.TaggedAddresses),
          stringMap(e.Node.Meta),
          stringMap(e.Service.Meta),
          e.Service.Address || e.Node.Address,
          e.Service.TaggedAddresses ?? {},
          e.Service.ID,
          e.Service.Service,
          ServiceTags.from2(e.Service.Tags),
          e.Checks ?? [],
          status,
          e.Service.Port,
          e.Service.Weights ?? {},
        ),
      );
    }
    if (!this.near) list.sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
    return { data: list, lastIndex: res.lastIndex, lastContactMs: res.lastContactMs };
  }
}

const servicesRe = anchored(queryRe, dcRe);

export class CatalogServicesQuery implements Dependency {
  readonly kind = 'consul';
  readonly id: string;
  private readonly dc: string;

  constructor(s: string) {
    const m = servicesRe.exec(s);
    if (!m?.groups) throw new DependencyParseError(`catalog.services: invalid format: ${JSON.stringify(s)}`);
    this.dc = m.groups.dc ?? '';
    this.id = this.dc ? `catalog.services(@${this.dc})` : 'catalog.services';
  }

  async fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    const res = await getJson(http, '/v1/catalog/services', { dc: this.dc || undefined }, opts, signal);
    const entries = (res.body ?? {}) as Record<string, string[] | null>;
    const list = Object.entries(entries).map(([name, tags]) => new CatalogSnippet(name, ServiceTags.from2(tags)));
    list.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    return { data: list, lastIndex: res.lastIndex, lastContactMs: res.lastContactMs };
  }
}

const nodesRe = anchored(queryRe, dcRe, nearRe);

interface NodeJson {
  ID?: string;
  Node: string;
  Address: string;
  Datacenter?: string;
  TaggedAddresses?: Record<string, string>;
  Meta?: Record<string, string>;
}

function toNode(n: NodeJson): CatalogNodeEntry {
  return new CatalogNodeEntry(n.ID ?? '', n.Node, n.Address, n.Datacenter ?? '', stringMap(n.TaggedAddresses), stringMap(n.Meta));
}

export class CatalogNodesQuery implements Dependency {
  readonly kind = 'consul';
  readonly id: string;
  private readonly dc: string;
  private readonly near: string;

  constructor(s: string) {
    const m = nodesRe.exec(s);
    if (!m?.groups) throw new DependencyParseError(`catalog.nodes: invalid format: ${JSON.stringify(s)}`);
    this.dc = m.groups.dc ?? '';
    this.near = m.groups.near ?? '';
    let name = '';
    if (this.dc) name += `@${this.dc}`;
    if (this.near) name += `~${this.near}`;
    this.id = name ? `catalog.nodes(${name})` : 'catalog.nodes';
  }

  async fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    const res = await getJson(http, '/v1/catalog/nodes', { dc: this.dc || undefined, near: this.near || undefined }, opts, signal);
    const list = ((res.body ?? []) as NodeJson[]).map(toNode);
    if (!this.near) list.sort((a, b) => (a.Node === b.Node ? (a.Address < b.Address ? -1 : a.Address > b.Address ? 1 : 0) : a.Node < b.Node ? -1 : 1));
    return { data: list, lastIndex: res.lastIndex, lastContactMs: res.lastContactMs };
  }
}

const nodeRe = anchored(nodeNameRe, queryRe, dcRe);

export class CatalogNodeQuery implements Dependency {
  readonly kind = 'consul';
  readonly id: string;
  private readonly name: string;
  private readonly dc: string;

  constructor(s: string) {
    const m = s === '' ? null : nodeRe.exec(s);
    if (s !== '' && !m?.groups) throw new DependencyParseError(`catalog.node: invalid format: ${JSON.stringify(s)}`);
    this.name = m?.groups?.name ?? '';
    this.dc = m?.groups?.dc ?? '';
    let name = this.name;
    if (this.dc) name += `@${this.dc}`;
    this.id = name ? `catalog.node(${name})` : 'catalog.node';
  }

  async fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    let name = this.name;
    if (!name) {
      const self = await getJson(http, '/v1/agent/self', {}, { ...opts, waitIndex: 0 }, signal);
      name = String((self.body as { Config?: { NodeName?: string } } | null)?.Config?.NodeName ?? '');
    }
    const res = await getJson(http, `/v1/catalog/node/${name}`, { dc: this.dc || undefined }, opts, signal);
    const body = res.body as { Node: NodeJson; Services: Record<string, { ID: string; Service: string; Tags: string[] | null; Meta?: Record<string, string>; Port: number; Address: string; EnableTagOverride?: boolean }> } | null;
    if (!body) return { data: new CatalogNode(null, []), lastIndex: res.lastIndex, lastContactMs: res.lastContactMs };
    const services = Object.values(body.Services ?? {}).map(
      (v) => new CatalogNodeService(v.ID, v.Service, ServiceTags.from2(v.Tags), stringMap(v.Meta), v.Port, v.Address, v.EnableTagOverride ?? false),
    );
    services.sort((a, b) => (a.Service === b.Service ? (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0) : a.Service < b.Service ? -1 : 1));
    return { data: new CatalogNode(toNode(body.Node), services), lastIndex: res.lastIndex, lastContactMs: res.lastContactMs };
  }
}

export class CatalogDatacentersQuery implements Dependency {
  readonly kind = 'consul';
  readonly id: string;

  constructor(readonly ignoreFailing = false) {
    this.id = 'catalog.datacenters';
  }

  async fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult> {
    // Not a blocking endpoint: consul-template polls it once a minute.
    if (opts.waitIndex > 0) await sleep(60_000, signal);
    const res = await getJson(http, '/v1/catalog/datacenters', {}, { ...opts, waitIndex: 0 }, signal);
    const dcs = ((res.body ?? []) as string[]).slice().sort();
    return { data: dcs, lastIndex: opts.waitIndex + 1, lastContactMs: 0 };
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
