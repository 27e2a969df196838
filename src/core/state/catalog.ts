// The catalog tables: nodes, services, checks (Consul: agent/consul/state/catalog.go).
//
// MUST: an unchanged re-registration keeps ModifyIndex (anti-entropy re-syncs constantly and
// blocking queries must not wake for nothing); CreateIndex survives updates.
import { deleteNodeCoordinatesTxn } from './coordinates.js';
import type { CatalogNode, DeregisterRequest, HealthCheck, NodeService, RegisterRequest } from '../structs/catalog.js';
import type { StateStore, Tables, WriteTxn } from './store.js';
import { invalidateCheckSessionsTxn, invalidateNodeSessionsTxn } from './sessions.js';

const SEP = '\x00';
export const serviceKey = (node: string, id: string): string => node + SEP + id;
const byNameKey = (name: string, node: string, id: string): string => name + SEP + node + SEP + id;

/** Put or remove a service together with its by-name index entry. */
export function putService(t: Tables, node: string, svc: NodeService): void {
  const key = serviceKey(node, svc.ID);
  const old = t.services.get(key);
  if (old && old.Service !== svc.Service) t.servicesByName.delete(byNameKey(old.Service, node, old.ID));
  t.services.set(key, svc);
  t.servicesByName.set(byNameKey(svc.Service, node, svc.ID), node);
}

function removeService(txn: WriteTxn, key: string): boolean {
  const t = txn.tables;
  const old = t.services.get(key);
  if (!old) return false;
  txn.touchService(old.Service);
  t.services.delete(key);
  t.servicesByName.delete(byNameKey(old.Service, key.slice(0, key.indexOf(SEP)), old.ID));
  return true;
}
const nodeRangeEnd = (node: string): string => node + SEP + '\uffff';

export class CatalogError extends Error {}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function upsert<T extends { CreateIndex: number; ModifyIndex: number }>(
  existing: T | undefined,
  value: Omit<T, 'CreateIndex' | 'ModifyIndex'>,
  index: number,
): T | undefined {
  if (existing) {
    const { CreateIndex: _c, ModifyIndex: _m, ...rest } = existing;
    if (sameJson(rest, value)) return undefined;
  }
  return { ...value, CreateIndex: existing ? existing.CreateIndex : index, ModifyIndex: index } as T;
}

export function ensureRegistrationTxn(txn: WriteTxn, req: RegisterRequest): void {
  const t = txn.tables;
  const existingNode = t.nodes.get(req.Node);
  if (!req.SkipNodeUpdate || !existingNode) {
    const node = upsert<CatalogNode>(
      existingNode,
      {
        ID: req.ID,
        Node: req.Node,
        Address: req.Address,
        Datacenter: req.Datacenter,
        TaggedAddresses: req.TaggedAddresses,
        Meta: req.NodeMeta,
      },
      txn.index,
    );
    if (node) {
      t.nodes.set(req.Node, node);
      txn.touch('nodes');
      txn.touchNode(req.Node);
    }
  }
  if (req.Service) {
    const key = serviceKey(req.Node, req.Service.ID);
    const prev = t.services.get(key);
    const svc = upsert<NodeService>(prev, req.Service, txn.index);
    if (svc) {
      putService(t, req.Node, svc);
      txn.touch('services');
      txn.touchService(svc.Service);
      if (prev && prev.Service !== svc.Service) txn.touchService(prev.Service);
    }
  }
  for (const check of req.Checks) ensureCheckTxn(txn, check);
}

export function ensureCheckTxn(txn: WriteTxn, check: Omit<HealthCheck, 'CreateIndex' | 'ModifyIndex'>): void {
  const t = txn.tables;
  if (!t.nodes.has(check.Node)) throw new CatalogError(`Missing node registration`);
  let value = check;
  if (check.ServiceID !== '') {
    const svc = t.services.get(serviceKey(check.Node, check.ServiceID));
    if (!svc) throw new CatalogError(`Missing service registration`);
    value = { ...check, ServiceName: svc.Service, ServiceTags: svc.Tags };
  }
  const key = serviceKey(check.Node, check.CheckID);
  const next = upsert<HealthCheck>(t.checks.get(key), value, txn.index);
  if (next) {
    t.checks.set(key, next);
    txn.touch('checks');
    if (value.ServiceID !== '') txn.touchService(value.ServiceName);
    else txn.touchNode(check.Node);
  }
  // Consul: ensureCheckTxn invalidates the sessions tied to a check that is critical, in the
  // same transaction as the check update.
  if (check.Status === 'critical') invalidateCheckSessionsTxn(txn, check.Node, check.CheckID);
}

