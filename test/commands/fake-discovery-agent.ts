// An in-process stand-in for the agent's catalog and local-agent endpoints, for the catalog,
// services and maint command tests: /v1/catalog/{datacenters,nodes,services,service/,node/},
// /v1/agent/{self,checks,services,service/register,service/deregister/,maintenance,
// service/maintenance/}. Every request is recorded; `fail` forces an error answer per path.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './fake-agent.js';

export interface FakeNode {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
}

export interface FakeService {
  node: string;
  ID: string;
  Service: string;
  Tags: string[];
  Port: number;
  Address: string;
}

export interface FakeCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
}

export interface DiscoveryAgent {
  addr: string;
  nodeName: string;
  requests: RecordedRequest[];
  datacenters: string[];
  nodes: FakeNode[];
  services: FakeService[];
  checks: Map<string, FakeCheck>;
  /** Registrations received on /v1/agent/service/register, by ID. */
  agentServices: Map<string, Record<string, unknown>>;
  /** Forced answers: path -> status and body (every time, until deleted). */
  fail: Map<string, { status: number; body: string }>;
  last(): RecordedRequest | undefined;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('X-Consul-Index', '7');
  res.end(JSON.stringify(body));
}

function text(res: http.ServerResponse, status: number, body = ''): void {
  res.statusCode = status;
  res.end(body);
}

function nodeMetaMatches(q: URLSearchParams, meta: Record<string, string>): boolean {
  return q.getAll('node-meta').every((pair) => {
    const i = pair.indexOf(':');
    return meta[pair.slice(0, i)] === pair.slice(i + 1);
  });
}

const MAINT_NOTES_NODE = 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';
const MAINT_NOTES_SERVICE = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';

function route(a: DiscoveryAgent, req: RecordedRequest, res: http.ServerResponse): void {
  const p = req.path;
  const q = req.query;
  if (p === '/v1/catalog/datacenters') return json(res, 200, a.datacenters);
  if (p === '/v1/catalog/nodes') return json(res, 200, a.nodes.filter((n) => nodeMetaMatches(q, n.Meta)));
  if (p === '/v1/catalog/services') {
    const out: Record<string, string[]> = {};
    for (const s of a.services) {
      const node = a.nodes.find((n) => n.Node === s.node);
      if (!node || !nodeMetaMatches(q, node.Meta)) continue;
      out[s.Service] = [...new Set([...(out[s.Service] ?? []), ...s.Tags])];
    }
    return json(res, 200, out);
  }
  if (p.startsWith('/v1/catalog/service/')) {
    const name = decodeURIComponent(p.slice('/v1/catalog/service/'.length));
    const out = a.services
      .filter((s) => s.Service === name)
      .map((s) => {
        const n = a.nodes.find((x) => x.Node === s.node)!;
        return {
          ID: n.ID,
          Node: n.Node,
          Address: n.Address,
          Datacenter: n.Datacenter,
          TaggedAddresses: n.TaggedAddresses,
          NodeMeta: n.Meta,
          ServiceID: s.ID,
          ServiceName: s.Service,
          ServiceTags: s.Tags,
          ServiceAddress: s.Address,
          ServicePort: s.Port,
          CreateIndex: 5,
          ModifyIndex: 6,
        };
      });
    return json(res, 200, out);
  }
  if (p.startsWith('/v1/catalog/node/')) {
    const name = decodeURIComponent(p.slice('/v1/catalog/node/'.length));
    const n = a.nodes.find((x) => x.Node === name);
    if (!n) return json(res, 200, null);
    const services: Record<string, unknown> = {};
    for (const s of a.services.filter((x) => x.node === name)) services[s.ID] = { ID: s.ID, Service: s.Service, Tags: s.Tags, Port: s.Port, Address: s.Address };
    return json(res, 200, { Node: n, Services: services });
  }
  if (p === '/v1/agent/self') return json(res, 200, { Config: { NodeName: a.nodeName, Datacenter: 'dc1' } });
  if (p === '/v1/agent/checks') return json(res, 200, Object.fromEntries(a.checks));
  if (p === '/v1/agent/services') return json(res, 200, Object.fromEntries(a.agentServices));
  if (p === '/v1/agent/service/register' && req.method === 'PUT') {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      return text(res, 400, `Request decode failed: ${(e as Error).message}`);
    }
    if (typeof body['Name'] !== 'string' || body['Name'] === '') return text(res, 400, 'Invalid Service Meta: Missing service name');
    const id = typeof body['ID'] === 'string' && body['ID'] !== '' ? body['ID'] : body['Name'];
    a.agentServices.set(id, body);
    return text(res, 200);
  }
  if (p.startsWith('/v1/agent/service/deregister/') && req.method === 'PUT') {
    const id = decodeURIComponent(p.slice('/v1/agent/service/deregister/'.length));
    if (!a.agentServices.delete(id)) return text(res, 404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    return text(res, 200);
  }
  if (p === '/v1/agent/maintenance' && req.method === 'PUT') {
    if (!q.has('enable')) return text(res, 400, 'Missing value for enable');
    if (q.get('enable') === 'true') {
      a.checks.set('_node_maintenance', {
        Node: a.nodeName,
        CheckID: '_node_maintenance',
        Name: 'Node Maintenance Mode',
        Status: 'critical',
        Notes: q.get('reason') || MAINT_NOTES_NODE,
        Output: '',
        ServiceID: '',
        ServiceName: '',
      });
    } else {
      a.checks.delete('_node_maintenance');
    }
    return text(res, 200);
  }
  if (p.startsWith('/v1/agent/service/maintenance/') && req.method === 'PUT') {
    const id = decodeURIComponent(p.slice('/v1/agent/service/maintenance/'.length));
    if (!a.agentServices.has(id)) return text(res, 404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    const checkId = `_service_maintenance:${id}`;
    if (q.get('enable') === 'true') {
      a.checks.set(checkId, {
        Node: a.nodeName,
        CheckID: checkId,
        Name: 'Service Maintenance Mode',
        Status: 'critical',
        Notes: q.get('reason') || MAINT_NOTES_SERVICE,
        Output: '',
        ServiceID: id,
        ServiceName: String(a.agentServices.get(id)?.['Name'] ?? id),
      });
    } else {
      a.checks.delete(checkId);
    }
    return text(res, 200);
  }
  text(res, 404);
}

export async function startDiscoveryAgent(): Promise<DiscoveryAgent> {
  const agent: DiscoveryAgent = {
    addr: '',
    nodeName: 'node1',
    requests: [],
    datacenters: ['dc1'],
    nodes: [],
    services: [],
    checks: new Map(),
    agentServices: new Map(),
    fail: new Map(),
    last: () => agent.requests.at(-1),
    close: async () => {},
  };
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const url = new URL(raw.url ?? '/', 'http://fake');
      const req: RecordedRequest = { method: raw.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: raw.headers, body: Buffer.concat(chunks) };
      agent.requests.push(req);
      const forced = agent.fail.get(req.path);
      if (forced) return text(res, forced.status, forced.body);
      route(agent, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  agent.addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return agent;
}
