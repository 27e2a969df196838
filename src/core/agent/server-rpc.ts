// The endpoints a server answers on its RPC port for client agents (and, with the cluster work,
// for other servers): forwarded API calls, forwarded DNS questions, and the two calls a client's
// anti-entropy makes (read its node's catalog view, apply a registration).
//
// MUST: every body is validated before use: the port faces the network, and a malformed call is
//       answered with an error, never a crash.
import type { DnsHandler } from '../dns/handler.js';
import type { TokenIdentity } from '../acl/identity.js';
import type { FsmCommand } from '../fsm/commands.js';
import type { FsmResult } from '../fsm/fsm.js';
import type { ForwardReply, ForwardRequest } from '../http/forward.js';
import { HttpError } from '../errors.js';
import { RpcError, type RpcServer } from '../rpc/index.js';
import type { Server } from '../server/index.js';
import { getNode, nodeChecks, nodeServices } from '../state/catalog.js';
import type { NodeView } from './anti-entropy.js';
import type { ServerRouter } from './router.js';
import type { DatacenterRouter } from './wan-router.js';

export const RPC = {
  httpForward: 'HTTP.Forward',
  dnsQuery: 'DNS.Query',
  nodeView: 'Catalog.NodeView',
  /** Served by the Server itself (server/server.ts): any command, forwarded to the leader. */
  apply: 'Server.Apply',
  /** A client agent resolving a request's token (agent/acl-wiring.ts). */
  aclResolve: 'ACL.ResolveToken',
} as const;

