// The HTTP API listener: one node:http server per client address (and one node:https server per
// HTTPS address), dispatching through routes.ts.
//
// MUST: no request can crash the agent: bodies are bounded before they are buffered (413),
// malformed requests get 400, handler errors become Consul's plain-text error replies.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import tls, { type TlsOptions } from 'node:tls';
import type { Socket } from 'node:net';
import { Errors, HttpError } from '../errors.js';
import type { Logger } from '../support/logger.js';
import { RequestContext, type Reply } from './context.js';
import type { ApiDeps } from './deps.js';
import { isBareSubtree, matchRoute, type Handler, type Route } from './routes.js';
import { requireLocalDatacenter } from './datacenter.js';
import { muxRedirect, redirectResponse } from './mux-redirect.js';
import { forwardedHeaders, forwardTimeoutMs, isServerPath, needsLeader, type ForwardReply, type ForwardRequest } from './forward.js';
import { ConnectionLimiter, RequestLimiter } from './limits.js';
import { ANONYMOUS_SECRET, ANONYMOUS_TOKEN_ID, requestToken, type RequestAcl } from '../acl/index.js';

const BODY_METHODS = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

export class HttpApi {
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly connLimiter: ConnectionLimiter;
  private readonly requestLimiter: RequestLimiter;

  constructor(
    private readonly deps: ApiDeps,
    private readonly log: Logger,
  ) {
    this.connLimiter = new ConnectionLimiter(deps.config.limits.httpMaxConnsPerClient);
    this.requestLimiter = new RequestLimiter(deps.config.limits.requestLimits, (m) => log.warn(m));
  }

  /** Server agents: request_limits on what reaches the replicated state (Consul limits RPCs). */
  private limitRequest(method: string, path: string, source: string): void {
    const server = this.deps.agent.server;
    if (server && isServerPath(path)) this.requestLimiter.check(method, path, source, server.isLeader());
  }

  async listen(addrs: readonly string[], port: number): Promise<void> {
    for (const addr of addrs) await this.bind(http.createServer(this.serverOptions(), (req, res) => this.handle(req, res)), addr, port);
  }

  /**
   * The HTTPS listener (ports.https): the same handler pipeline behind node:tls. A failed
   * handshake (no client certificate under verify_incoming, a TLS version below the minimum)
   * closes only that connection; it never reaches a handler (Consul: agent.go listenHTTP).
   */
  async listenTls(addrs: readonly string[], port: number, tlsOptions: TlsOptions): Promise<void> {
    for (const addr of addrs) {
      const srv = https.createServer({ ...this.serverOptions(), ...tlsOptions, handshakeTimeout: this.deps.config.limits.httpHandshakeTimeoutMs }, (req, res) => this.handle(req, res));
      srv.on('tlsClientError', (err, socket) => {
        this.log.debug(`http: TLS handshake failed: from=${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''} error="${err.message}"`);
        socket.destroy();
      });
      await this.bind(srv, addr, port);
    }
  }

  /**
   * New certificates and verification for HTTPS connections from now on (consul reload; Consul's
   * listeners read the configurator per handshake). Open connections keep theirs.
   */
  setTls(tlsOptions: TlsOptions): void {
    for (const srv of this.servers) {
      if (!(srv instanceof tls.Server)) continue;
      srv.setSecureContext(tlsOptions);
      // setSecureContext leaves client-certificate checking alone; Node reads these per connection.
      const verify = srv as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
      verify.requestCert = tlsOptions.requestCert === true;
      verify.rejectUnauthorized = tlsOptions.rejectUnauthorized === true;
    }
  }

  private serverOptions(): http.ServerOptions {
    // Headers must arrive within http_handshake_timeout (a slowloris client trickling them
    // would otherwise hold its connection for Node's default minute), checked every second.
    const limits = this.deps.config.limits;
    return { keepAliveTimeout: 30_000, requestTimeout: 0, headersTimeout: limits.httpHandshakeTimeoutMs, connectionsCheckingInterval: 1_000 };
  }

