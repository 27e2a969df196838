// The public mTLS listener (Consul: connect/proxy/listener.go NewPublicListener): TLS 1.2+, a
// client leaf from our roots required, and every new connection authorized through
// /v1/agent/connect/authorize before a byte reaches the local service. Refusals are logged once
// per connection and never take the proxy down.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { ApiClient } from '../../client/index.js';
import { permissionsAllow } from '../l7.js';
import type { Logger } from '../../support/logger.js';
import { splice } from './conn.js';
import type { TlsMaterial, TlsWatcher } from './tls-material.js';

export interface PublicListenerConfig {
  readonly bindAddress: string;
  readonly bindPort: number;
  readonly localServiceAddress: string;
  readonly localServicePort: number;
  /** The service this proxy fronts: the intention destination. */
  readonly service: string;
}

/** The SPIFFE URI SAN of a verified peer certificate ("URI:spiffe://..." in subjectaltname). */
export function peerUri(sock: tls.TLSSocket): string | undefined {
  const san = sock.getPeerCertificate()?.subjectaltname ?? '';
  return san
    .split(', ')
    .find((x) => x.startsWith('URI:'))
    ?.slice(4);
}

export function secureOptions(m: TlsMaterial): tls.SecureContextOptions {
  return { key: m.key, cert: m.cert, ca: m.ca, minVersion: 'TLSv1.2' };
}

export class PublicListener {
  private server: tls.Server | undefined;
  /** The service's `service-defaults` protocol (watched); `http` turns on L7 intentions. */
  private protocol = 'tcp';
  private readonly abort = new AbortController();
  /** Serves L7-governed connections: each request is checked against its connection's permissions. */
  private readonly http = http.createServer((req, res) => this.serveL7(req, res));
  private readonly l7Permissions = new WeakMap<net.Socket, readonly unknown[]>();

  constructor(
    private readonly cfg: PublicListenerConfig,
    private readonly client: ApiClient,
    private readonly certs: TlsWatcher,
    private readonly log: Logger,
  ) {}

  /** Beyond Consul: follow `service-defaults` so an `http` service gets L7 intention checks. */
  private async watchProtocol(): Promise<void> {
    const c = new ApiClient(this.client.config);
    this.abort.signal.addEventListener('abort', () => void c.close().catch(() => {}));
    let index = 0;
    while (!this.abort.signal.aborted) {
      try {
        const r = await c.connect.configListBlocking('service-defaults', { waitIndex: index, waitTime: '10m', signal: this.abort.signal });
        index = r.index;
        const mine = r.value.find((e) => e.Name === this.cfg.service);
        this.protocol = typeof mine?.Protocol === 'string' ? mine.Protocol : 'tcp';
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.log.error(`failed to watch service-defaults: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async start(): Promise<void> {
    void this.watchProtocol();
    const m = this.certs.current;
    if (!m) throw new Error('no TLS material yet');
    const server = tls.createServer({ ...secureOptions(m), requestCert: true, rejectUnauthorized: true, allowHalfOpen: true });
    this.certs.onChange((next) => server.setSecureContext(secureOptions(next)));
    server.on('secureConnection', (sock) => void this.handle(sock));
    server.on('tlsClientError', (err, sock) => {
      this.log.error(`failed TLS handshake: listener="public listener" remote=${sock.remoteAddress ?? '?'}:${sock.remotePort ?? '?'} error="${err.message}"`);
      sock.destroy();
    });
    server.on('error', (err) => this.log.error(`public listener error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.bindPort, this.cfg.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info(`Starting listener: listener="public listener" bind_addr=${this.cfg.bindAddress}:${this.cfg.bindPort}`);
  }

  private async handle(sock: tls.TLSSocket): Promise<void> {
    sock.on('error', () => sock.destroy());
    const remote = `${sock.remoteAddress ?? '?'}:${sock.remotePort ?? '?'}`;
    const uri = peerUri(sock);
    const serial = sock.getPeerCertificate()?.serialNumber ?? '';
    if (!uri) {
      this.log.error(`connection refused: listener="public listener" remote=${remote} error="peer certificate has no URI SAN"`);
      sock.destroy();
      return;
    }
    sock.pause();
    let allowed = false;
    let l7 = false;
    try {
      const r = await this.client.connect.authorize(this.cfg.service, uri, serial);
      allowed = r.Authorized;
      l7 = !allowed && r.Reason.startsWith('Matched L7 intention') && this.protocol === 'http';
      if (!allowed && !l7) this.log.info(`connection denied: listener="public listener" remote=${remote} client=${uri} reason="${r.Reason}"`);
    } catch (err) {
      this.log.error(`connection refused: listener="public listener" remote=${remote} client=${uri} error="${(err as Error).message}"`);
    }
    if (l7 && (await this.startL7(sock, uri))) return;
    if (!allowed) {
      sock.destroy();
      return;
    }
    const local = net.connect({ host: this.cfg.localServiceAddress, port: this.cfg.localServicePort, allowHalfOpen: true });
    local.once('error', (err) => this.log.error(`failed to dial local service: listener="public listener" addr=${this.cfg.localServiceAddress}:${this.cfg.localServicePort} error="${err.message}"`));
    splice(sock, local);
    sock.resume();
  }

  /** Hand the connection to the HTTP server with the permissions of the source's intention. */
  private async startL7(sock: tls.TLSSocket, uri: string): Promise<boolean> {
    const source = uri.slice(uri.lastIndexOf('/') + 1);
    try {
      const matches = await this.client.connect.intentionMatch('destination', this.cfg.service);
      const hit = matches.find((i) => i.SourceName === source || i.SourceName === '*');
      if (!hit?.Permissions || hit.Permissions.length === 0) return false;
      this.l7Permissions.set(sock, hit.Permissions);
    } catch (err) {
      this.log.error(`failed to load L7 intentions: ${(err as Error).message}`);
      return false;
    }
    this.http.emit('connection', sock);
    sock.resume();
    return true;
  }

  private serveL7(req: http.IncomingMessage, res: http.ServerResponse): void {
    const perms = this.l7Permissions.get(req.socket) ?? [];
    if (!permissionsAllow(perms, { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers })) {
      this.log.info(`request denied by L7 intention: method=${req.method ?? ''} path=${req.url ?? ''}`);
      res.writeHead(403, { 'Content-Type': 'text/plain' });
      res.end('RBAC: access denied');
      return;
    }
    const up = http.request({ host: this.cfg.localServiceAddress, port: this.cfg.localServicePort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`upstream connect error: ${err.message}`);
    });
    req.pipe(up);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
