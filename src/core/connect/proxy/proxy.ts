// The built-in L4 proxy (Consul: connect/proxy/proxy.go): one identity (the service whose leaf
// it presents), an optional public mTLS listener in front of the local service, and upstream
// listeners. Certificates are watched (tls-material.ts), so rotations reach new connections
// without a restart; intentions are asked per connection, so a change counts at once.
import type { ApiClient } from '../../client/index.js';
import type { Logger } from '../../support/logger.js';
import { closeAll } from './conn.js';
import { PublicListener, type PublicListenerConfig } from './public-listener.js';
import { TlsWatcher } from './tls-material.js';
import { UpstreamListener, type UpstreamConfig } from './upstream-listener.js';

export interface ProxyConfig {
  /** The service identity (leaf) and intention destination. */
  readonly service: string;
  readonly datacenter: string;
  readonly publicListener: PublicListenerConfig | undefined;
  readonly upstreams: readonly UpstreamConfig[];
}

export class ConnectProxy {
  private readonly certs: TlsWatcher;
  private readonly listeners: { stop(): Promise<void> }[] = [];

  constructor(
    private readonly cfg: ProxyConfig,
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {
    this.certs = new TlsWatcher(client, cfg.service, log);
  }

  /** Resolves once every listener is up (after the first leaf and roots arrived). */
  async start(): Promise<void> {
    this.certs.start();
    await this.certs.ready;
    if (this.cfg.publicListener) {
      const l = new PublicListener(this.cfg.publicListener, this.client, this.certs, this.log);
      await l.start();
      this.listeners.push(l);
    }
    for (const u of this.cfg.upstreams) {
      const l = new UpstreamListener(u, this.client, this.certs, this.cfg.datacenter, this.log);
      await l.start();
      this.listeners.push(l);
    }
  }

  async stop(): Promise<void> {
    this.certs.stop();
    const stopping = Promise.all(this.listeners.map((l) => l.stop()));
    // server.close() waits for open connections: close them (Consul's proxy closes its conns too).
    closeAll();
    await stopping;
  }
}
