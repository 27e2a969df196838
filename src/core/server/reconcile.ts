// Leader duty: turn LAN gossip membership into catalog state (Consul: agent/consul/leader.go,
// reconcileMember and friends). An alive member is registered with a passing `serfHealth`
// check, a failed one gets it critical, a member that left or was reaped is deregistered, and
// a catalog node with `serfHealth` that gossip no longer knows is reaped on a full reconcile.
//
// MUST: every step first checks the catalog and writes only when something differs: a new
//       leader reconciles every member, and an idle cluster must not write at all.
// MUST: never deregister ourselves (a server leaving is deregistered by the next leader).
import type { CatalogNode, HealthCheck, RegisterRequest } from '../structs/catalog.js';
import { getNode, nodeChecks, nodeServices, listNodes } from '../state/catalog.js';
import type { Logger } from '../support/logger.js';
import type { Server } from './server.js';

export type ReconcileStatus = 'alive' | 'leaving' | 'left' | 'failed' | 'reap';

/** What reconciliation needs of a serf member. */
export interface ReconcileMember {
  readonly name: string;
  readonly addr: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly status: ReconcileStatus | 'none';
  readonly protocolMin?: number;
  readonly protocolMax?: number;
  readonly protocolCur?: number;
}

export const SERF_CHECK_ID = 'serfHealth';
export const SERF_CHECK_NAME = 'Serf Health Status';
export const SERF_CHECK_ALIVE_OUTPUT = 'Agent alive and reachable';
export const SERF_CHECK_FAILED_OUTPUT = 'Agent not live or unreachable';

export interface ReconcilerOptions {
  readonly server: Server;
  readonly datacenter: string;
  readonly nodeName: string;
  readonly logger: Logger;
}

