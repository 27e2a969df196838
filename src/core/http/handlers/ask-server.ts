// Agent endpoints that need server state (/v1/agent/connect/*): answered in process on a server,
// through the forwarder on a client agent (the same server path the public API uses), so the
// agent-local handlers stay thin and work on both kinds of agent.
import { Errors, HttpError } from '../../errors.js';
import type { Server } from '../../server/index.js';
import type { ApiDeps } from '../deps.js';
import type { Reply } from '../context.js';
import { forwardTimeoutMs, type ForwardReply } from '../forward.js';

export interface ServerAsk<T> {
  readonly method: 'GET' | 'PUT' | 'POST';
  /** A server path (isServerPath) with its query, as a client agent would forward it. */
  readonly url: string;
  readonly body?: unknown;
  /** Must the leader answer (writes, signing)? A follower then hands it over. */
  readonly leaderOnly: boolean;
  /** The in-process answer on the server that is to answer. */
  readonly local: (server: Server) => Promise<T> | T;
  /** The token the server is to check the call against (the requester's, as Consul's RPCs carry). */
  readonly token?: string;
}

function parseReply<T>(r: ForwardReply): T {
  const text = Buffer.from(r.body).toString('utf8');
  if (r.status !== 200) throw new HttpError(r.status, text);
  return JSON.parse(text) as T;
}

export async function askServer<T>(deps: ApiDeps, ask: ServerAsk<T>): Promise<T> {
  const server = deps.agent.server;
  const body = ask.body === undefined ? new Uint8Array(0) : Buffer.from(JSON.stringify(ask.body));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  // No token of its own: the agent's default token, as a forwarded call carries it.
  const token = ask.token || deps.defaultToken?.();
  if (token) headers['x-consul-token'] = token;
  const req = { method: ask.method, url: ask.url, headers, body, originNode: deps.config.nodeName };
  const timeout = forwardTimeoutMs(ask.url, deps.config.maxQueryTimeMs);
  if (server) {
    if (ask.leaderOnly && !server.isLeader() && deps.leaderForwarder) {
      const r = await deps.leaderForwarder(req, timeout);
      if (r) return parseReply<T>(r);
    }
    return ask.local(server);
  }
  if (!deps.forwarder) throw Errors.noServers();
  return parseReply<T>(await deps.forwarder(req, timeout));
}

/**
 * An agent endpoint that is a server endpoint under another path (e.g. /v1/agent/connect/ca/roots
 * = /v1/connect/ca/roots): in process on a server, forwarded whole (with its query) on a client.
 */
export async function relayToServer(
  ctx: { readonly method: string; readonly query: URLSearchParams; readonly body: Buffer },
  deps: ApiDeps,
  serverPath: string,
  local: () => Promise<Reply> | Reply,
): Promise<Reply> {
  if (deps.agent.server) return local();
  if (!deps.forwarder) throw Errors.noServers();
  const q = ctx.query.toString();
  const url = q === '' ? serverPath : `${serverPath}?${q}`;
  const r = await deps.forwarder({ method: ctx.method, url, headers: {}, body: ctx.body, originNode: deps.config.nodeName }, forwardTimeoutMs(url, deps.config.maxQueryTimeMs));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (k.toLowerCase() !== 'content-length' && k.toLowerCase() !== 'content-type') headers[k] = v;
  const contentType = Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  return { status: r.status, raw: r.body, contentType, headers };
}
