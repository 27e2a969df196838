// A read-only, lazily built view of the catalog for DNS, valid for one catalog index.
//
// Why: every DNS query would otherwise scan the services and checks tables. The view groups
// instances by lower-cased service name with their aggregate health computed once, and memoizes
// the health-filtered lists and prepared answers. It is rebuilt when the state store's
// maxIndex(nodes, services, checks) moves (or the store itself is replaced), so it never serves
// data older than the store it was built from.
//
// With ACLs on, a view is also bound to the authorizer of the token DNS answers with (the agent's
// acl.tokens.default, else anonymous): nodes without node:read and instances without node:read
// and service:read are simply not in it, so they are answered as unknown (Consul's dns.go reads
// through the filtered Catalog/Health RPCs; an empty result is NXDOMAIN).
//
// MUST: never mutate what it hands out; callers copy before shuffling.
import type { Authorizer } from '../acl/index.js';
import type { CatalogNode, HealthCheck, NodeService } from '../structs/catalog.js';
import type { StateStore } from '../state/store.js';

export type DnsHealth = 'passing' | 'warning' | 'critical';

export interface Instance {
  readonly node: CatalogNode;
  readonly service: NodeService;
  /** Worst of the node's checks (serfHealth, maintenance...) and the service's own checks. */
  readonly status: DnsHealth;
}

const RANK: Record<DnsHealth, number> = { passing: 0, warning: 1, critical: 2 };

function statusOf(c: HealthCheck): DnsHealth {
  // Maintenance registers a critical check; any status we do not know counts as critical.
  if (c.Status === 'passing') return 'passing';
  if (c.Status === 'warning') return 'warning';
  return 'critical';
}

const worse = (a: DnsHealth | undefined, b: DnsHealth): DnsHealth => (a === undefined || RANK[b] > RANK[a] ? b : a);

/** Bounded so that queries for random names cannot grow a view without limit. */
const MAX_MEMO = 4096;

/** The instances key of a service's Connect-capable endpoints (no service name contains NUL). */
export const connectKey = (serviceLower: string): string => `connect\x00${serviceLower}`;

export class CatalogView {
  private nodes: Map<string, CatalogNode> | undefined;
  private services: Map<string, Instance[]> | undefined;
  private readonly healthyMemo = new Map<string, readonly Instance[]>();
  /** Prepared answers for this catalog index, keyed by the caller (qtype + name). */
  readonly memo = new Map<string, unknown>();

  constructor(
    readonly store: StateStore,
    readonly index: number,
    /** The DNS token's authorizer; undefined while ACLs are off (everything visible). */
    readonly authz?: Authorizer,
  ) {}

  /** The view to use now: `prev` while the catalog and the authorizer have not changed, else a fresh one. */
  static current(prev: CatalogView | undefined, store: StateStore, authz?: Authorizer): CatalogView {
    const index = store.maxIndex('nodes', 'services', 'checks');
    if (prev && prev.store === store && prev.index === index && prev.authz === authz) return prev;
    return new CatalogView(store, index, authz);
  }

  node(nameLower: string): CatalogNode | undefined {
    return this.nodeMap().get(nameLower);
  }

  /** Every instance of a service (any health), or undefined when the name is unknown. */
  instances(serviceLower: string): readonly Instance[] | undefined {
    return this.serviceMap().get(serviceLower);
  }

  /** Instances DNS may answer with: no critical check; warning only unless `onlyPassing`. */
  healthy(serviceLower: string, tagLower: string | undefined, onlyPassing: boolean): readonly Instance[] {
    const key = `${onlyPassing ? 'p' : 'w'}\x00${serviceLower}\x00${tagLower ?? ''}`;
    const hit = this.healthyMemo.get(key);
    if (hit) return hit;
    const all = this.instances(serviceLower) ?? [];
    const out = all.filter(
      (i) => (onlyPassing ? i.status === 'passing' : i.status !== 'critical') && (tagLower === undefined || i.service.Tags.some((t) => t.toLowerCase() === tagLower)),
    );
    if (this.healthyMemo.size >= MAX_MEMO) this.healthyMemo.clear();
    this.healthyMemo.set(key, out);
    return out;
  }

  /** For PTR: the first node, else the first service instance, with this address. */
  byAddress(ip: string): { node?: CatalogNode; service?: Instance } {
    for (const n of this.nodeMap().values()) if (n.Address === ip) return { node: n };
    for (const list of this.serviceMap().values()) for (const i of list) if (i.service.Address === ip) return { service: i };
    return {};
  }

  remember<T>(key: string, make: () => T): T {
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit as T;
    const value = make();
    if (this.memo.size >= MAX_MEMO) this.memo.clear();
    this.memo.set(key, value);
    return value;
  }

  private nodeMap(): Map<string, CatalogNode> {
    if (!this.nodes) {
      this.nodes = new Map();
      for (const n of this.store.tables.nodes.values()) {
        if (this.authz && !this.authz.nodeRead(n.Node)) continue;
        const key = n.Node.toLowerCase();
        if (!this.nodes.has(key)) this.nodes.set(key, n);
      }
    }
    return this.nodes;
  }

  private serviceMap(): Map<string, Instance[]> {
    if (this.services) return this.services;
    const t = this.store.tables;
    const nodeStatus = new Map<string, DnsHealth>();
    const svcStatus = new Map<string, DnsHealth>();
    for (const c of t.checks.values()) {
      if (c.ServiceID === '') nodeStatus.set(c.Node, worse(nodeStatus.get(c.Node), statusOf(c)));
      else {
        const k = c.Node + '\x00' + c.ServiceID;
        svcStatus.set(k, worse(svcStatus.get(k), statusOf(c)));
      }
    }
    const out = new Map<string, Instance[]>();
    for (const [key, s] of t.services.entries()) {
      const nodeName = key.slice(0, key.indexOf('\x00'));
      const node = t.nodes.get(nodeName);
      if (!node) continue;
      if (this.authz && !(this.authz.nodeRead(node.Node) && this.authz.serviceRead(s.Service))) continue;
      const status = worse(nodeStatus.get(nodeName) ?? 'passing', svcStatus.get(key) ?? 'passing');
      const name = s.Service.toLowerCase();
      let list = out.get(name);
      if (!list) out.set(name, (list = []));
      list.push({ node, service: s, status });
      // `<service>.connect.<domain>`: its proxies and Connect-native instances (connectKey).
      const dest = s.Kind === 'connect-proxy' ? s.Proxy?.DestinationServiceName : s.Connect?.Native === true ? s.Service : undefined;
      // A Connect lookup also needs service:read on the destination itself (Health.ServiceNodes, Connect).
      if (dest !== undefined && dest !== '' && (!this.authz || this.authz.serviceRead(dest))) {
        const ck = connectKey(dest.toLowerCase());
        let clist = out.get(ck);
        if (!clist) out.set(ck, (clist = []));
        clist.push({ node, service: s, status });
      }
    }
    this.services = out;
    return out;
  }
}
