// The leader's CA duties and the ConnectCA endpoints (Consul: agent/consul/leader_connect_ca.go
// CAManager, agent/consul/connect_ca_endpoint.go): create the cluster ID, trust domain and root
// once, serve the roots and configuration, sign CSRs, and rotate the root on set-config.
//
// Randomness and clocks are used here, on the leader, before proposing; the FSM only stores.
import { randomUUID } from 'node:crypto';
import { HttpError } from '../errors.js';
import { CaError, DEFAULT_CA_CONFIG, generateRoot, signServiceCsr, validateCaConfig, type CaRootInput, type IssuedCert } from '../connect/ca-provider.js';
import { trustDomainFor } from '../connect/spiffe.js';
import { caConfigGet, caRootsList, type CaConfigInput } from '../state/connect-ca.js';
import type { CAConfiguration, CARoot } from '../structs/connect.js';
import { parseGoDuration } from '../support/duration.js';
import type { Logger } from '../support/logger.js';
import type { Server } from './server.js';

/** api.CARoot as the HTTP API shows it: the signing key never leaves the servers. */
export type CARootJson = Omit<CARoot, 'SigningKey' | 'SigningCert'>;

export interface CARootList {
  ActiveRootID: string;
  TrustDomain: string;
  Roots: CARootJson[];
}

export function rootJson(r: CARoot): CARootJson {
  const { SigningKey: _k, SigningCert: _c, ...rest } = r;
  return rest;
}

/** The roots answer of /v1/connect/ca/roots (Consul: ConnectCA.Roots). */
export function rootList(server: Server): CARootList {
  const config = caConfigGet(server.store);
  const roots = caRootsList(server.store);
  return {
    ActiveRootID: roots.find((r) => r.Active)?.ID ?? '',
    TrustDomain: config ? trustDomainFor(config.ClusterID) : '',
    Roots: roots.map(rootJson),
  };
}

/** api.CAConfig as GET /v1/connect/ca/configuration shows it. */
export function caConfigJson(c: CAConfiguration): Record<string, unknown> {
  return { Provider: c.Provider, Config: c.Config, State: c.State, ForceWithoutCrossSigning: c.ForceWithoutCrossSigning, CreateIndex: c.CreateIndex, ModifyIndex: c.ModifyIndex };
}

const rpcError = (message: string): HttpError => new HttpError(500, message);

export class ConnectCaRoutine {
  private running = false;

  constructor(
    private readonly server: Server,
    private readonly datacenter: string,
    private readonly log: Logger,
  ) {}

  /** On taking leadership: make sure a CA exists (Consul: initializeCA). */
  start(): void {
    this.running = true;
    void this.initialize().catch((err: unknown) => this.log.error(`Failed to initialize Connect CA: ${(err as Error).message}`));
  }

  stop(): void {
    this.running = false;
  }

  private async initialize(): Promise<void> {
    await this.server.barrier();
    if (!this.running || caConfigGet(this.server.store)) return;
    const clusterId = randomUUID();
    const root = await generateRoot(clusterId, trustDomainFor(clusterId), new Date());
    const config: CaConfigInput = { ClusterID: clusterId, Provider: 'consul', Config: { ...DEFAULT_CA_CONFIG }, State: null, ForceWithoutCrossSigning: false };
    await this.server.apply({ t: 'connect-ca', v: 1, mode: 'initialize', config, roots: [root] });
    this.log.info(`initialized primary datacenter CA with provider: provider=consul`);
  }

  private current(): { config: CAConfiguration; active: CARoot } {
    const config = caConfigGet(this.server.store);
    const active = caRootsList(this.server.store).find((r) => r.Active);
    if (!config || !active) throw rpcError('internal error: CA provider is nil');
    return { config, active };
  }

  /** ConnectCA.Sign on the leader: a service CSR signed by the active root. */
  async sign(csrPem: string): Promise<IssuedCert & { CreateIndex: number; ModifyIndex: number }> {
    const { config, active } = this.current();
    const ttl = typeof config.Config.LeafCertTTL === 'string' ? config.Config.LeafCertTTL : DEFAULT_CA_CONFIG.LeafCertTTL;
    try {
      const cert = await signServiceCsr(active, {
        csrPem,
        trustDomain: trustDomainFor(config.ClusterID),
        datacenter: this.datacenter,
        ttlMs: parseGoDuration(ttl),
        now: new Date(),
      });
      const index = this.server.store.maxIndex('connect-ca-roots');
      return { ...cert, CreateIndex: index, ModifyIndex: index };
    } catch (err) {
      if (err instanceof CaError) throw rpcError(err.message);
      throw err;
    }
  }

  /**
   * ConnectCA.ConfigurationSet: validate first (nothing changes on a bad config); a new key (or
   * `PrivateKey`) rotates the root: the new root is cross-signed by the old one, both stay trusted.
   */
  async setConfig(input: { Provider: string; Config: Record<string, unknown>; ForceWithoutCrossSigning: boolean }): Promise<void> {
    if (input.Provider !== '' && input.Provider !== 'consul') throw rpcError(`unknown CA provider "${input.Provider}"`);
    const merged: Record<string, unknown> = { ...DEFAULT_CA_CONFIG, ...input.Config };
    try {
      validateCaConfig(merged);
      for (const k of ['LeafCertTTL', 'IntermediateCertTTL', 'RootCertTTL', 'RotationPeriod']) {
        const v = merged[k];
        if (v !== undefined && (typeof v !== 'string' || parseGoDuration(v) <= 0)) throw new CaError(`error parsing ${k}: invalid duration ${JSON.stringify(v)}`);
      }
    } catch (err) {
      if (err instanceof CaError) throw rpcError(`error parsing CA config: ${err.message}`);
      if (err instanceof Error) throw rpcError(`error parsing CA config: ${err.message}`);
      throw err;
    }
    const { config, active } = this.current();
    const userKey = typeof merged.PrivateKey === 'string' && merged.PrivateKey !== '' ? merged.PrivateKey : undefined;
    const rotate = (userKey !== undefined && userKey !== active.SigningKey) || merged.PrivateKeyType !== config.Config.PrivateKeyType || Number(merged.PrivateKeyBits) !== Number(config.Config.PrivateKeyBits);
    const storedConfig = { ...merged };
    delete storedConfig.PrivateKey;
    let roots: CaRootInput[] = caRootsList(this.server.store);
    if (rotate) {
      let fresh: CaRootInput;
      try {
        fresh = await generateRoot(config.ClusterID, trustDomainFor(config.ClusterID), new Date(), userKey, active);
      } catch (err) {
        throw rpcError(`error generating CA root certificate: ${(err as Error).message}`);
      }
      const rotatedOut = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      roots = [...roots.filter((r) => r.ID !== fresh.ID).map((r) => (r.Active ? { ...r, Active: false, RotatedOutAt: rotatedOut } : r)), fresh];
    }
    const next: CaConfigInput = { ClusterID: config.ClusterID, Provider: 'consul', Config: storedConfig, State: null, ForceWithoutCrossSigning: input.ForceWithoutCrossSigning };
    const r = await this.server.apply({ t: 'connect-ca', v: 1, mode: 'set', config: next, roots, casIndex: config.ModifyIndex });
    if (r.t === 'bool' && !r.value) throw rpcError('internal error: CA configuration changed during the update, retry');
    if (rotate) this.log.info('CA root rotated: new root cross-signed by the previous one');
  }
}