function deleteChecksWhere(txn: WriteTxn, node: string, pred: (c: HealthCheck) => boolean): void {
  const dead: string[] = [];
  txn.tables.checks.forRange(node + SEP, nodeRangeEnd(node), true, (k, c) => void (pred(c) && dead.push(k)));
  for (const k of dead) {
    const c = txn.tables.checks.get(k);
    if (c?.ServiceID) txn.touchService(c.ServiceName);
    else txn.touchNode(node);
    txn.tables.checks.delete(k);
    invalidateCheckSessionsTxn(txn, node, k.slice(node.length + 1));
  }
  if (dead.length > 0) txn.touch('checks');
}

export function deregisterTxn(txn: WriteTxn, req: DeregisterRequest): void {
  const t = txn.tables;
  if (req.ServiceID === '' && req.CheckID === '') {
    if (!t.nodes.delete(req.Node)) return;
    txn.touch('nodes');
    txn.touchNode(req.Node);
    deleteNodeCoordinatesTxn(txn, req.Node);
    invalidateNodeSessionsTxn(txn, req.Node);
    const svcs: string[] = [];
    t.services.forRange(req.Node + SEP, nodeRangeEnd(req.Node), true, (k) => void svcs.push(k));
    for (const k of svcs) removeService(txn, k);
    if (svcs.length > 0) txn.touch('services');
    deleteChecksWhere(txn, req.Node, () => true);
    return;
  }
  if (req.ServiceID !== '') {
    if (removeService(txn, serviceKey(req.Node, req.ServiceID))) txn.touch('services');
    deleteChecksWhere(txn, req.Node, (c) => c.ServiceID === req.ServiceID);
  }
  const gone = req.CheckID !== '' ? t.checks.get(serviceKey(req.Node, req.CheckID)) : undefined;
  if (gone && t.checks.delete(serviceKey(req.Node, req.CheckID))) {
    txn.touch('checks');
    if (gone.ServiceID) txn.touchService(gone.ServiceName);
    else txn.touchNode(req.Node);
    invalidateCheckSessionsTxn(txn, req.Node, req.CheckID);
  }
}

// ---- reads ----

export function catalogIndex(store: StateStore): number {
  return store.maxIndex('nodes', 'services', 'checks');
}

export function listNodes(store: StateStore): CatalogNode[] {
  return [...store.tables.nodes.values()];
}

export function getNode(store: StateStore, name: string): CatalogNode | undefined {
  return store.tables.nodes.get(name);
}

/** Service name -> union of tags over its instances, sorted by name. */
export function listServices(store: StateStore, nodeFilter?: (node: string) => boolean): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [key, s] of store.tables.services.entries()) {
    if (nodeFilter && !nodeFilter(key.slice(0, key.indexOf(SEP)))) continue;
    let tags = out.get(s.Service);
    if (!tags) out.set(s.Service, (tags = new Set()));
    for (const tag of s.Tags) tags.add(tag);
  }
  const sorted = new Map<string, string[]>();
  for (const name of [...out.keys()].sort()) sorted.set(name, [...(out.get(name) ?? [])]);
  return sorted;
}

export interface ServiceInstance {
  node: CatalogNode;
  service: NodeService;
}

/** Instances of a service name whose tags include every tag in `tags` (case-insensitive, as Consul). */
export function serviceInstances(store: StateStore, name: string, tags: readonly string[] = []): ServiceInstance[] {
  const out: ServiceInstance[] = [];
  const wanted = tags.map((t) => t.toLowerCase());
  const t = store.tables;
  const prefix = name + SEP;
  t.servicesByName.forRange(prefix, prefix + '\uffff', true, (key, node) => {
    const s = t.services.get(serviceKey(node, key.slice(prefix.length + node.length + 1)));
    if (!s) return;
    if (wanted.length > 0) {
      const have = new Set(s.Tags.map((x) => x.toLowerCase()));
      if (!wanted.every((x) => have.has(x))) return;
    }
    const n = t.nodes.get(node);
    if (n) out.push({ node: n, service: s });
  });
  return out;
}

export function nodeServices(store: StateStore, node: string): NodeService[] {
  const out: NodeService[] = [];
  store.tables.services.forRange(node + SEP, nodeRangeEnd(node), true, (_k, s) => void out.push(s));
  return out;
}

export function nodeChecks(store: StateStore, node: string): HealthCheck[] {
  const out: HealthCheck[] = [];
  store.tables.checks.forRange(node + SEP, nodeRangeEnd(node), true, (_k, c) => void out.push(c));
  return out;
}

export function serviceChecks(store: StateStore, name: string): HealthCheck[] {
  return [...store.tables.checks.values()].filter((c) => c.ServiceName === name);
}
