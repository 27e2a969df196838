// A read-only, lazily built view of the catalog for DNS, valid for one catalog index.
//
// Why: every DNS query would otherwise scan the services and checks tables. The view groups
// instances by lower-cased service name with their aggregate health computed once, and memoizes
// the health-filtered lists and prepared answers. A new view is made when the state store's
// maxIndex(nodes, services, checks) moves (or the store itself is replaced), so it never serves
// data older than the store it was built from.
//
// The costly parts outlive the view that built them (ReusableParts), each for as long as what it
// was built from is unchanged: the node map while the nodes table index stands, the lower-case
// name -> service names map while the services table index stands, and a service's instances
// while the store's per-service index (StateStore.serviceIndex: its instances, their checks and
// their nodes) stands for each of its names. So a write costs the next query only the services it
// touched, not a scan of the whole catalog: with 20,000 instances a full rebuild took ~60-120 ms,
// and a check-output write is what client agents' anti-entropy sends most.
// Connect (`<service>.connect`) and PTR lookups still use a full scan, built once per view.
//
// With ACLs on, a view is also bound to the authorizer of the token DNS answers with (the agent's
// acl.tokens.default, else anonymous): nodes without node:read and instances without node:read
// and service:read (and, for Connect, service:read on the destination) are not answered, so they
// read as unknown (Consul's dns.go reads through the filtered Catalog/Health RPCs; an empty result
// is NXDOMAIN). The reusable parts stay unfiltered, shared by every authorizer; filtering happens
// on the way out, memoized per view.
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

const SEP = '\x00';

/** What a view built that the next view may reuse while its inputs are unchanged (see top). */
class ReusableParts {
  nodes: { index: number; map: Map<string, CatalogNode> } | undefined;
  names: { index: number; map: Map<string, readonly string[]> } | undefined;
  /** Lower-case name -> its instances, with the service names and the per-service stamp they were built at. */
  readonly services = new Map<string, { names: readonly string[]; stamp: number; list: Instance[] }>();
}

export class CatalogView {
  /** Every instance by lower-cased name and connect key: Connect and PTR lookups only. */
  private scanned: Map<string, Instance[]> | undefined;
  private readonly healthyMemo = new Map<string, readonly Instance[]>();
  /** ACLs on: what instances() answered for each name, filtered for `authz`. */
  private readonly visibleMemo = new Map<string, readonly Instance[] | undefined>();
  /** Prepared answers for this catalog index, keyed by the caller (qtype + name). */
  readonly memo = new Map<string, unknown>();

  constructor(
    readonly store: StateStore,
    readonly index: number,
    private readonly parts = new ReusableParts(),
    /** The DNS token's authorizer; undefined while ACLs are off (everything visible). */
    readonly authz?: Authorizer,
  ) {}

  /** The view to use now: `prev` while the catalog and the authorizer are unchanged, else a fresh one. */
  static current(prev: CatalogView | undefined, store: StateStore, authz?: Authorizer): CatalogView {
    const index = store.maxIndex('nodes', 'services', 'checks');
    if (prev && prev.store === store && prev.index === index && prev.authz === authz) return prev;
    return new CatalogView(store, index, prev && prev.store === store ? prev.parts : undefined, authz);
  }

  node(nameLower: string): CatalogNode | undefined {
    const n = this.nodeMap().get(nameLower);
    return n && this.nodeVisible(n) ? n : undefined;
  }

  /** Every instance of a service (any health) the DNS token may see, or undefined when there is none. */
  instances(serviceLower: string): readonly Instance[] | undefined {
    const authz = this.authz;
    if (!authz) return this.allInstances(serviceLower);
    if (this.visibleMemo.has(serviceLower)) return this.visibleMemo.get(serviceLower);
    const visible = (this.allInstances(serviceLower) ?? []).filter((i) => this.instanceVisible(i, serviceLower.startsWith('connect' + SEP)));
    const out = visible.length > 0 ? visible : undefined;
    if (this.visibleMemo.size >= MAX_MEMO) this.visibleMemo.clear();
    this.visibleMemo.set(serviceLower, out);
    return out;
  }

  private nodeVisible(n: CatalogNode): boolean {
    return !this.authz || this.authz.nodeRead(n.Node);
  }

  /** node:read and service:read; a Connect lookup also needs service:read on the destination. */
  private instanceVisible(i: Instance, connect: boolean): boolean {
    const a = this.authz;
    if (!a) return true;
    if (!a.nodeRead(i.node.Node) || !a.serviceRead(i.service.Service)) return false;
    if (!connect) return true;
    const dest = i.service.Kind === 'connect-proxy' ? (i.service.Proxy?.DestinationServiceName ?? '') : i.service.Service;
    return a.serviceRead(dest);
  }