  private async bind(srv: http.Server, addr: string, port: number): Promise<void> {
    srv.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    srv.on('connection', (s: Socket) => {
      if (!this.connLimiter.admit(s)) return;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, addr, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    this.servers.push(srv);
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const sock of this.sockets) sock.destroy();
    this.servers.length = 0;
  }

  /**
   * Request lifecycle. The common case (a read with no body, served under the leader lease) runs
   * synchronously from the parser callback to the socket write: no promise is created on that
   * path, which is worth a third of the per-request CPU at high request rates.
   */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.deps.audit?.observe(req, res);
    try {
      this.dispatch(req, res);
    } catch (err) {
      this.fail(res, err);
    }
  }

  private fail(res: ServerResponse, err: unknown): void {
    this.log.error(`http: request failed: ${(err as Error).stack ?? String(err)}`);
    if (!res.headersSent) this.write(res, { status: 500, raw: (err as Error).message });
    else res.destroy();
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const location = muxRedirect(url, isBareSubtree);
    if (location !== undefined) {
      req.resume(); // the mux answers without reading the body, as Go's does
      const r = redirectResponse(method, location);
      res.writeHead(r.status, { ...r.headers, 'Content-Length': String(Buffer.byteLength(r.body)) });
      return void res.end(r.body);
    }
    const qAt = url.indexOf('?');
    let path: string;
    try {
      path = decodeURIComponent(qAt < 0 ? url : url.slice(0, qAt));
    } catch {
      return this.write(res, { status: 400, raw: 'Invalid URL path encoding' });
    }
    const match = matchRoute(path);
    if (!match) {
      req.resume();
      return this.write(res, { status: 404, raw: '' });
    }
    const handler = match.route.methods[method];
    if (method === 'OPTIONS' || !handler) {
      req.resume();
      const allow = ['OPTIONS', ...Object.keys(match.route.methods)].join(',');
      if (method === 'OPTIONS') return this.write(res, { status: 200, raw: '', headers: { Allow: allow } });
      return this.write(res, { status: 405, raw: Errors.methodNotAllowed(method).message, headers: { Allow: allow } });
    }
    try {
      this.limitRequest(method, path, req.socket.remoteAddress ?? '');
    } catch (err) {
      req.resume();
      return this.write(res, { status: (err as HttpError).status, raw: (err as HttpError).message });
    }
    const server = this.deps.agent.server;
    // A server answering for another datacenter: the call goes there whole (?dc=, or for the
    // catalog's register/deregister the body's Datacenter, once the body is in).
    const viaWan = server !== undefined && this.deps.dcForwarder !== undefined && isServerPath(path);
    if (viaWan && !match.route.datacenterInBody) {
      const dc = otherDatacenter(queryOf(url).get('dc'), this.deps.config.datacenter);
      if (dc !== undefined) {
        if (!BODY_METHODS.has(method)) return this.forwardToDc(req, res, dc, url, method, EMPTY_BODY);
        return void readBody(req, match.route.maxBodyBytes?.(this.deps) ?? this.deps.config.txnMaxReqLen).then(
          (body) => this.forwardToDc(req, res, dc, url, method, body),
          (err: unknown) => (err instanceof HttpError ? this.write(res, { status: err.status, raw: err.message }) : this.fail(res, err)),
        );
      }
    }
    const forward =
      (server === undefined && this.deps.forwarder !== undefined && isServerPath(path)) ||
      (server !== undefined && this.deps.leaderForwarder !== undefined && !server.isLeader() && needsLeader(path, queryOf(url), server.lastContactMs()));
    if (!BODY_METHODS.has(method)) {
      if (forward) return this.forward(req, res, url, method, EMPTY_BODY);
      return this.run(req, res, url, method, EMPTY_BODY, match.tail, match.route, handler);
    }
    const max = match.route.maxBodyBytes?.(this.deps) ?? this.deps.config.txnMaxReqLen;
    readBody(req, max).then(
      (body) => {
        const dc = viaWan && match.route.datacenterInBody ? otherDatacenter(bodyDatacenter(body), this.deps.config.datacenter) : undefined;
        if (dc !== undefined) return this.forwardToDc(req, res, dc, url, method, body);
        return forward ? this.forward(req, res, url, method, body) : this.run(req, res, url, method, body, match.tail, match.route, handler);
      },
      (err: unknown) => (err instanceof HttpError ? this.write(res, { status: err.status, raw: err.message }) : this.fail(res, err)),
    );
  }

