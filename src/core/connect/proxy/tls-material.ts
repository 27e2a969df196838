// The proxy's certificates, kept current (Consul: connect/service.go + watch of the leaf and the
// roots): a blocking query loop on the service's leaf and one on the roots; each change rebuilds
// the TLS material, so new connections use it at once and running ones are left alone.
import { ApiClient } from '../../client/index.js';
import type { Logger } from '../../support/logger.js';

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  /** Every trusted root (during a rotation, old and new). */
  readonly ca: string[];
  readonly trustDomain: string;
}

export class TlsWatcher {
  private leaf: { key: string; cert: string } | undefined;
  private roots: { ca: string[]; trustDomain: string } | undefined;
  private readonly abort = new AbortController();
  private readonly listeners: ((m: TlsMaterial) => void)[] = [];
  private readyResolve: (() => void) | undefined;
  readonly ready: Promise<void>;

  constructor(
    private readonly client: ApiClient,
    private readonly service: string,
    private readonly log: Logger,
  ) {
    this.ready = new Promise((r) => (this.readyResolve = r));
  }

  get current(): TlsMaterial | undefined {
    if (!this.leaf || !this.roots) return undefined;
    return { ...this.leaf, ...this.roots };
  }

  onChange(fn: (m: TlsMaterial) => void): void {
    this.listeners.push(fn);
  }

  start(): void {
    // One connection per long poll: a parked blocking query holds its HTTP/1 connection.
    const leafClient = new ApiClient(this.client.config);
    const rootsClient = new ApiClient(this.client.config);
    this.abort.signal.addEventListener('abort', () => void leafClient.close().catch(() => {}));
    this.abort.signal.addEventListener('abort', () => void rootsClient.close().catch(() => {}));
    void this.loop('leaf', async (index) => {
      const r = await leafClient.connect.leaf(this.service, { waitIndex: index, waitTime: '10m', signal: this.abort.signal });
      this.leaf = { key: r.value.PrivateKeyPEM, cert: r.value.CertPEM };
      return r.index;
    });
    void this.loop('roots', async (index) => {
      const r = await rootsClient.connect.caRoots({ waitIndex: index, waitTime: '10m', signal: this.abort.signal });
      this.roots = { ca: r.value.Roots.map((x) => x.RootCert), trustDomain: r.value.TrustDomain };
      return r.index;
    });
  }

  stop(): void {
    this.abort.abort();
  }

  private async loop(what: string, fetch: (index: number) => Promise<number>): Promise<void> {
    let index = 0;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const next = await fetch(index);
        failures = 0;
        if (next !== index) {
          index = next;
          this.changed();
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        failures += 1;
        this.log.error(`failed to watch the ${what}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** Math.min(failures, 7))));
      }
    }
  }

  private changed(): void {
    const m = this.current;
    if (!m) return;
    this.readyResolve?.();
    for (const fn of this.listeners) fn(m);
  }
}
