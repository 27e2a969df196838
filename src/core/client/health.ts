// Health endpoints (/v1/health/...): checks and healthy instances from the catalog, as Consul's
// api/health.go exposes them.
import { type HttpTransport, type Query, type QueryMeta, type QueryOptions, parseJson, parseQueryMeta } from './http.js';

export type HealthStatus = 'passing' | 'warning' | 'critical' | 'maintenance';

/** api.HealthCheck (also the values of /v1/agent/checks). */
export interface HealthCheckEntry {
  Node: string;
  CheckID: string;
  Name: string;
  Status: HealthStatus | string;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[] | null;
  Type: string;
  [field: string]: unknown;
}

/** api.ServiceEntry: an instance with its node and every check that applies to it. */
export interface ServiceEntry {
  Node: Record<string, unknown> & { Node: string; Address: string };
  Service: Record<string, unknown> & { ID: string; Service: string; Tags: string[] | null; Port: number; Address: string };
  Checks: HealthCheckEntry[];
}

export interface HealthServiceOptions extends QueryOptions {
  /** Keep only instances carrying every one of these tags. */
  tags?: readonly string[];
  /** Keep only instances whose checks all pass (`?passing`). */
  passingOnly?: boolean;
  filter?: string;
  /** Blocking query: wait for an index above this one. */
  waitIndex?: number;
  /** Go duration, e.g. "5m". */
  waitTime?: string;
}

function readQuery(opts: HealthServiceOptions | undefined, extra: Query = {}): Query {
  const q: Query = { ...extra };
  if (opts?.allowStale) q.stale = true;
  if (opts?.filter) q.filter = opts.filter;
  if (opts?.waitIndex) q.index = opts.waitIndex;
  if (opts?.waitTime) q.wait = opts.waitTime;
  return q;
}

export class HealthApi {
  constructor(private readonly http: HttpTransport) {}

  /** Checks registered against a node (node-level and its services'). */
  async node(node: string, opts?: QueryOptions): Promise<HealthCheckEntry[]> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/health/node/${node}`, query: readQuery(opts) });
    return parseJson<HealthCheckEntry[] | null>(res) ?? [];
  }

  /** Checks of every instance of a service. */
  async checks(service: string, opts?: QueryOptions): Promise<HealthCheckEntry[]> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/health/checks/${service}`, query: readQuery(opts) });
    return parseJson<HealthCheckEntry[] | null>(res) ?? [];
  }

  /** Checks in a given state (`any` for all). */
  async state(state: HealthStatus | 'any', opts?: QueryOptions): Promise<HealthCheckEntry[]> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/health/state/${state}`, query: readQuery(opts) });
    return parseJson<HealthCheckEntry[] | null>(res) ?? [];
  }

  /** Instances of a service with node and checks, plus the index for blocking. */
  async service(name: string, opts?: HealthServiceOptions): Promise<{ entries: ServiceEntry[]; meta: QueryMeta }> {
    const extra: Query = {};
    if (opts?.tags && opts.tags.length > 0) extra.tag = opts.tags;
    if (opts?.passingOnly) extra.passing = true;
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/health/service/${name}`, query: readQuery(opts, extra) });
    return { entries: parseJson<ServiceEntry[] | null>(res) ?? [], meta: parseQueryMeta(res) };
  }
}