  private run(req: IncomingMessage, res: ServerResponse, url: string, method: string, body: Buffer, tail: string, route: Route, handler: Handler): void {
    const ctx = new RequestContext(req, method, url, body);
    ctx.tail = tail;
    ctx.pretty = this.deps.config.devMode || ctx.has('pretty');
    ctx.closeSource = res;
    let out: Reply | Promise<Reply>;
    try {
      if (!route.datacenterInBody) requireLocalDatacenter(ctx.get('dc'), this.deps.config.datacenter);
      const resolver = this.deps.acl;
      // ACLs on: resolve the token first. Synchronous on servers (the common, fast case); a client
      // agent may have to ask a server, and then the handler runs once the answer is in.
      const identity = resolver?.enabled && !route.noAcl ? resolver.resolve(requestToken(req.headers, ctx.query)) : undefined;
      if (identity instanceof Promise) {
        out = identity.then((acl: RequestAcl) => {
          ctx.acl = acl;
          return handler(ctx, this.deps);
        });
      } else {
        if (identity) ctx.acl = identity;
        out = handler(ctx, this.deps);
      }
    } catch (err) {
      out = errorReply(err);
    }
    if (out instanceof Promise) {
      out.then(
        (reply) => this.finish(res, reply, ctx),
        (err: unknown) => {
          try {
            this.finish(res, errorReply(err), ctx);
          } catch (e) {
            this.fail(res, e);
          }
        },
      );
    } else this.finish(res, out, ctx);
  }

  private finish(res: ServerResponse, reply: Reply, ctx: RequestContext): void {
    this.deps.audit?.identify(res, ctx.acl);
    if (res.destroyed) return;
    this.write(res, withAclHeaders(reply, ctx, this.deps), ctx.pretty);
  }

  private write(res: ServerResponse, reply: Reply, pretty = false): void {
    if (reply.stream) {
      // A streaming answer writes its own head: the ACL headers go on the response first.
      res.setHeader('X-Consul-Default-Acl-Policy', this.deps.acl?.defaultPolicy ?? 'allow');
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      return reply.stream(res);
    }
    // Answers written before (or without) a handler still say the real default policy.
    const policy = this.deps.acl?.defaultPolicy;
    const r = policy && !reply.headers?.['X-Consul-Default-Acl-Policy'] ? { ...reply, headers: { ...reply.headers, 'X-Consul-Default-Acl-Policy': policy } } : reply;
    const { status, headers, payload } = render(r, pretty);
    res.writeHead(status, headers);
    res.end(payload);
  }

  /** Client agent: send a state-backed call to a server and relay its answer unchanged. */
  private forward(req: IncomingMessage, res: ServerResponse, url: string, method: string, body: Buffer): void {
    const headers = forwardedHeaders(req.headers);
    // Consul's parseToken: a request without a token acts as the agent's default token, and the
    // RPC carries it, so the server checks what this agent's default token may do.
    const dflt = this.deps.defaultToken?.();
    if (dflt && requestToken(headers, queryOf(url)) === undefined) headers['x-consul-token'] = dflt;
    const fwd: ForwardRequest = { method, url, headers, body, originNode: this.deps.config.nodeName };
    const timeout = forwardTimeoutMs(url, this.deps.config.maxQueryTimeMs);
    const viaLeader = this.deps.agent.server !== undefined ? this.deps.leaderForwarder : undefined;
    const forwarder = viaLeader ?? this.deps.forwarder;
    if (!forwarder) return this.write(res, { status: 500, raw: Errors.noServers().message });
    // A follower whose leader turned out to be itself (elected meanwhile) answers locally.
    this.relay(res, forwarder(fwd, timeout).then((r) => r ?? this.serveForwarded({ ...fwd, hops: 99 })));
  }

