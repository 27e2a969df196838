// The replicated state: every table Consul's FSM writes, plus per-table max indexes and the watch
// registry that wakes blocking queries.
//
// MUST:
// - Pure: no I/O, no clock, no randomness. Every write carries the Raft index it was committed at.
// - Writes go through a WriteTxn: it works on O(1) copy-on-write clones of the tables, so a failing
//   transaction (e.g. /v1/txn rolled back) is simply dropped and readers never see half a write.
// - Table indexes only grow, except through restore() (a snapshot restore may move them back).
import type { CoordinateEntry } from './coordinates.js';
import type { PreparedQuery } from '../query/types.js';
import { newBTree, type BTree } from './btree.js';
import type { DirEntry } from '../structs/kv.js';
import type { CatalogNode, HealthCheck, NodeService } from '../structs/catalog.js';
import type { Session } from '../structs/session.js';
import type { CAConfiguration, CARoot, ConfigEntry } from '../structs/connect.js';
import type { AclPolicy, AclRole, AclToken } from '../structs/acl.js';
import { WatchRegistry } from './watch.js';
import { invariant } from '../support/assert.js';
import { ValuePacker } from './value-pack.js';

export type TableName =
  | 'kvs'
  | 'tombstones'
  | 'nodes'
  | 'services'
  | 'checks'
  | 'sessions'
  | 'connect-ca-roots'
  | 'connect-ca-config'
  | 'config-entries'
  | 'coordinates'
  | 'prepared-queries'
  | 'acl-tokens'
  | 'acl-policies'
  | 'acl-roles'
  | 'acl-token-bootstrap';
export const TABLES: readonly TableName[] = [
  'kvs',
  'tombstones',
  'nodes',
  'services',
  'checks',
  'sessions',
  'connect-ca-roots',
  'connect-ca-config',
  'config-entries',
  'coordinates',
  'prepared-queries',
  'acl-tokens',
  'acl-policies',
  'acl-roles',
  'acl-token-bootstrap',
];

/** The tables, as one immutable-by-convention bundle (a WriteTxn clones it). */
export interface Tables {
  kvs: BTree<string, DirEntry>;
  /** KV key -> index of its deletion; keeps prefix indexes moving forward on deletes. */
  tombstones: BTree<string, number>;
  nodes: BTree<string, CatalogNode>;
  /** `${node}\x00${serviceID}` -> service */
  services: BTree<string, NodeService>;
  /** Secondary index: `${serviceName}\x00${node}\x00${serviceID}` -> node (catalog/health by name). */
  servicesByName: BTree<string, string>;
  /** `${node}\x00${checkID}` -> check */
  checks: BTree<string, HealthCheck>;
  /** session ID -> session */
  sessions: BTree<string, Session>;
  /** Secondary index: `${node}\x00${sessionID}` (Consul: sessions "node" index). */
  sessionsByNode: BTree<string, true>;
  /** Secondary index: `${node}\x00${checkID}\x00${sessionID}` (Consul: the session_checks table). */
  sessionChecks: BTree<string, true>;
  /** Secondary index: `${sessionID}\x00${key}` for keys locked by a session (Consul: kvs "session" index). */
  kvsBySession: BTree<string, true>;
  /** Connect CA roots by ID (state/connect-ca.ts). */
  caRoots: BTree<string, CARoot>;
  /** The CA configuration, one row under key "ca". */
  caConfig: BTree<string, CAConfiguration>;
  /** Config entries: `${kind}\x00${name}` -> entry (state/config-entries.ts). */
  configEntries: BTree<string, ConfigEntry>;
  /** ACL tokens by AccessorID (state/acl.ts). */
  aclTokens: BTree<string, AclToken>;
  /** Secondary index: SecretID -> AccessorID. */
  aclTokenSecrets: BTree<string, string>;
  /** ACL policies by ID, and the unique name index. */
  aclPolicies: BTree<string, AclPolicy>;
  aclPolicyNames: BTree<string, string>;
  /** ACL roles by ID, and the unique name index. */
  aclRoles: BTree<string, AclRole>;
  aclRoleNames: BTree<string, string>;
  /** Network coordinates: `${node}\x00${segment}` -> entry (state/coordinates.ts). */
  coordinates: BTree<string, CoordinateEntry>;
  /** Prepared queries by ID (state/prepared-queries.ts). */
  preparedQueries: BTree<string, PreparedQuery>;
}