/** Consul's metadata.IsConsulServer: a server's port, vsn and build must parse. */
export function consulServerPort(m: ReconcileMember): number | undefined {
  const t = m.tags;
  if (t.role !== 'consul') return undefined;
  const port = Number(t.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  if (!/^\d+$/.test(t.vsn ?? '')) return undefined;
  if (!/\d+\.\d+\.\d+/.test(t.build ?? '')) return undefined;
  return port;
}

/** `1.2.3:abcdef` -> `1.2.3` (Consul's metadata.Build). */
function buildVersion(m: ReconcileMember): string {
  const match = /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?/.exec(m.tags.build ?? '');
  return match ? match[0] : '';
}

export function serfCheck(node: string, status: 'passing' | 'critical', output: string): Omit<HealthCheck, 'CreateIndex' | 'ModifyIndex'> {
  return {
    Node: node,
    CheckID: SERF_CHECK_ID,
    Name: SERF_CHECK_NAME,
    Status: status,
    Notes: '',
    Output: output,
    ServiceID: '',
    ServiceName: '',
    ServiceTags: [],
    Type: '',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
}

export class Reconciler {
  private readonly log: Logger;
  constructor(private readonly o: ReconcilerOptions) {
    this.log = o.logger.named('leader');
  }

  /** Consul: shouldHandleMember: only members of our datacenter (servers and clients). */
  private shouldHandle(m: ReconcileMember): boolean {
    return m.tags.dc === this.o.datacenter && (m.tags.role === 'consul' || m.tags.role === 'node');
  }

  async reconcileMember(m: ReconcileMember): Promise<void> {
    if (!this.shouldHandle(m)) {
      this.log.warn(`skipping reconcile of node: member=${m.name}`);
      return;
    }
    switch (m.status) {
      case 'alive':
        return this.handleAlive(m);
      case 'failed':
        return this.handleFailed(m);
      case 'left':
        return this.handleDeregister(m, 'left');
      case 'reap':
        return this.handleDeregister(m, 'reaped');
      default:
        return;
    }
  }

  /** Consul: reconcile(): every member, then catalog nodes gossip no longer knows. */
  async reconcileAll(members: readonly ReconcileMember[]): Promise<void> {
    const known = new Set<string>();
    for (const m of members) {
      known.add(m.name.toLowerCase());
      await this.reconcileMember(m);
    }
    const store = this.o.server.store;
    for (const node of listNodes(store)) {
      if (known.has(node.Node.toLowerCase()) || node.Node === this.o.nodeName) continue;
      const hasSerfCheck = nodeChecks(store, node.Node).some((c) => c.CheckID === SERF_CHECK_ID);
      if (!hasSerfCheck) continue;
      await this.handleDeregister({ name: node.Node, addr: node.Address, tags: { dc: this.o.datacenter, role: 'node' }, status: 'reap' }, 'reaped');
    }
  }

  private async handleAlive(m: ReconcileMember): Promise<void> {
    const store = this.o.server.store;
    const port = consulServerPort(m);
    const service =
      port === undefined
        ? null
        : {
            Kind: '',
            ID: 'consul',
            Service: 'consul',
            Tags: [],
            Address: '',
            TaggedAddresses: {},
            Meta: {
              raft_version: m.tags.raft_vsn ?? '3',
              serf_protocol_current: String(m.protocolCur ?? 2),
              serf_protocol_max: String(m.protocolMax ?? 5),
              serf_protocol_min: String(m.protocolMin ?? 1),
              version: buildVersion(m),
            },
            Port: port,
            Weights: { Passing: 1, Warning: 1 },
            EnableTagOverride: false,
          };
    const node = getNode(store, m.name);
    if (node && node.Address === m.addr) {
      const serviceOk = service === null || nodeServices(store, m.name).some((s) => s.ID === 'consul' && s.Port === service.Port);
      const passing = nodeChecks(store, m.name).some((c) => c.CheckID === SERF_CHECK_ID && c.Status === 'passing');
      if (serviceOk && passing) return;
    }
    this.log.info(`member joined, marking health alive: member=${m.name}`);
    await this.register(m, node, 'passing', service);
  }

  private async handleFailed(m: ReconcileMember): Promise<void> {
    const store = this.o.server.store;
    const node = getNode(store, m.name);
    if (node && node.Address === m.addr) {
      if (nodeChecks(store, m.name).some((c) => c.CheckID === SERF_CHECK_ID && c.Status === 'critical')) return;
    }
    this.log.info(`member failed, marking health critical: member=${m.name}`);
    await this.register(m, node, 'critical', null);
  }

  /**
   * Consul's register request for a member: the node keeps the addresses and meta it has (the
   * agent's anti-entropy owns them); an alive member also gets its consul-version meta and, for a
   * server, the `consul` service. A failed one only touches the check (SkipNodeUpdate).
   */
  private async register(m: ReconcileMember, node: CatalogNode | undefined, status: 'passing' | 'critical', service: RegisterRequest['Service']): Promise<void> {
    const alive = status === 'passing';
    await this.o.server.apply({
      t: 'register',
      v: 1,
      req: {
        ID: m.tags.id ?? '',
        Node: m.name,
        Address: m.addr,
        Datacenter: this.o.datacenter,
        TaggedAddresses: node ? { ...node.TaggedAddresses } : {},
        NodeMeta: alive ? { ...(node?.Meta ?? {}), 'consul-version': buildVersion(m) } : { ...(node?.Meta ?? {}) },
        Service: service,
        Checks: [serfCheck(m.name, status, alive ? SERF_CHECK_ALIVE_OUTPUT : SERF_CHECK_FAILED_OUTPUT)],
        SkipNodeUpdate: !alive,
      },
    });
  }

  private async handleDeregister(m: ReconcileMember, reason: string): Promise<void> {
    if (m.name === this.o.nodeName) {
      this.log.warn(`deregistering self should be done by follower: name=${m.name}`);
      return;
    }
    if (!getNode(this.o.server.store, m.name)) return;
    this.log.info(`deregistering member: member=${m.name} reason=${reason}`);
    await this.o.server.apply({ t: 'deregister', v: 1, req: { Node: m.name, ServiceID: '', CheckID: '' } });
  }
}