  /** Server: a call for another datacenter goes to one of its servers, its answer relayed as is. */
  private forwardToDc(req: IncomingMessage, res: ServerResponse, dc: string, url: string, method: string, body: Buffer): void {
    const headers = forwardedHeaders(req.headers);
    // ACLs on: a request without a token stands for this agent's default token (else anonymous),
    // not the answering server's, so it travels with the call (Consul's parseToken sets args.Token
    // on the agent that took the request).
    const dflt = this.deps.defaultToken?.();
    if (dflt && requestToken(headers, queryOf(url)) === undefined) headers['x-consul-token'] = dflt;
    const fwd: ForwardRequest = { method, url, headers, body, originNode: this.deps.config.nodeName };
    this.relay(res, this.sendToDc(dc, fwd));
  }

  private sendToDc(dc: string, fwd: ForwardRequest): Promise<ForwardReply> {
    const send = this.deps.dcForwarder;
    if (!send) return Promise.reject(Errors.noPathToDc());
    return send(dc, fwd, forwardTimeoutMs(fwd.url, this.deps.config.maxQueryTimeMs));
  }

  private relay(res: ServerResponse, answer: Promise<ForwardReply>): void {
    answer.then(
      (reply) => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.body.length) });
        res.end(reply.body);
      },
      (err: unknown) => (err instanceof HttpError ? this.write(res, { status: err.status, raw: err.message }) : this.fail(res, err)),
    );
  }

  /**
   * Server side of a forwarded call: the same routing and handlers as a local request, answered
   * as status, headers and bytes for the RPC reply.
   */
  async serveForwarded(fwd: ForwardRequest): Promise<ForwardReply> {
    const qAt = fwd.url.indexOf('?');
    let path: string;
    try {
      path = decodeURIComponent(qAt < 0 ? fwd.url : fwd.url.slice(0, qAt));
    } catch {
      return toForwardReply({ status: 400, raw: 'Invalid URL path encoding' }, false);
    }
    const match = matchRoute(path);
    if (!match || !isServerPath(path)) return toForwardReply({ status: 404, raw: '' }, false);
    try {
      if ((fwd.hops ?? 0) === 0) this.limitRequest(fwd.method, path, fwd.originNode ?? '');
    } catch (err) {
      return toForwardReply({ status: (err as HttpError).status, raw: (err as HttpError).message }, false);
    }
    const server = this.deps.agent.server;
    // A client agent's call for another datacenter: this server sends it on over the WAN.
    if (server && this.deps.dcForwarder) {
      const asked = match.route.datacenterInBody ? bodyDatacenter(fwd.body) : queryOf(fwd.url).get('dc');
      const dc = otherDatacenter(asked, this.deps.config.datacenter);
      if (dc !== undefined) {
        try {
          return await this.sendToDc(dc, fwd);
        } catch (err) {
          return toForwardReply(errorReply(err), false);
        }
      }
    }
    // Leadership moved while the call was on its way: pass it on once more.
    const lf = this.deps.leaderForwarder;
    if (server && lf && !server.isLeader() && (fwd.hops ?? 0) < 1 && needsLeader(path, queryOf(fwd.url), server.lastContactMs())) {
      const r = await lf({ ...fwd, hops: (fwd.hops ?? 0) + 1 }, forwardTimeoutMs(fwd.url, this.deps.config.maxQueryTimeMs));
      if (r) return r;
    }
    const handler = match.route.methods[fwd.method];
    if (!handler) return toForwardReply({ status: 405, raw: Errors.methodNotAllowed(fwd.method).message }, false);
    const ctx = new RequestContext({ headers: fwd.headers }, fwd.method, fwd.url, Buffer.from(fwd.body.buffer, fwd.body.byteOffset, fwd.body.length));
    ctx.tail = match.tail;
    ctx.originNode = fwd.originNode;
    ctx.pretty = this.deps.config.devMode || ctx.has('pretty');
    let reply: Reply;
    try {
      if (!match.route.datacenterInBody) requireLocalDatacenter(ctx.get('dc'), this.deps.config.datacenter);
      const resolver = this.deps.acl;
      if (resolver?.enabled && !match.route.noAcl) ctx.acl = await resolver.resolve(requestToken(fwd.headers, ctx.query));
      reply = await handler(ctx, this.deps);
    } catch (err) {
      reply = errorReply(err);
    }
    return toForwardReply(withAclHeaders(reply, ctx, this.deps), ctx.pretty);
  }
}

