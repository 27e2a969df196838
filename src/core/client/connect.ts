// Connect endpoints (/v1/connect/..., /v1/agent/connect/..., /v1/config/...), as Consul's
// api/connect_ca.go, connect_intention.go, agent.go and config_entry.go expose them.
import { StatusError } from './errors.js';
import type { ServiceEntry } from './health.js';
import { type HttpTransport, type Query, parseJson, parseQueryMeta } from './http.js';

export interface CARoot {
  ID: string;
  Name: string;
  RootCert: string;
  Active: boolean;
  [field: string]: unknown;
}

export interface CARootList {
  ActiveRootID: string;
  TrustDomain: string;
  Roots: CARoot[];
}

export interface LeafCert {
  SerialNumber: string;
  CertPEM: string;
  PrivateKeyPEM: string;
  Service: string;
  ServiceURI: string;
  ValidAfter: string;
  ValidBefore: string;
}

export interface Intention {
  ID?: string;
  Description?: string;
  SourceName: string;
  DestinationName: string;
  SourceType?: string;
  Action: string;
  Permissions?: unknown[];
  Meta?: Record<string, string>;
  Precedence?: number;
  CreatedAt?: string;
  [field: string]: unknown;
}

export interface Blocking {
  waitIndex?: number;
  waitTime?: string;
  signal?: AbortSignal;
}

function blockingQuery(b: Blocking | undefined, extra: Query = {}): Query {
  const q: Query = { ...extra };
  if (b?.waitIndex) q.index = b.waitIndex;
  if (b?.waitTime) q.wait = b.waitTime;
  return q;
}

export class ConnectApi {
  constructor(private readonly http: HttpTransport) {}

  async caRoots(b?: Blocking): Promise<{ value: CARootList; index: number }> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/agent/connect/ca/roots', query: blockingQuery(b), signal: b?.signal });
    return { value: parseJson<CARootList>(res), index: parseQueryMeta(res).lastIndex };
  }

  async leaf(service: string, b?: Blocking): Promise<{ value: LeafCert; index: number }> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/agent/connect/ca/leaf/${service}`, query: blockingQuery(b), signal: b?.signal });
    return { value: parseJson<LeafCert>(res), index: parseQueryMeta(res).lastIndex };
  }

  async authorize(target: string, clientCertURI: string, clientCertSerial: string): Promise<{ Authorized: boolean; Reason: string }> {
    const body = JSON.stringify({ Target: target, ClientCertURI: clientCertURI, ClientCertSerial: clientCertSerial });
    return parseJson(await this.http.sendOk({ method: 'POST', path: '/v1/agent/connect/authorize', body }));
  }

  async caGetConfig(): Promise<Record<string, unknown>> {
    return parseJson(await this.http.sendOk({ method: 'GET', path: '/v1/connect/ca/configuration' }));
  }

  async caSetConfig(config: unknown): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/connect/ca/configuration', body: JSON.stringify(config) });
  }

  async intentions(): Promise<Intention[]> {
    return parseJson<Intention[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/connect/intentions' })) ?? [];
  }

  /** Legacy create (POST /v1/connect/intentions): the new intention's ID. */
  async intentionCreate(ixn: Intention): Promise<string> {
    return parseJson<{ ID: string }>(await this.http.sendOk({ method: 'POST', path: '/v1/connect/intentions', body: JSON.stringify(ixn) })).ID;
  }

  async intentionUpdate(ixn: Intention): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: `/v1/connect/intentions/${ixn.ID ?? ''}`, body: JSON.stringify(ixn) });
  }

  async intentionGet(id: string): Promise<Intention | null> {
    const res = await this.http.send({ method: 'GET', path: `/v1/connect/intentions/${id}` });
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return parseJson<Intention>(res);
  }

  async intentionGetExact(source: string, destination: string): Promise<Intention | null> {
    const res = await this.http.send({ method: 'GET', path: '/v1/connect/intentions/exact', query: { source, destination } });
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return parseJson<Intention>(res);
  }

  async intentionDelete(id: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: `/v1/connect/intentions/${id}` });
  }

  async intentionDeleteExact(source: string, destination: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: '/v1/connect/intentions/exact', query: { source, destination } });
  }

  async intentionCheck(source: string, destination: string): Promise<boolean> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/connect/intentions/check', query: { source, destination } });
    return parseJson<{ Allowed: boolean }>(res).Allowed;
  }

  async intentionMatch(by: 'source' | 'destination', name: string): Promise<Intention[]> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/connect/intentions/match', query: { by, name } });
    return parseJson<Record<string, Intention[] | null>>(res)[name] ?? [];
  }

  /** Healthy Connect-capable instances of a service (GET /v1/health/connect/:service?passing). */
  async healthConnect(service: string, b?: Blocking): Promise<{ value: ServiceEntry[]; index: number }> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/health/connect/${service}`, query: blockingQuery(b, { passing: true }), signal: b?.signal });
    return { value: parseJson<ServiceEntry[] | null>(res) ?? [], index: parseQueryMeta(res).lastIndex };
  }

  /** PUT /v1/agent/check/pass/:id (the proxy's self-registration heartbeat). */
  async ttlPass(checkId: string, note: string): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: `/v1/agent/check/pass/${checkId}`, query: { note } });
  }

  async configWrite(entry: unknown, cas?: number): Promise<boolean> {
    const res = await this.http.sendOk({ method: 'PUT', path: '/v1/config', body: JSON.stringify(entry), query: cas === undefined ? {} : { cas } });
    return parseJson<boolean>(res);
  }

  /** Entries of a kind as a blocking query (GET /v1/config/:kind?index=). */
  async configListBlocking(kind: string, b?: Blocking): Promise<{ value: Record<string, unknown>[]; index: number }> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/config/${kind}`, query: blockingQuery(b), signal: b?.signal });
    return { value: parseJson<Record<string, unknown>[] | null>(res) ?? [], index: parseQueryMeta(res).lastIndex };
  }

  async configGet(kind: string, name: string): Promise<Record<string, unknown>> {
    return parseJson(await this.http.sendOk({ method: 'GET', path: `/v1/config/${kind}/${name}` }));
  }

  async configList(kind: string): Promise<Record<string, unknown>[]> {
    return parseJson<Record<string, unknown>[] | null>(await this.http.sendOk({ method: 'GET', path: `/v1/config/${kind}` })) ?? [];
  }

  async configDelete(kind: string, name: string, cas?: number): Promise<boolean> {
    const res = await this.http.sendOk({ method: 'DELETE', path: `/v1/config/${kind}/${name}`, query: cas === undefined ? {} : { cas } });
    const v = parseJson<unknown>(res);
    return typeof v === 'boolean' ? v : true;
  }
}