export function emptyTables(): Tables {
  return {
    kvs: newBTree(),
    tombstones: newBTree(),
    nodes: newBTree(),
    services: newBTree(),
    servicesByName: newBTree(),
    checks: newBTree(),
    sessions: newBTree(),
    sessionsByNode: newBTree(),
    sessionChecks: newBTree(),
    kvsBySession: newBTree(),
    caRoots: newBTree(),
    caConfig: newBTree(),
    configEntries: newBTree(),
    aclTokens: newBTree(),
    aclTokenSecrets: newBTree(),
    aclPolicies: newBTree(),
    aclPolicyNames: newBTree(),
    aclRoles: newBTree(),
    aclRoleNames: newBTree(),
    coordinates: newBTree(),
    preparedQueries: newBTree(),
  };
}

function cloneTables(t: Tables): Tables {
  return {
    kvs: t.kvs.clone(),
    tombstones: t.tombstones.clone(),
    nodes: t.nodes.clone(),
    services: t.services.clone(),
    servicesByName: t.servicesByName.clone(),
    checks: t.checks.clone(),
    sessions: t.sessions.clone(),
    sessionsByNode: t.sessionsByNode.clone(),
    sessionChecks: t.sessionChecks.clone(),
    kvsBySession: t.kvsBySession.clone(),
    caRoots: t.caRoots.clone(),
    caConfig: t.caConfig.clone(),
    configEntries: t.configEntries.clone(),
    aclTokens: t.aclTokens.clone(),
    aclTokenSecrets: t.aclTokenSecrets.clone(),
    aclPolicies: t.aclPolicies.clone(),
    aclPolicyNames: t.aclPolicyNames.clone(),
    aclRoles: t.aclRoles.clone(),
    aclRoleNames: t.aclRoleNames.clone(),
    coordinates: t.coordinates.clone(),
    preparedQueries: t.preparedQueries.clone(),
  };
}

/**
 * A key whose lock was released by a session invalidation, and the lock-delay that applies to it.
 * The store only reports these; the server stamps them with its own clock (Consul keeps the
 * wall-clock expirations beside the state store, never in the replicated state).
 */
export interface LockDelayNote {
  readonly key: string;
  readonly delayNs: number;
}

/** A write transaction at one Raft index. Functions that write (kvsSetTxn ...) take one. */
export class WriteTxn {
  readonly tables: Tables;
  readonly changedTables = new Set<TableName>();
  readonly changedKeys: string[] = [];
  /** Keys released or deleted by session invalidations in this txn (see LockDelayNote). */
  readonly lockDelays: LockDelayNote[] = [];
  /** KV values written by this txn, packed into one buffer at commit (see value-pack.ts). */
  readonly values = new ValuePacker();

  constructor(
    readonly index: number,
    base: Tables,
  ) {
    this.tables = cloneTables(base);
  }

  /** Services whose instances or service checks changed (by name). */
  readonly changedServices = new Set<string>();
  /** Nodes whose record or node-level checks changed: every service on them changed too. */
  readonly changedNodes = new Set<string>();

  /** Record that `table` changed at this txn's index (and, for KV, which key). */
  touch(table: TableName, kvKey?: string): void {
    this.changedTables.add(table);
    if (kvKey !== undefined) this.changedKeys.push(kvKey);
  }

  /** Record a catalog change that readers of service `name` see (catalog.ts calls this). */
  touchService(name: string): void {
    this.changedServices.add(name);
  }

  /** Record a node-level change: every service on `node` reads differently now. */
  touchNode(node: string): void {
    this.changedNodes.add(node);
  }
}