/**
 * X-Consul-Default-ACL-Policy on every answer, and X-Consul-Results-Filtered-By-ACLs when a list
 * answer dropped entries the token may not see (Consul: agent/http.go setMeta/setResultsFilteredByACLs).
 */
function withAclHeaders(reply: Reply, ctx: RequestContext, deps: ApiDeps): Reply {
  const policy = deps.acl?.defaultPolicy;
  // Consul's maskResultsFilteredByACLs: a request that names no token (the anonymous one) is not
  // told that anything was hidden, so probing without credentials learns nothing.
  // A client agent forwards a token-less call as the anonymous secret (so the server does not
  // substitute its own default token): that is still nobody's token.
  const token = requestToken(ctx.req.headers, ctx.query);
  const filtered = ctx.acl.filtered && (ctx.acl.accessorId !== ANONYMOUS_TOKEN_ID || (token !== undefined && token !== ANONYMOUS_SECRET));
  if (policy === undefined && !filtered) return reply;
  const headers: Record<string, string> = { ...reply.headers };
  if (policy !== undefined) headers['X-Consul-Default-Acl-Policy'] = policy;
  if (filtered) headers['X-Consul-Results-Filtered-By-Acls'] = 'true';
  return { ...reply, headers };
}

function toForwardReply(reply: Reply, pretty: boolean): ForwardReply {
  const { status, headers, payload } = render(reply, pretty);
  return { status, headers, body: typeof payload === 'string' ? Buffer.from(payload) : payload };
}

/** A reply as status, headers and payload: Consul's X-Consul-* meta headers and content types. */
function render(reply: Reply, pretty: boolean): { status: number; headers: Record<string, string>; payload: string | Uint8Array } {
  const headers: Record<string, string> = { 'X-Consul-Default-Acl-Policy': 'allow', ...reply.headers };
  const meta = reply.meta;
  if (meta) {
    headers['X-Consul-Index'] = String(meta.index);
    headers['X-Consul-Knownleader'] = meta.knownLeader ? 'true' : 'false';
    headers['X-Consul-Lastcontact'] = String(meta.lastContactMs);
    headers['X-Consul-Effective-Consistency'] = meta.consistency === 'default' ? 'leader' : meta.consistency;
  }
  let payload: string | Uint8Array;
  if (reply.raw !== undefined) {
    payload = reply.raw;
    if (reply.contentType) headers['Content-Type'] = reply.contentType;
    else if (typeof reply.raw === 'string' && reply.status >= 400) headers['Content-Type'] = 'text/plain; charset=utf-8';
  } else if (reply.json !== undefined) {
    payload = reply.json;
    headers['Content-Type'] = 'application/json';
  } else {
    payload = pretty ? JSON.stringify(reply.body, null, 4) + '\n' : JSON.stringify(reply.body);
    headers['Content-Type'] = 'application/json';
  }
  headers['Content-Length'] = String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length);
  return { status: reply.status, headers, payload };
}

const EMPTY_BODY = Buffer.alloc(0);

/** The datacenter asked for when it is not ours (lowercased, as Consul matches names); else undefined. */
function otherDatacenter(dc: string | null | undefined, local: string): string | undefined {
  if (!dc) return undefined;
  const d = dc.toLowerCase();
  return d === local ? undefined : d;
}

/**
 * The `Datacenter` field of a JSON body, its key matched without regard to case as Go's
 * encoding/json does; undefined when the body is not a JSON object (the handler answers that).
 */
function bodyDatacenter(body: Uint8Array): string | undefined {
  if (body.length === 0) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  let found: string | undefined;
  for (const [k, x] of Object.entries(v)) if (k.toLowerCase() === 'datacenter' && typeof x === 'string') found = x;
  return found;
}

function queryOf(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

/** Consul's plain-text error answer for an HttpError; anything else is a bug and propagates. */
function errorReply(err: unknown): Reply {
  if (err instanceof HttpError) return { status: err.status, raw: err.message };
  throw err;
}

/** Buffer a request body of at most `max` bytes; larger ones are refused with 413 unread. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > max) {
    req.resume(); // drain so the client can read our answer
    return Promise.reject(Errors.tooLarge(declared, max));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => (size > max ? reject(Errors.tooLarge(size, max)) : resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