  /** Every instance of a service (any health), or undefined when the name is unknown. */
  private allInstances(serviceLower: string): readonly Instance[] | undefined {
    if (serviceLower.startsWith('connect' + SEP)) return this.scan().get(serviceLower);
    const names = this.nameMap().get(serviceLower);
    if (!names) return undefined;
    let stamp = 0;
    for (const n of names) stamp = Math.max(stamp, this.store.serviceIndex(n));
    const hit = this.parts.services.get(serviceLower);
    if (hit && hit.stamp === stamp && hit.names === names) return hit.list;
    const list = this.buildInstances(names);
    if (this.parts.services.size >= MAX_MEMO) this.parts.services.clear();
    this.parts.services.set(serviceLower, { names, stamp, list });
    return list;
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
    for (const n of this.nodeMap().values()) if (n.Address === ip && this.nodeVisible(n)) return { node: n };
    for (const list of this.scan().values()) for (const i of list) if (i.service.Address === ip && this.instanceVisible(i, false)) return { service: i };
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
    const index = this.store.maxIndex('nodes');
    if (this.parts.nodes?.index === index) return this.parts.nodes.map;
    const map = new Map<string, CatalogNode>();
    for (const n of this.store.tables.nodes.values()) {
      const key = n.Node.toLowerCase();
      if (!map.has(key)) map.set(key, n);
    }
    this.parts.nodes = { index, map };
    return map;
  }

  /** Lower-case name -> the service names that fold to it, one B-tree seek per distinct name. */
  private nameMap(): Map<string, readonly string[]> {
    const index = this.store.maxIndex('services');
    if (this.parts.names?.index === index) return this.parts.names.map;
    const byName = this.store.tables.servicesByName;
    const found = new Map<string, string[]>();
    // Keys are `${name}\x00${node}\x00${id}`: every key of a name sorts below `${name}\x01`.
    for (let pair = byName.getPairOrNextHigher(''); pair; pair = byName.getPairOrNextHigher(pair[0].slice(0, pair[0].indexOf(SEP)) + '\x01')) {
      const name = pair[0].slice(0, pair[0].indexOf(SEP));
      const lower = name.toLowerCase();
      const list = found.get(lower);
      if (list) list.push(name);
      else found.set(lower, [name]);
    }
    const map = new Map<string, readonly string[]>(found);
    // Entries whose names did not change keep their array, so their instances stay reusable.
    for (const [lower, names] of this.parts.names?.map ?? []) {
      const now = map.get(lower);
      if (now && now.length === names.length && now.every((n, i) => n === names[i])) map.set(lower, names);
    }
    this.parts.names = { index, map };
    return map;
  }

  /** The instances of the given service names, in services-table order (node, then ID), as a scan gives. */
  private buildInstances(names: readonly string[]): Instance[] {
    const t = this.store.tables;
    const out: { key: string; instance: Instance }[] = [];
    for (const name of names) {
      const prefix = name + SEP;
      t.servicesByName.forRange(prefix, prefix + '\uffff', true, (key, nodeName) => {
        const serviceKey = key.slice(prefix.length);
        const service = t.services.get(serviceKey);
        const node = t.nodes.get(nodeName);
        if (!service || !node) return;
        let status: DnsHealth = 'passing';
        t.checks.forRange(nodeName + SEP, nodeName + SEP + '\uffff', true, (_k, c) => {
          if (c.ServiceID === '' || c.ServiceID === service.ID) status = worse(status, statusOf(c));
        });
        out.push({ key: serviceKey, instance: { node, service, status } });
      });
    }
    if (names.length > 1) out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out.map((o) => o.instance);
  }

  /** One pass over every service: the connect keys and PTR's instance addresses need it. */
  private scan(): Map<string, Instance[]> {
    if (this.scanned) return this.scanned;
    const t = this.store.tables;
    const nodeStatus = new Map<string, DnsHealth>();
    const svcStatus = new Map<string, DnsHealth>();
    for (const c of t.checks.values()) {
      if (c.ServiceID === '') nodeStatus.set(c.Node, worse(nodeStatus.get(c.Node), statusOf(c)));
      else {
        const k = c.Node + SEP + c.ServiceID;
        svcStatus.set(k, worse(svcStatus.get(k), statusOf(c)));
      }
    }
    const out = new Map<string, Instance[]>();
    for (const [key, s] of t.services.entries()) {
      const nodeName = key.slice(0, key.indexOf(SEP));
      const node = t.nodes.get(nodeName);
      if (!node) continue;
      const status = worse(nodeStatus.get(nodeName) ?? 'passing', svcStatus.get(key) ?? 'passing');
      const name = s.Service.toLowerCase();
      let list = out.get(name);
      if (!list) out.set(name, (list = []));
      list.push({ node, service: s, status });
      // `<service>.connect.<domain>`: its proxies and Connect-native instances (connectKey).
      const dest = s.Kind === 'connect-proxy' ? s.Proxy?.DestinationServiceName : s.Connect?.Native === true ? s.Service : undefined;
      if (dest !== undefined && dest !== '') {
        const ck = connectKey(dest.toLowerCase());
        let clist = out.get(ck);
        if (!clist) out.set(ck, (clist = []));
        clist.push({ node, service: s, status });
      }
    }
    this.scanned = out;
    return out;
  }
}
