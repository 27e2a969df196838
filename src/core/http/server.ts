// The HTTP API listener: one node:http server per client address, dispatching through routes.ts.
//
// MUST: no request can crash the agent: bodies are bounded before they are buffered (413),
// malformed requests get 400, handler errors become Consul's plain-text error replies.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Errors, HttpError } from '../errors.js';
import type { Logger } from '../support/logger.js';
import { RequestContext, type Reply } from './context.js';
import type { ApiDeps } from './deps.js';
import { matchRoute } from './routes.js';

const BODY_METHODS = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

export class HttpApi {
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly deps: ApiDeps,
    private readonly log: Logger,
  ) {}

  async listen(addrs: readonly string[], port: number): Promise<void> {
    for (const addr of addrs) {
      const srv = http.createServer({ keepAliveTimeout: 30_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) =>
        this.handle(req, res),
      );
      srv.on('clientError', (_err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        else socket.destroy();
      });
      srv.on('connection', (s: Socket) => {
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
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const sock of this.sockets) sock.destroy();
    this.servers.length = 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.dispatch(req, res).catch((err: unknown) => {
      this.log.error(`http: request failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) this.write(res, { status: 500, raw: (err as Error).message });
      else res.destroy();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const qAt = url.indexOf('?');
    let path: string;
    try {
      path = decodeURIComponent(qAt < 0 ? url : url.slice(0, qAt));
    } catch {
      return this.write(res, { status: 400, raw: 'Invalid URL path encoding' });
    }
    if (path === '/') return this.write(res, { status: 200, raw: 'Consul Agent', contentType: 'text/plain; charset=utf-8' });
    const match = matchRoute(path);
    if (!match) {
      req.resume();
      return this.write(res, { status: 404, raw: '' });
    }
    const allowed = Object.keys(match.route.methods);
    const handler = match.route.methods[method];
    if (method === 'OPTIONS') return this.write(res, { status: 200, raw: '', headers: { Allow: ['OPTIONS', ...allowed].join(',') } });
    if (!handler) {
      req.resume();
      return this.write(res, { status: 405, raw: Errors.methodNotAllowed(method).message, headers: { Allow: ['OPTIONS', ...allowed].join(',') } });
    }
    const max = match.route.maxBodyBytes?.(this.deps) ?? this.deps.config.txnMaxReqLen;
    let body: Buffer;
    try {
      body = BODY_METHODS.has(method) ? await readBody(req, max) : EMPTY_BODY;
    } catch (err) {
      if (err instanceof HttpError) return this.write(res, { status: err.status, raw: err.message }, true);
      throw err;
    }
    const ctx = new RequestContext(req, method, url, body);
    ctx.tail = match.tail;
    ctx.closeSource = res;
    let reply: Reply;
    try {
      const dc = ctx.get('dc');
      if (dc && dc.toLowerCase() !== this.deps.config.datacenter) throw Errors.noPathToDc();
      reply = await handler(ctx, this.deps);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reply = { status: err.status, raw: err.message };
    }
    if (!res.destroyed) this.write(res, reply, this.deps.config.devMode || ctx.has('pretty'));
  }

  private write(res: ServerResponse, reply: Reply, pretty = false): void {
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
    } else {
      payload = pretty ? JSON.stringify(reply.body, null, 4) + '\n' : JSON.stringify(reply.body);
      headers['Content-Type'] = 'application/json';
    }
    headers['Content-Length'] = String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length);
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}

const EMPTY_BODY = Buffer.alloc(0);

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
