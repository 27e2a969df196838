// A small in-process stand-in for a Consul agent's HTTP API, enough for CLI command tests:
// KV (get/list/keys/put/cas/acquire/release/delete), agent self/members/join/leave/force-leave/
// reload, and snapshot save/restore. It records every request so tests can check what was sent.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface Entry {
  value: Buffer;
  flags: number;
  createIndex: number;
  modifyIndex: number;
  lockIndex: number;
  session: string;
}

export interface FakeAgent {
  addr: string;
  requests: RecordedRequest[];
  kv: Map<string, Entry>;
  members: unknown[];
  self: Record<string, unknown>;
  snapshot: Buffer;
  /** Next answer for a path, overriding the built-in behaviour once. */
  override: Map<string, { status: number; body: string }>;
  index: number;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown, index?: number): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  if (index !== undefined) res.setHeader('X-Consul-Index', String(index));
  res.end(JSON.stringify(body));
}

function wire(key: string, e: Entry): Record<string, unknown> {
  return {
    Key: key,
    Value: e.value.length ? e.value.toString('base64') : null,
    Flags: e.flags,
    CreateIndex: e.createIndex,
    ModifyIndex: e.modifyIndex,
    LockIndex: e.lockIndex,
    ...(e.session ? { Session: e.session } : {}),
  };
}

function handleKv(agent: FakeAgent, req: RecordedRequest, res: http.ServerResponse): void {
  const key = decodeURIComponent(req.path.slice('/v1/kv/'.length));
  const q = req.query;
  const sorted = [...agent.kv.keys()].sort();
  if (req.method === 'GET') {
    if (q.has('keys')) {
      const sep = q.get('separator') ?? '';
      const out = new Set<string>();
      for (const k of sorted.filter((k) => k.startsWith(key))) {
        const i = sep ? k.indexOf(sep, key.length) : -1;
        out.add(i >= 0 ? k.slice(0, i + sep.length) : k);
      }
      if (out.size === 0 && key !== '') return json(res, 404, null, agent.index);
      return json(res, 200, [...out], agent.index);
    }
    if (q.has('recurse')) {
      const list = sorted.filter((k) => k.startsWith(key)).map((k) => wire(k, agent.kv.get(k)!));
      if (list.length === 0) {
        res.statusCode = 404;
        res.setHeader('X-Consul-Index', String(agent.index));
        return void res.end();
      }
      return json(res, 200, list, agent.index);
    }
    const e = agent.kv.get(key);
    if (!e) {
      res.statusCode = 404;
      res.setHeader('X-Consul-Index', String(agent.index));
      return void res.end();
    }
    return json(res, 200, [wire(key, e)], agent.index);
  }
  if (req.method === 'PUT') {
    const existing = agent.kv.get(key);
    if (q.has('cas')) {
      const cas = Number(q.get('cas'));
      if ((cas === 0 && existing) || (cas !== 0 && existing?.modifyIndex !== cas)) return json(res, 200, false);
    }
    if (q.has('release') && existing?.session !== q.get('release')) return json(res, 200, false);
    agent.index++;
    agent.kv.set(key, {
      value: req.body,
      flags: Number(q.get('flags') ?? 0),
      createIndex: existing?.createIndex ?? agent.index,
      modifyIndex: agent.index,
      lockIndex: (existing?.lockIndex ?? 0) + (q.has('acquire') ? 1 : 0),
      session: q.has('acquire') ? (q.get('acquire') ?? '') : q.has('release') ? '' : (existing?.session ?? ''),
    });
    return json(res, 200, true);
  }
  if (req.method === 'DELETE') {
    if (q.has('recurse')) {
      for (const k of sorted) if (k.startsWith(key)) agent.kv.delete(k);
      return json(res, 200, true);
    }
    if (q.has('cas') && agent.kv.get(key)?.modifyIndex !== Number(q.get('cas'))) return json(res, 200, false);
    agent.kv.delete(key);
    return json(res, 200, true);
  }
  res.statusCode = 405;
  res.end(`method ${req.method} not allowed`);
}

export async function startFakeAgent(): Promise<FakeAgent> {
  const agent: FakeAgent = {
    addr: '',
    requests: [],
    kv: new Map(),
    members: [],
    self: { Config: { Datacenter: 'dc1', NodeName: 'node1', Version: '1.21.5' }, Stats: {} },
    snapshot: Buffer.alloc(0),
    override: new Map(),
    index: 10,
    close: async () => {},
  };
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const url = new URL(raw.url ?? '/', 'http://fake');
      const req: RecordedRequest = { method: raw.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: raw.headers, body: Buffer.concat(chunks) };
      agent.requests.push(req);
      const forced = agent.override.get(req.path);
      if (forced) {
        agent.override.delete(req.path);
        res.statusCode = forced.status;
        return void res.end(forced.body);
      }
      if (req.path.startsWith('/v1/kv/')) return handleKv(agent, req, res);
      if (req.path === '/v1/agent/self') return json(res, 200, agent.self);
      if (req.path === '/v1/agent/members') return json(res, 200, agent.members);
      if (req.path.startsWith('/v1/agent/join/') || req.path === '/v1/agent/leave' || req.path === '/v1/agent/reload' || req.path.startsWith('/v1/agent/force-leave/')) {
        return void res.end();
      }
      if (req.path === '/v1/snapshot' && req.method === 'GET') {
        res.setHeader('X-Consul-Index', String(agent.index));
        return void res.end(agent.snapshot);
      }
      if (req.path === '/v1/snapshot' && req.method === 'PUT') {
        agent.snapshot = req.body;
        return void res.end();
      }
      res.statusCode = 404;
      res.end();
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

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

const CONSUL = fileURLToPath(new URL('../../../bin/consul', import.meta.url));

/** Run the real bin/consul with CONSUL_HTTP_ADDR pointing at `addr`; killed after timeoutMs. */
export function runConsul(
  args: string[],
  opts: { addr?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // The caller's environment must not leak in; variables the test passes do.
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CONSUL_HTTP_TOKEN;
    delete env.CONSUL_HTTP_TOKEN_FILE;
    delete env.CONSUL_HTTP_SSL;
    Object.assign(env, opts.env);
    if (opts.addr) env.CONSUL_HTTP_ADDR = opts.addr;
    if (opts.env?.CONSUL_HTTP_ADDR !== undefined) env.CONSUL_HTTP_ADDR = opts.env.CONSUL_HTTP_ADDR;
    const child = spawn(CONSUL, args, { env, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`consul ${args.join(' ')} timed out`));
    }, opts.timeoutMs ?? 15_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    child.stdin.end(opts.input ?? '');
  });
}
