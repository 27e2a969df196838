// Catalog endpoints (/v1/catalog/...): the cluster-wide, raft-backed view of nodes and services,
// as Consul's api/catalog.go exposes them to the CLI.
import { type HttpTransport, type Query, type QueryOptions, parseJson } from './http.js';

/** /v1/catalog/nodes entry (api.Node). */
export interface CatalogNodeEntry {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string> | null;
  Meta: Record<string, string> | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** /v1/catalog/service/:name entry (api.CatalogService); only the fields the CLI reads are typed strictly. */
export interface CatalogServiceEntry {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string> | null;
  NodeMeta: Record<string, string> | null;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[] | null;
  ServiceAddress: string;
  ServicePort: number;
  ServiceMeta: Record<string, string> | null;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** A service instance as /v1/catalog/node/:node lists it (api.AgentService). */
export interface CatalogNodeService {
  ID: string;
  Service: string;
  Tags: string[] | null;
  Port: number;
  Address: string;
  Meta?: Record<string, string> | null;
  [field: string]: unknown;
}

/** /v1/catalog/node/:node (api.CatalogNode). */
export interface CatalogNodeServices {
  Node: CatalogNodeEntry | null;
  Services: Record<string, CatalogNodeService> | null;
}

/** Read options of the catalog list endpoints (api.QueryOptions subset). */
export interface CatalogQueryOptions extends QueryOptions {
  /** Sort by round-trip time from this node (`_agent` = the queried agent). */
  near?: string;
  /** AND of key=value pairs, sent as repeated `node-meta=key:value`. */
  nodeMeta?: Readonly<Record<string, string>>;
  /** go-bexpr filter expression. */
  filter?: string;
}

function catalogQuery(opts: CatalogQueryOptions | undefined, extra: Query = {}): Query {
  const q: Query = { ...extra };
  if (opts?.allowStale) q.stale = true;
  if (opts?.near) q.near = opts.near;
  if (opts?.filter) q.filter = opts.filter;
  const meta = opts?.nodeMeta ?? {};
  const pairs = Object.keys(meta).map((k) => `${k}:${meta[k]}`);
  if (pairs.length > 0) q['node-meta'] = pairs;
  return q;
}

export class CatalogApi {
  constructor(private readonly http: HttpTransport) {}

  /** Every known datacenter, nearest first. */
  async datacenters(): Promise<string[]> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/catalog/datacenters', dcScoped: false });
    return parseJson<string[] | null>(res) ?? [];
  }

  async nodes(opts?: CatalogQueryOptions): Promise<CatalogNodeEntry[]> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/catalog/nodes', query: catalogQuery(opts) });
    return parseJson<CatalogNodeEntry[] | null>(res) ?? [];
  }

  /** Service name -> the union of its instances' tags. */
  async services(opts?: CatalogQueryOptions): Promise<Record<string, string[]>> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/catalog/services', query: catalogQuery(opts) });
    const raw = parseJson<Record<string, string[] | null> | null>(res) ?? {};
    const out: Record<string, string[]> = {};
    for (const [name, tags] of Object.entries(raw)) out[name] = tags ?? [];
    return out;
  }

  /** Instances of one service; `tag` keeps only those carrying it. */
  async service(name: string, tag = '', opts?: CatalogQueryOptions): Promise<CatalogServiceEntry[]> {
    const res = await this.http.sendOk({
      method: 'GET',
      path: `/v1/catalog/service/${name}`,
      query: catalogQuery(opts, tag ? { tag } : {}),
    });
    return parseJson<CatalogServiceEntry[] | null>(res) ?? [];
  }

  /** One node and its services, or null when the catalog does not know the node. */
  async node(name: string, opts?: CatalogQueryOptions): Promise<CatalogNodeServices | null> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/catalog/node/${name}`, query: catalogQuery(opts) });
    const text = res.body.toString('utf8').trim();
    if (text === '' || text === 'null') return null;
    return parseJson<CatalogNodeServices>(res);
  }
}
