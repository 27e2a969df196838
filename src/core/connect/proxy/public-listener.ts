// The public mTLS listener (Consul: connect/proxy/listener.go NewPublicListener): TLS 1.2+, a
// client leaf from our roots required, and every new connection authorized through
// /v1/agent/connect/authorize before a byte reaches the local service. Refusals are logged once
// per connection and never take the proxy down.
import net from 'node:net';
import tls from 'node:tls';
import type { ApiClient } from '../../client/index.js';
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

  constructor(
    private readonly cfg: PublicListenerConfig,
    private readonly client: ApiClient,
    private readonly certs: TlsWatcher,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
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
    try {
      const r = await this.client.connect.authorize(this.cfg.service, uri, serial);
      allowed = r.Authorized;
      if (!allowed) this.log.info(`connection denied: listener="public listener" remote=${remote} client=${uri} reason="${r.Reason}"`);
    } catch (err) {
      this.log.error(`connection refused: listener="public listener" remote=${remote} client=${uri} error="${(err as Error).message}"`);
    }
    if (!allowed) {
      sock.destroy();
      return;
    }
    const local = net.connect({ host: this.cfg.localServiceAddress, port: this.cfg.localServicePort, allowHalfOpen: true });
    local.once('error', (err) => this.log.error(`failed to dial local service: listener="public listener" addr=${this.cfg.localServiceAddress}:${this.cfg.localServicePort} error="${err.message}"`));
    splice(sock, local);
    sock.resume();
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