export interface ServerRpcDeps {
  readonly server: Server;
  readonly serveHttp: (req: ForwardRequest) => Promise<ForwardReply>;
  readonly dns: () => DnsHandler | undefined;
  /** ACLs on: a secret's identity from this server's state (null: unknown or expired). */
  readonly aclIdentity?: (secret: string) => TokenIdentity | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bytes(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new Error(`invalid ${what}`);
}

function text(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  throw new Error(`invalid ${what}`);
}

function forwardRequest(body: unknown): ForwardRequest {
  if (!isRecord(body)) throw new Error('invalid forwarded request');
  const headers: Record<string, string> = {};
  if (isRecord(body.headers)) for (const [k, v] of Object.entries(body.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  return {
    method: text(body.method, 'method'),
    url: text(body.url, 'url'),
    headers,
    body: bytes(body.body, 'body'),
    originNode: text(body.originNode, 'origin node'),
    hops: typeof body.hops === 'number' ? body.hops : 0,
  };
}

export function registerServerRpc(rpc: RpcServer, deps: ServerRpcDeps): void {
  rpc.handle(RPC.httpForward, (body) => deps.serveHttp(forwardRequest(body)));
  rpc.handle(RPC.dnsQuery, async (body) => {
    if (!isRecord(body)) throw new Error('invalid DNS request');
    const msg = Buffer.from(bytes(body.msg, 'DNS message'));
    const handler = deps.dns();
    if (!handler) throw new Error('DNS is disabled on this server');
    const answer = await handler.handle(msg, body.tcp === true);
    return { msg: answer ?? null };
  });
  rpc.handle(RPC.aclResolve, (body) => {
    if (!isRecord(body)) throw new Error('invalid token resolve request');
    const resolveIdentity = deps.aclIdentity;
    if (!resolveIdentity) throw new Error('ACL support disabled');
    const identity = resolveIdentity(text(body.secret, 'secret'));
    return identity ? { found: true, identity: { ...identity, expiresAtMs: identity.expiresAtMs ?? null } } : { found: false };
  });
  rpc.handle(RPC.nodeView, (body): NodeView => {
    if (!isRecord(body)) throw new Error('invalid node view request');
    const node = text(body.node, 'node');
    const store = deps.server.store;
    return { node: getNode(store, node), services: nodeServices(store, node), checks: nodeChecks(store, node) };
  });
}

/** A forwarded call's answer as it came back over RPC (validated). */
export function decodeForwardReply(r: unknown): ForwardReply {
  if (!isRecord(r) || typeof r.status !== 'number' || !isRecord(r.headers)) throw new Error('invalid forwarded reply');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string' && k.toLowerCase() !== 'content-length') headers[k] = v;
  return { status: r.status, headers, body: bytes(r.body, 'reply body') };
}

function decodeIdentity(v: unknown): TokenIdentity {
  if (!isRecord(v) || typeof v.accessorId !== 'string' || typeof v.management !== 'boolean' || !Array.isArray(v.sources)) throw new Error('invalid token identity');
  const sources = v.sources.map((s: unknown) => {
    if (!isRecord(s) || typeof s.key !== 'string' || typeof s.rules !== 'string') throw new Error('invalid token identity');
    return { key: s.key, rules: s.rules };
  });
  const exp = typeof v.expiresAtMs === 'number' ? v.expiresAtMs : undefined;
  return { accessorId: v.accessorId, management: v.management, expiresAtMs: exp, sources };
}

/** Turn an RPC failure into the HTTP error a client agent answers with. */
export function rpcToHttpError(err: unknown): unknown {
  if (err instanceof RpcError) return new HttpError(500, err.kind === 'remote' ? err.message : `rpc error making call: ${err.message}`);
  return err;
}

/** The client agent's side of the same calls, through the router. */
export class ServerCalls {
  constructor(private readonly router: ServerRouter) {}

  async forwardHttp(req: ForwardRequest, timeoutMs: number): Promise<ForwardReply> {
    try {
      return decodeForwardReply(await this.router.call(RPC.httpForward, req, timeoutMs));
    } catch (err) {
      throw rpcToHttpError(err);
    }
  }

  async dns(msg: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    const r = await this.router.call(RPC.dnsQuery, { msg, tcp }, 10_000);
    if (!isRecord(r) || !(r.msg instanceof Uint8Array)) return undefined;
    return Buffer.from(r.msg);
  }

  async nodeView(node: string): Promise<NodeView> {
    const r = await this.router.call(RPC.nodeView, { node }, 30_000);
    if (!isRecord(r) || !Array.isArray(r.services) || !Array.isArray(r.checks)) throw new Error('invalid node view reply');
    return { node: (r.node ?? undefined) as NodeView['node'], services: r.services as NodeView['services'], checks: r.checks as NodeView['checks'] };
  }

  /** A server's view of a token (null: unknown or expired); rejects when no server answers. */
  async aclResolve(secret: string): Promise<TokenIdentity | null> {
    const r = await this.router.call(RPC.aclResolve, { secret }, 10_000);
    if (!isRecord(r)) throw new Error('invalid token resolve reply');
    if (r.found !== true) return null;
    return decodeIdentity(r.identity);
  }

  async apply(cmd: FsmCommand): Promise<FsmResult> {
    try {
      return (await this.router.call(RPC.apply, { cmd }, 60_000)) as FsmResult;
    } catch (err) {
      throw rpcToHttpError(err);
    }
  }
}

/** A server's calls to the servers of other datacenters, through the WAN router. */
export class WanCalls {
  constructor(private readonly router: DatacenterRouter) {}

  async forwardHttp(dc: string, req: ForwardRequest, timeoutMs: number): Promise<ForwardReply> {
    try {
      return decodeForwardReply(await this.router.call(dc, RPC.httpForward, req, timeoutMs));
    } catch (err) {
      throw rpcToHttpError(err);
    }
  }

  /** The whole DNS message answered by a server of `dc` (undefined: no answer to relay). */
  async dns(dc: string, msg: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    const r = await this.router.call(dc, RPC.dnsQuery, { msg, tcp }, 10_000);
    if (!isRecord(r) || !(r.msg instanceof Uint8Array)) return undefined;
    return Buffer.from(r.msg);
  }
}
