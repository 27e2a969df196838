// The agent's leaf certificate cache (Consul: agent/leafcert): the agent makes the key and CSR,
// a server signs it; a leaf is renewed at a random point between 60% and 90% of its lifetime
// and at once when the active root changes. Blocking readers wake when a service's leaf changes.
import { createCsr, generateEcKey } from '../tls/index.js';
import type { IssuedCert } from './ca-provider.js';
import { serviceSpiffeUri } from './spiffe.js';

/** api.LeafCert as GET /v1/agent/connect/ca/leaf/:service answers. */
export interface LeafCertJson extends IssuedCert {
  PrivateKeyPEM: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface LeafSigner {
  /** The trust domain and active root ID (fetched from a server). */
  roots(): Promise<{ trustDomain: string; activeRootId: string }>;
  /** Sign a CSR on the leader. */
  sign(csrPem: string): Promise<IssuedCert>;
}

interface Entry {
  leaf: LeafCertJson;
  activeRootId: string;
  renewAtMs: number;
  waiters: Set<() => void>;
  pending?: Promise<LeafCertJson>;
}

export class LeafCache {
  private readonly entries = new Map<string, Entry>();
  private index = 0;

  constructor(
    private readonly datacenter: string,
    private readonly signer: LeafSigner,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** The current leaf for a service, issuing or renewing it when needed. */
  async get(service: string): Promise<LeafCertJson> {
    const e = this.entries.get(service);
    const roots = await this.signer.roots();
    if (e && e.activeRootId === roots.activeRootId && this.now() < e.renewAtMs) return e.leaf;
    if (e?.pending) return e.pending;
    const pending = this.issue(service, roots);
    if (e) e.pending = pending;
    try {
      return await pending;
    } finally {
      const cur = this.entries.get(service);
      if (cur) delete cur.pending;
    }
  }

  private async issue(service: string, roots: { trustDomain: string; activeRootId: string }): Promise<LeafCertJson> {
    const key = await generateEcKey();
    const csr = await createCsr(key, serviceSpiffeUri(roots.trustDomain, this.datacenter, service));
    const cert = await this.signer.sign(csr);
    this.index += 1;
    const leaf: LeafCertJson = { ...cert, PrivateKeyPEM: key.privateKeyPem, CreateIndex: this.index, ModifyIndex: this.index };
    const after = Date.parse(cert.ValidAfter);
    const lifetime = Date.parse(cert.ValidBefore) - after;
    const renewAtMs = after + lifetime * (0.6 + 0.3 * this.random());
    const prev = this.entries.get(service);
    const waiters = prev?.waiters ?? new Set<() => void>();
    this.entries.set(service, { leaf, activeRootId: roots.activeRootId, renewAtMs, waiters });
    for (const w of [...waiters]) w();
    return leaf;
  }

  /** When the cached leaf is due for renewal (ms since epoch), or undefined. */
  renewAt(service: string): number | undefined {
    return this.entries.get(service)?.renewAtMs;
  }

  /** Resolve when the service's leaf changes or `ms` passes. */
  waitChange(service: string, ms: number, onClose: (fn: () => void) => void): Promise<void> {
    const e = this.entries.get(service);
    if (!e || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        e.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      e.waiters.add(done);
      onClose(done);
    });
  }
}
