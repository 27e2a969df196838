// An in-process stand-in for an agent's /v1/acl/* and /v1/agent/token/* endpoints, answering
// with the JSON shapes of Consul's API docs (acl/tokens, acl/policies, acl/roles, acl bootstrap),
// so the `consul acl ...` commands can be tested before (and independently of) the real ones.
// It records every request, including the token headers, for the tests to inspect.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './fake-agent.js';

type Obj = Record<string, unknown>;
interface Link {
  ID?: string;
  Name?: string;
}

export interface FakeAclAgent {
  addr: string;
  requests: RecordedRequest[];
  tokens: Map<string, Obj>;
  policies: Map<string, Obj>;
  roles: Map<string, Obj>;
  agentTokens: Map<string, string>;
  close(): Promise<void>;
}

export const MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';
/** The fixed time every object is created at, so tests can compare whole outputs. */
export const CREATE_TIME = '2026-12-04T10:30:00.123456789Z';

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  if (typeof body === 'string') {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(body);
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

function hash(o: Obj): string {
  return createHash('sha256').update(JSON.stringify({ ...o, Hash: undefined, CreateIndex: undefined, ModifyIndex: undefined })).digest('base64');
}

export async function startFakeAclAgent(): Promise<FakeAclAgent> {
  let index = 10;
  let bootstrapped = false;
  const policies = new Map<string, Obj>([
    [
      MANAGEMENT_POLICY_ID,
      { ID: MANAGEMENT_POLICY_ID, Name: 'global-management', Description: 'Builtin Policy that grants unlimited access', Rules: 'acl = "write"', Datacenters: null, CreateIndex: 4, ModifyIndex: 4 },
    ],
  ]);
  policies.get(MANAGEMENT_POLICY_ID)!.Hash = hash(policies.get(MANAGEMENT_POLICY_ID)!);
  const tokens = new Map<string, Obj>();
  const roles = new Map<string, Obj>();
  const agentTokens = new Map<string, string>();
  const requests: RecordedRequest[] = [];

  const resolvePolicies = (links: Link[] | undefined): Link[] | string =>
    (links ?? []).map((l) => {
      const p = l.ID ? policies.get(l.ID) : [...policies.values()].find((x) => x.Name === l.Name);
      if (!p) throw new Error(l.ID ? `cannot find policy ${l.ID}` : `cannot find policy ${l.Name}`);
      return { ID: p.ID as string, Name: p.Name as string };
    });
  const resolveRoles = (links: Link[] | undefined): Link[] =>
    (links ?? []).map((l) => {
      const r = l.ID ? roles.get(l.ID) : [...roles.values()].find((x) => x.Name === l.Name);
      if (!r) throw new Error(l.ID ? `cannot find role ${l.ID}` : `cannot find role ${l.Name}`);
      return { ID: r.ID as string, Name: r.Name as string };
    });
  const secretOf = (req: RecordedRequest): string => (req.headers['x-consul-token'] as string | undefined) ?? '';
  const tokenBySecret = (secret: string): Obj | undefined => [...tokens.values()].find((t) => t.SecretID === secret);
  const listEntry = (t: Obj): Obj => ({ ...t, Legacy: false, Rules: undefined, ExpirationTTL: undefined });
  const policyEntry = (p: Obj): Obj => ({ ...p, Rules: undefined });

  function writeToken(body: Obj, existing: Obj | undefined): Obj {
    const t: Obj = {
      AccessorID: existing?.AccessorID ?? ((body.AccessorID as string) || randomUUID()),
      SecretID: existing?.SecretID ?? ((body.SecretID as string) || randomUUID()),
      Description: body.Description ?? '',
      Local: existing?.Local ?? body.Local === true,
      CreateTime: existing?.CreateTime ?? CREATE_TIME,
      CreateIndex: existing?.CreateIndex ?? ++index,
    };
    const pol = resolvePolicies(body.Policies as Link[] | undefined) as Link[];
    if (pol.length > 0) t.Policies = pol;
    const rol = resolveRoles(body.Roles as Link[] | undefined);
    if (rol.length > 0) t.Roles = rol;
    if (Array.isArray(body.ServiceIdentities) && body.ServiceIdentities.length > 0) t.ServiceIdentities = body.ServiceIdentities;
    if (Array.isArray(body.NodeIdentities) && body.NodeIdentities.length > 0) t.NodeIdentities = body.NodeIdentities;
    if (typeof body.ExpirationTTL === 'number' && body.ExpirationTTL > 0) {
      t.ExpirationTTL = `${body.ExpirationTTL / 1e9}s`;
      t.ExpirationTime = new Date(Date.parse(CREATE_TIME) + body.ExpirationTTL / 1e6).toISOString();
    }
    t.ModifyIndex = existing ? ++index : t.CreateIndex;
    t.Hash = hash(t);
    tokens.set(t.AccessorID as string, t);
    return t;
  }

  function route(req: RecordedRequest, res: http.ServerResponse): void {
    const { method, path } = req;
    const body = (): Obj => (req.body.length > 0 ? (JSON.parse(req.body.toString('utf8')) as Obj) : {});
    let m: RegExpExecArray | null;
    if (path === '/v1/acl/bootstrap' && method === 'PUT') {
      if (bootstrapped) return send(res, 403, 'Permission denied: ACL bootstrap no longer allowed (reset index: 13)');
      bootstrapped = true;
      const t = writeToken({ Description: 'Bootstrap Token (Global Management)', Policies: [{ ID: MANAGEMENT_POLICY_ID }], SecretID: body().BootstrapSecret ?? '' }, undefined);
      return send(res, 200, t);
    }
    if ((m = /^\/v1\/agent\/token\/([a-z_]+)$/.exec(path)) && method === 'PUT') {
      if (!['default', 'agent', 'agent_recovery', 'replication', 'config_file_service_registration'].includes(m[1]!)) {
        return send(res, 404, `Token "${m[1]}" is unknown`);
      }
      agentTokens.set(m[1]!, body().Token as string);
      return send(res, 200, '');
    }
    if (path === '/v1/acl/tokens' && method === 'GET') return send(res, 200, [...tokens.values()].map(listEntry));
    if (path === '/v1/acl/token/self' && method === 'GET') {
      const t = tokenBySecret(secretOf(req));
      return t ? send(res, 200, t) : send(res, 403, 'ACL not found');
    }
    if (path === '/v1/acl/token' && method === 'PUT') return send(res, 200, writeToken(body(), undefined));
    if ((m = /^\/v1\/acl\/token\/([^/]+)\/clone$/.exec(path)) && method === 'PUT') {
      const src = tokens.get(m[1]!);
      if (!src) return send(res, 403, 'ACL not found');
      return send(res, 200, writeToken({ ...src, AccessorID: '', SecretID: '', Description: body().Description }, undefined));
    }
    if ((m = /^\/v1\/acl\/token\/([^/]+)$/.exec(path))) {
      const t = tokens.get(m[1]!);
      if (!t) return send(res, 403, 'ACL not found');
      if (method === 'GET') return send(res, 200, t);
      if (method === 'PUT') return send(res, 200, writeToken(body(), t));
      if (method === 'DELETE') return tokens.delete(m[1]!), send(res, 200, true);
    }
    if (path === '/v1/acl/policies' && method === 'GET') return send(res, 200, [...policies.values()].map(policyEntry));
    if ((m = /^\/v1\/acl\/policy\/name\/([^/]+)$/.exec(path)) && method === 'GET') {
      const p = [...policies.values()].find((x) => x.Name === decodeURIComponent(m![1]!));
      return p ? send(res, 200, p) : send(res, 404, 'ACL not found');
    }
    if ((path === '/v1/acl/policy' && method === 'PUT') || ((m = /^\/v1\/acl\/policy\/([^/]+)$/.exec(path)) && method === 'PUT')) {
      const b = body();
      const existing = m ? policies.get(m[1]!) : undefined;
      if (m && !existing) return send(res, 400, `Invalid Policy: A Policy with ID "${m[1]}" does not exist`);
      if ([...policies.values()].some((p) => p.Name === b.Name && p.ID !== existing?.ID)) {
        return send(res, 400, `Invalid Policy: A Policy with Name "${String(b.Name)}" already exists`);
      }
      const p: Obj = { ID: existing?.ID ?? randomUUID(), Name: b.Name, Description: b.Description ?? '', Rules: b.Rules ?? '', Datacenters: b.Datacenters ?? null };
      p.CreateIndex = existing?.CreateIndex ?? ++index;
      p.ModifyIndex = existing ? ++index : p.CreateIndex;
      p.Hash = hash(p);
      policies.set(p.ID as string, p);
      return send(res, 200, p);
    }
    if ((m = /^\/v1\/acl\/policy\/([^/]+)$/.exec(path))) {
      const p = policies.get(m[1]!);
      if (!p) return send(res, 403, 'ACL not found');
      if (method === 'GET') return send(res, 200, p);
      if (method === 'DELETE') return policies.delete(m[1]!), send(res, 200, true);
    }
    if (path === '/v1/acl/roles' && method === 'GET') return send(res, 200, [...roles.values()]);
    if ((m = /^\/v1\/acl\/role\/name\/([^/]+)$/.exec(path)) && method === 'GET') {
      const r = [...roles.values()].find((x) => x.Name === decodeURIComponent(m![1]!));
      return r ? send(res, 200, r) : send(res, 404, 'ACL not found');
    }
    if ((path === '/v1/acl/role' && method === 'PUT') || ((m = /^\/v1\/acl\/role\/([^/]+)$/.exec(path)) && method === 'PUT')) {
      const b = body();
      const existing = m ? roles.get(m[1]!) : undefined;
      const r: Obj = { ID: existing?.ID ?? randomUUID(), Name: b.Name, Description: b.Description ?? '' };
      const pol = resolvePolicies(b.Policies as Link[] | undefined) as Link[];
      if (pol.length > 0) r.Policies = pol;
      if (Array.isArray(b.ServiceIdentities) && b.ServiceIdentities.length > 0) r.ServiceIdentities = b.ServiceIdentities;
      if (Array.isArray(b.NodeIdentities) && b.NodeIdentities.length > 0) r.NodeIdentities = b.NodeIdentities;
      r.CreateIndex = existing?.CreateIndex ?? ++index;
      r.ModifyIndex = existing ? ++index : r.CreateIndex;
      r.Hash = hash(r);
      roles.set(r.ID as string, r);
      return send(res, 200, r);
    }
    if ((m = /^\/v1\/acl\/role\/([^/]+)$/.exec(path))) {
      const r = roles.get(m[1]!);
      if (method === 'GET') return r ? send(res, 200, r) : send(res, 404, 'ACL not found');
      if (!r) return send(res, 403, 'ACL not found');
      if (method === 'DELETE') return roles.delete(m[1]!), send(res, 200, true);
    }
    // Enough of the KV API for the token-source test of other commands.
    if (path.startsWith('/v1/')) return send(res, 200, path.startsWith('/v1/kv/') && method === 'GET' ? [] : true);
    send(res, 404, '404 page not found');
  }

  const server = http.createServer((r, res) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => {
      const url = new URL(r.url ?? '/', 'http://x');
      const rec: RecordedRequest = { method: r.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: r.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      try {
        route(rec, res);
      } catch (e) {
        send(res, 400, e instanceof Error ? e.message : String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    addr: `127.0.0.1:${port}`,
    requests,
    tokens,
    policies,
    roles,
    agentTokens,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
