// The /v1/internal/ui/* answer shapes, computed from the catalog tables (pure: no I/O).
// Consul: agent/ui_endpoint.go (ServiceSummary, summarizeServices, prepSummaryOutput) and
// structs.NodeInfo. Field order and null-vs-[] follow Go's encoding/json of those structs.
import { nodeChecks, nodeServices } from '../state/catalog.js';
import type { StateStore } from '../state/store.js';
import type { CatalogNode, HealthCheck, NodeService } from '../structs/catalog.js';

/** ServiceListingSummary (ServiceSummary + the Connect flags), as Consul serializes it. */
export interface ServiceListingSummary {
  Kind?: string;
  Name: string;
  Datacenter: string;
  Tags: string[] | null;
  Nodes: string[];
  ExternalSources: string[] | null;
  InstanceCount: number;
  ChecksPassing: number;
  ChecksWarning: number;
  ChecksCritical: number;
  GatewayConfig: Record<string, never>;
  TransparentProxy: boolean;
  ConnectNative: boolean;
  ConnectedWithProxy: boolean;
  ConnectedWithGateway: boolean;
}

/** structs.NodeInfo: one node with its services and all its checks (Internal.NodeDump). */
export interface NodeInfo {
  ID: string;
  Node: string;
  Address: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
  Services: Record<string, unknown>[];
  Checks: HealthCheck[];
}

/** Decides whether one instance counts (the request's ?filter over Consul's ServiceDump entry). */
export type InstanceFilter = (node: CatalogNode, svc: NodeService, nodeChecks: readonly HealthCheck[]) => boolean;

interface Accumulator {
  sum: ServiceListingSummary;
  nodes: Set<string>;
  tags: Set<string>;
  sources: Set<string>;
  /** node + check ID -> status: a node check counts once per service, however many instances. */
  checks: Map<string, string>;
}

/** Consul's structs.MetaExternalSource. */
const META_EXTERNAL_SOURCE = 'external-source';

/** Every service name with its instance count, nodes, union of tags and distinct check counts, sorted by name. */
export function summarizeServices(store: StateStore, keep?: InstanceFilter): ServiceListingSummary[] {
  const byName = new Map<string, Accumulator>();
  const t = store.tables;
  // Checks grouped by node once, so the loop below is linear in instances + checks.
  const checksByNode = new Map<string, HealthCheck[]>();
  for (const c of t.checks.values()) {
    let list = checksByNode.get(c.Node);
    if (!list) checksByNode.set(c.Node, (list = []));
    list.push(c);
  }
  for (const [key, svc] of t.services.entries()) {
    const node = t.nodes.get(key.slice(0, key.indexOf('\x00')));
    if (!node) continue;
    if (keep && !keep(node, svc, checksByNode.get(node.Node) ?? [])) continue;
    let acc = byName.get(svc.Service);
    if (!acc) {
      acc = { sum: emptySummary(svc.Service), nodes: new Set(), tags: new Set(), sources: new Set(), checks: new Map() };
      byName.set(svc.Service, acc);
    }
    acc.nodes.add(node.Node);
    acc.sum.Kind = svc.Kind;
    acc.sum.Datacenter = node.Datacenter;
    acc.sum.InstanceCount += 1;
    for (const tag of svc.Tags) acc.tags.add(tag);
    const source = svc.Meta[META_EXTERNAL_SOURCE];
    if (source) acc.sources.add(source);
    // Consul: a service's checks are its own plus the node's (ServiceID "").
    for (const c of checksByNode.get(node.Node) ?? []) {
      if (c.ServiceID === '' || c.ServiceID === svc.ID) acc.checks.set(`${c.Node}/${c.CheckID}`, c.Status);
    }
  }
  const out: ServiceListingSummary[] = [];
  for (const name of [...byName.keys()].sort()) {
    const acc = byName.get(name) as Accumulator;
    const s = acc.sum;
    s.Nodes = [...acc.nodes].sort();
    s.Tags = acc.tags.size > 0 ? [...acc.tags].sort() : null;
    s.ExternalSources = acc.sources.size > 0 ? [...acc.sources] : null;
    for (const status of acc.checks.values()) {
      if (status === 'passing') s.ChecksPassing++;
      else if (status === 'warning') s.ChecksWarning++;
      else if (status === 'critical') s.ChecksCritical++;
    }
    if (s.Kind === '') delete s.Kind; // `json:",omitempty"`
    out.push(s);
  }
  return out;
}

function emptySummary(name: string): ServiceListingSummary {
  return {
    Kind: '',
    Name: name,
    Datacenter: '',
    Tags: null,
    Nodes: [],
    ExternalSources: null,
    InstanceCount: 0,
    ChecksPassing: 0,
    ChecksWarning: 0,
    ChecksCritical: 0,
    GatewayConfig: {},
    TransparentProxy: false,
    ConnectNative: false,
    ConnectedWithProxy: false,
    ConnectedWithGateway: false,
  };
}

/** structs.NodeService as the node dump serializes it (with the Connect fields Consul always emits). */
function nodeServiceJson(s: NodeService): Record<string, unknown> {
  return { ...s, Proxy: { Mode: '', MeshGateway: {}, Expose: {} }, Connect: {}, PeerName: '' };
}

export function nodeInfo(store: StateStore, node: CatalogNode): NodeInfo {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    TaggedAddresses: node.TaggedAddresses,
    Meta: node.Meta,
    Services: nodeServices(store, node.Node).map(nodeServiceJson),
    Checks: nodeChecks(store, node.Node),
  };
}

/** Internal.NodeDump: every node, sorted by name (the table's order). */
export function nodeDump(store: StateStore): NodeInfo[] {
  return [...store.tables.nodes.values()].map((n) => nodeInfo(store, n));
}
