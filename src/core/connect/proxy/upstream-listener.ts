// An upstream listener (Consul: connect/proxy/listener.go NewUpstreamListener + connect/resolver.go):
// a plain TCP port on loopback; each connection dials a healthy Connect instance of the
// destination (kept current by a blocking health query, so new instances and failures count
// without a restart) over mTLS, and checks the server presents the destination's SPIFFE ID.
import net from 'node:net';
import tls from 'node:tls';
import { ApiClient, type ServiceEntry } from '../../client/index.js';
import type { Logger } from '../../support/logger.js';
import { splice } from './conn.js';
import { secureOptions } from './public-listener.js';
import type { TlsWatcher } from './tls-material.js';

export interface UpstreamConfig {
  readonly destinationName: string;
  readonly datacenter: string;
  readonly localBindAddress: string;
  readonly localBindPort: number;
}

export class UpstreamListener {
  private server: net.Server | undefined;
  private instances: ServiceEntry[] = [];
  private next = 0;
  private readonly abort = new AbortController();
  private haveInstances: Promise<void>;
  private resolveHave: (() => void) | undefined;

  constructor(
    private readonly cfg: UpstreamConfig,
    private readonly client: ApiClient,
    private readonly certs: TlsWatcher,
    private readonly localDatacenter: string,
    private readonly log: Logger,
  ) {
    this.haveInstances = new Promise((r) => (this.resolveHave = r));
  }

  private get name(): string {
    return `upstream listener "${this.cfg.destinationName}"`;
  }

  async start(): Promise<void> {
    void this.watchInstances();
    const server = net.createServer({ allowHalfOpen: true }, (sock) => void this.handle(sock));
    server.on('error', (err) => this.log.error(`${this.name} error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.localBindPort, this.cfg.localBindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.info(`Starting listener: listener="${this.name}" bind_addr=${this.cfg.localBindAddress}:${this.cfg.localBindPort}`);
  }

  private async watchInstances(): Promise<void> {
    let index = 0;
    // Its own connection: the parked query holds it (see tls-material.ts).
    const watchClient = new ApiClient(this.client.config);
    this.abort.signal.addEventListener('abort', () => void watchClient.close().catch(() => {}));
    while (!this.abort.signal.aborted) {
      try {
        const r = await watchClient.connect.healthConnect(this.cfg.destinationName, { waitIndex: index, waitTime: '10m', signal: this.abort.signal });
        index = r.index;
        this.instances = r.value;
        if (this.instances.length > 0) this.resolveHave?.();
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.log.error(`${this.name}: failed to watch instances: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** The next healthy instance (round robin), waiting briefly for the first answer. */
  private async pick(): Promise<ServiceEntry | undefined> {
    if (this.instances.length === 0) await Promise.race([this.haveInstances, new Promise((r) => setTimeout(r, 3000))]);
    if (this.instances.length === 0) return undefined;
    const i = this.instances[this.next++ % this.instances.length];
    return i;
  }

  private async handle(sock: net.Socket): Promise<void> {
    sock.pause();
    sock.on('error', () => sock.destroy());
    const inst = await this.pick();
    const m = this.certs.current;
    if (!inst || !m) {
      this.log.error(`${this.name}: no healthy instance of ${this.cfg.destinationName} to dial`);
      sock.destroy();
      return;
    }
    const host = (inst.Service.Address as string) || inst.Node.Address;
    const port = inst.Service.Port;
    const dc = this.cfg.datacenter || this.localDatacenter;
    // A sidecar answers with its destination's identity; a native service with its own.
    const expected = `spiffe://${m.trustDomain}/ns/default/dc/${dc}/svc/${this.cfg.destinationName}`;
    // Half-open: the client's EOF travels on while the answer still comes back (Node's TLSSocket
    // honours allowHalfOpen, its typings just do not list it).
    const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
      ...secureOptions(m),
      host,
      port,
      allowHalfOpen: true,
      checkServerIdentity: (_host, cert) => {
        const uris = (cert.subjectaltname ?? '').split(', ').filter((x) => x.startsWith('URI:')).map((x) => x.slice(4));
        if (uris.some((u) => u.toLowerCase() === expected.toLowerCase())) return undefined;
        return new Error(`peer certificate SPIFFE ID is ${uris.join(',') || 'missing'}, expected ${expected}`);
      },
    };
    const upstream = tls.connect(options);
    upstream.once('secureConnect', () => {
      splice(sock, upstream);
      sock.resume();
    });
    upstream.once('error', (err) => {
      this.log.error(`${this.name}: failed to dial ${host}:${port}: ${err.message}`);
      sock.destroy();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