export class StateStore {
  private current: Tables = emptyTables();
  private readonly indexes = new Map<TableName, number>();
  readonly watches = new WatchRegistry();
  /** The Raft index of the last transaction committed to this store. */
  private lastIndex = 0;
  /**
   * Per service name, the index of the last change its readers see (Consul keeps a
   * "service.<name>" index). Names not here changed at or before `serviceIndexFloor` (the last
   * restore): that index stands for them.
   */
  private readonly serviceIndexes = new Map<string, number>();
  private serviceIndexFloor = 0;
  /** How many restores replaced the tables (an index alone may repeat across a restore). */
  private restores = 0;
  /** Told, after a commit, which keys got a lock-delay (the server owns the clock). */
  private lockDelayListener: ((notes: readonly LockDelayNote[]) => void) | undefined;

  onLockDelay(fn: (notes: readonly LockDelayNote[]) => void): void {
    this.lockDelayListener = fn;
  }

  get tables(): Readonly<Tables> {
    return this.current;
  }

  /** Max index of the named tables (Consul: maxIndexTxn). */
  maxIndex(...tables: TableName[]): number {
    let max = 0;
    for (const t of tables) max = Math.max(max, this.indexes.get(t) ?? 0);
    return max;
  }

  /** The index of the last change to service `name`: its instances, their checks, their nodes. */
  serviceIndex(name: string): number {
    return this.serviceIndexes.get(name) ?? this.serviceIndexFloor;
  }

  /**
   * A number that changes whenever any of `tables` changes, restores included (caches derived from
   * a table, such as compiled ACL authorizers, compare it instead of re-reading the table).
   */
  generation(...tables: TableName[]): number {
    return this.restores * 2 ** 40 + this.maxIndex(...tables);
  }

  get latestIndex(): number {
    return this.lastIndex;
  }

  begin(index: number): WriteTxn {
    return new WriteTxn(index, this.current);
  }

  /** Make the transaction's writes visible, bump the changed tables' indexes, wake watchers. */
  commit(txn: WriteTxn): void {
    invariant(txn.index >= this.lastIndex, `commit at ${txn.index} after ${this.lastIndex}`);
    txn.values.pack(txn.tables.kvs, txn.changedKeys);
    this.current = txn.tables;
    this.lastIndex = txn.index;
    for (const t of txn.changedTables) this.indexes.set(t, txn.index);
    const services = changedServiceNames(txn);
    for (const name of services) this.serviceIndexes.set(name, txn.index);
    if (txn.changedTables.size > 0) this.watches.notify(txn.changedTables, txn.changedKeys, services);
    if (txn.lockDelays.length > 0) this.lockDelayListener?.(txn.lockDelays);
  }

  /** Advance the store's index without writing (entries such as Raft no-ops). */
  noteIndex(index: number): void {
    if (index > this.lastIndex) this.lastIndex = index;
  }

  /** A consistent, immutable view for a snapshot: O(1) clones that later writes do not affect. */
  snapshotView(): { tables: Tables; indexes: Map<TableName, number>; index: number } {
    return { tables: cloneTables(this.current), indexes: new Map(this.indexes), index: this.lastIndex };
  }

  /** Replace everything (snapshot restore), then wake every blocking query. */
  restore(tables: Tables, indexes: Map<TableName, number>, index: number): void {
    this.restores++;
    this.current = tables;
    this.indexes.clear();
    for (const [k, v] of indexes) this.indexes.set(k, v);
    this.lastIndex = Math.max(this.lastIndex, index);
    this.serviceIndexes.clear();
    this.serviceIndexFloor = this.lastIndex;
    this.watches.notifyAll();
  }
}

/** The service names a commit changes for readers: touched ones, and every service on a touched node. */
function changedServiceNames(txn: WriteTxn): Set<string> {
  const names = txn.changedServices;
  for (const node of txn.changedNodes) {
    txn.tables.services.forRange(node + '\x00', node + '\x00\uffff', true, (_k, svc) => void names.add(svc.Service));
  }
  return names;
}
