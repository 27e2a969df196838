// Anti-entropy: keeps the catalog's view of this node equal to the agent's local state
// (Consul: agent/ae/ae.go StateSyncer + agent/local/state.go updateSyncState/SyncChanges).
//
// States: idle -> full sync (diff against the catalog, then push) at start and every interval
// (1m plus a random stagger, as Consul for a small cluster), partial sync (push what is out of
// sync) right after a local change. A failed sync is retried after 15s. When the node may have
// been dropped from the catalog behind its back (it refuted a notice that it was dead or gone), a
// full sync follows within Consul's server-up interval (3 s, agent/ae/ae.go serverUpIntv) at a
// random point, so that many agents coming back at once do not hit the servers together.
// MUST: at most one sync runs at a time; triggers during a run coalesce into one more run.
// MUST: never delete the `serfHealth` check, nor the `consul` service on servers: the leader owns them.
import type { CheckRecord, LocalState } from './local-state.js';
import type { FsmCommand } from '../fsm/commands.js';
import type { FsmResult } from '../fsm/fsm.js';
import type { CatalogNode, HealthCheck, NodeService, RegisterRequest } from '../structs/catalog.js';
import type { TimerHandle, Timers } from '../checks/timers.js';
import type { Logger } from '../support/logger.js';
import type { ServiceRecord } from './definitions.js';

/** What anti-entropy needs from the servers: read this node's catalog entries and write. */
export interface NodeView {
  node: CatalogNode | undefined;
  services: NodeService[];
  checks: HealthCheck[];
}

export interface CatalogPort {
  /** The node as the catalog has it: synchronous on a server, an RPC on a client agent. */
  read(node: string): NodeView | Promise<NodeView>;
  apply(cmd: FsmCommand): Promise<FsmResult>;
}

/** The node fields the agent registers (the leader registers the same ones, see server/leader.ts). */
export interface NodeInfo {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  NodeMeta: Record<string, string>;
}

export interface AntiEntropyOptions {
  state: LocalState;
  /** undefined while no server is reachable (a client before gossip). */
  catalog: () => CatalogPort | undefined;
  nodeInfo: () => NodeInfo;
  timers: Timers;
  isServer: boolean;
  logger: Logger;
  intervalMs?: number;
  retryMs?: number;
  /** The window a staggered full sync is spread over (Consul's serverUpInterval, 3 s). */
  serverUpIntervalMs?: number;
}

const SERF_CHECK_ID = 'serfHealth';
const CONSUL_SERVICE_ID = 'consul';

export class AntiEntropy {
  private timer: TimerHandle | undefined;
  private staggerTimer: TimerHandle | undefined;
  private running = false;
  private stopped = true;
  private wantFull = false;
  private wantPartial = false;
  private nodeInSync = false;
  private nextFullAtMs = 0;
  /** Sync requests made / covered by a finished run (syncNow waits on these). */
  private requested = 0;
  private completed = 0;
  /** Resolvers of callers waiting for the next completed sync (tests, shutdown). */
  private waiters: (() => void)[] = [];

  constructor(private readonly o: AntiEntropyOptions) {
    o.state.onSyncNeeded = () => this.trigger();
  }

  start(): void {
    this.stopped = false;
    this.wantFull = true;
    this.kick(0);
  }

  stop(): void {
    this.stopped = true;
    this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.o.timers.clearTimeout(this.staggerTimer);
    this.staggerTimer = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Ask for a partial sync (a local change). */
  trigger(): void {
    if (this.stopped) return;
    this.wantPartial = true;
    if (!this.running) this.kick(0);
  }

  /**
   * Ask for a full sync at a random point within the server-up interval (Consul: SyncFull.Trigger,
   * then stagger(serverUpInterval)). Asks while one is pending join it.
   */
  triggerFullStaggered(): void {
    if (this.stopped || this.staggerTimer !== undefined) return;
    const delayMs = this.o.timers.random() * (this.o.serverUpIntervalMs ?? 3_000);
    this.staggerTimer = this.o.timers.setTimeout(() => {
      this.staggerTimer = undefined;
      this.triggerFull();
    }, delayMs);
  }

  /** Ask for a full sync soon (e.g. after reload). */
  triggerFull(): void {
    if (this.stopped) return;
    this.wantFull = true;
    if (!this.running) this.kick(0);
  }

  /**
   * Push local changes now and wait for the attempt to finish (Consul's HTTP handlers call
   * syncChanges before answering, so a client that reads the catalog next sees its write).
   * A failure is only logged: the write is in local state and anti-entropy retries.
   */
  async syncNow(): Promise<void> {
    if (this.stopped) return;
    const want = ++this.requested;
    this.wantPartial = true;
    if (!this.running) this.kick(0);
    while (this.completed < want && !this.stopped) await this.settled();
  }

  /** Resolves after the next sync attempt finishes. */
  settled(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  private kick(ms: number): void {
    this.o.timers.clearTimeout(this.timer);
    this.timer = this.o.timers.setTimeout(() => void this.run(), ms);
  }

  private nextFullDelay(): number {
    const interval = this.o.intervalMs ?? 60_000;
    return interval + this.o.timers.random() * interval;
  }

  private async run(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    const gen = this.requested;
    const full = this.wantFull || this.o.timers.now() >= this.nextFullAtMs;
    this.wantFull = false;
    this.wantPartial = false;
    let ok = true;
    try {
      const catalog = this.o.catalog();
      if (!catalog) throw new Error('No known Consul servers');
      if (full) await this.updateSyncState(catalog);
      await this.syncChanges(catalog);
    } catch (err) {
      ok = false;
      const log = this.o.catalog() ? this.o.logger.warn.bind(this.o.logger) : this.o.logger.debug.bind(this.o.logger);
      log(`failed to sync ${full ? 'remote state' : 'changes'}: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
    this.completed = Math.max(this.completed, gen);
    for (const w of this.waiters.splice(0)) w();
    if (this.stopped) return;
    if (!ok) {
      if (full) this.wantFull = true;
      else this.wantPartial = true;
      // A caller waiting in syncNow gets one fresh attempt; otherwise back off.
      this.kick(this.requested > gen ? 0 : (this.o.retryMs ?? 15_000));
      return;
    }
    if (full) this.nextFullAtMs = this.o.timers.now() + this.nextFullDelay();
    if (this.wantFull || this.wantPartial) this.kick(0);
    else this.kick(Math.max(0, this.nextFullAtMs - this.o.timers.now()));
  }

  /** Compare the catalog with the local state and flag every difference (Consul: updateSyncState). */
  async updateSyncState(catalog: CatalogPort): Promise<void> {
    const st = this.o.state;
    const remote = await catalog.read(st.nodeName);
    this.nodeInSync = remote.node !== undefined && sameNode(remote.node, this.o.nodeInfo());
    const remoteSvcs = new Map(remote.services.map((s) => [s.ID, s]));
    for (const [id, rs] of remoteSvcs) {
      const ls = st.allServices().get(id);
      if (!ls) {
        if (this.o.isServer && id === CONSUL_SERVICE_ID) continue;
        st.markRemoteServiceForDeletion(stripIndexes(rs));
        continue;
      }
      if (ls.deleted) continue;
      ls.inSync = sameService(ls.service, rs);
    }
    for (const [id, ls] of st.allServices()) {
      if (remoteSvcs.has(id)) continue;
      if (ls.deleted) st.pruneService(id);
      else ls.inSync = false;
    }
    const remoteChecks = new Map(remote.checks.map((c) => [c.CheckID, c]));
    for (const [id, rc] of remoteChecks) {
      const lc = st.allChecks().get(id);
      if (!lc) {
        if (id === SERF_CHECK_ID) continue;
        st.markRemoteCheckForDeletion(stripIndexes(rc));
        continue;
      }
      if (lc.deleted) continue;
      // A deferred output-only change is not a difference yet (Consul: DeferCheck).
      lc.inSync = sameCheck(lc.check, rc, lc.deferTimer !== undefined);
    }
    for (const [id, lc] of st.allChecks()) {
      if (remoteChecks.has(id)) continue;
      if (lc.deleted) st.pruneCheck(id);
      else lc.inSync = false;
    }
  }

  /** Push everything out of sync (Consul: SyncChanges): deletions first, then registrations. */
  async syncChanges(catalog: CatalogPort): Promise<void> {
    const st = this.o.state;
    for (const [id, s] of [...st.allServices()]) {
      if (!s.deleted) continue;
      await this.apply(catalog, { t: 'deregister', v: 1, req: { Node: st.nodeName, ServiceID: id, CheckID: '' } });
      st.pruneService(id);
      // The catalog dropped the service's checks with it.
      for (const [cid, c] of [...st.allChecks()]) if (c.deleted && c.check.ServiceID === id) st.pruneCheck(cid);
    }
    for (const [id, c] of [...st.allChecks()]) {
      if (!c.deleted) continue;
      await this.apply(catalog, { t: 'deregister', v: 1, req: { Node: st.nodeName, ServiceID: '', CheckID: id } });
      st.pruneCheck(id);
    }
    for (const [id, s] of [...st.allServices()]) {
      if (s.deleted || s.inSync) continue;
      await this.syncService(catalog, id);
    }
    for (const [id, c] of [...st.allChecks()]) {
      if (c.deleted || c.inSync) continue;
      await this.syncCheck(catalog, id);
    }
    if (!this.nodeInSync) {
      await this.apply(catalog, { t: 'register', v: 1, req: this.registerRequest(null, []) });
      this.nodeInSync = true;
    }
  }

  private async syncService(catalog: CatalogPort, id: string): Promise<void> {
    const st = this.o.state;
    const s = st.allServices().get(id);
    if (!s || s.deleted) return;
    const checks = st.checksOfService(id);
    const sentChecks = checks.map((c) => ({ entry: c, record: c.check }));
    const sent = s.service;
    await this.apply(catalog, { t: 'register', v: 1, req: this.registerRequest(sent, sentChecks.map((c) => c.record)) });
    this.nodeInSync = true;
    // Only what was sent is in sync: a change made while the write was in flight stays dirty.
    if (s.service === sent && !s.deleted) s.inSync = true;
    for (const c of sentChecks) if (c.entry.check === c.record && !c.entry.deleted) c.entry.inSync = true;
  }

  private async syncCheck(catalog: CatalogPort, id: string): Promise<void> {
    const st = this.o.state;
    const c = st.allChecks().get(id);
    if (!c || c.deleted) return;
    const svc = c.check.ServiceID !== '' ? st.service(c.check.ServiceID) : undefined;
    if (c.check.ServiceID !== '' && !svc) return; // its service is gone; the check goes with it
    const sent = c.check;
    await this.apply(catalog, { t: 'register', v: 1, req: this.registerRequest(svc ? svc.service : null, [sent]) });
    this.nodeInSync = true;
    if (c.check === sent && !c.deleted) c.inSync = true;
  }

  private registerRequest(service: ServiceRecord | null, checks: CheckRecord[]): RegisterRequest {
    const n = this.o.nodeInfo();
    return { ...n, Service: service, Checks: checks, SkipNodeUpdate: this.nodeInSync };
  }

  private async apply(catalog: CatalogPort, cmd: FsmCommand): Promise<void> {
    this.o.logger.debug(describe(cmd));
    const r = await catalog.apply(cmd);
    if (r.t === 'error') throw new Error(r.message);
  }
}

function describe(cmd: FsmCommand): string {
  if (cmd.t === 'deregister') return `deregistering: service=${cmd.req.ServiceID} check=${cmd.req.CheckID}`;
  if (cmd.t !== 'register') return cmd.t;
  const checks = cmd.req.Checks.map((c) => `${c.CheckID}(${c.Status})`).join(',');
  return cmd.req.Service ? `synced service: service=${cmd.req.Service.ID} checks=${checks}` : checks ? `synced check: ${checks}` : 'synced node info';
}

function stripIndexes<T extends { CreateIndex: number; ModifyIndex: number }>(v: T): Omit<T, 'CreateIndex' | 'ModifyIndex'> {
  const { CreateIndex: _c, ModifyIndex: _m, ...rest } = v;
  return rest;
}

const json = (v: unknown): string => JSON.stringify(v);

function sameNode(a: CatalogNode, b: NodeInfo): boolean {
  return a.ID === b.ID && a.Address === b.Address && json(sortKeys(a.TaggedAddresses)) === json(sortKeys(b.TaggedAddresses)) && json(sortKeys(a.Meta)) === json(sortKeys(b.NodeMeta));
}

/** Consul: NodeService.IsSame. */
export function sameService(a: ServiceRecord, b: ServiceRecord): boolean {
  return (
    a.ID === b.ID &&
    a.Service === b.Service &&
    a.Kind === b.Kind &&
    a.Address === b.Address &&
    a.Port === b.Port &&
    a.EnableTagOverride === b.EnableTagOverride &&
    json(a.Tags) === json(b.Tags) &&
    json(sortKeys(a.Meta)) === json(sortKeys(b.Meta)) &&
    json(sortKeys(a.TaggedAddresses)) === json(sortKeys(b.TaggedAddresses)) &&
    a.Weights.Passing === b.Weights.Passing &&
    a.Weights.Warning === b.Weights.Warning &&
    json(a.Proxy ?? null) === json(b.Proxy ?? null) &&
    json(a.Connect ?? null) === json(b.Connect ?? null)
  );
}

/** Consul: HealthCheck.IsSame (output ignored while an output-only update is deferred). */
export function sameCheck(a: CheckRecord, b: CheckRecord, ignoreOutput = false): boolean {
  return (
    a.CheckID === b.CheckID &&
    a.Name === b.Name &&
    a.Status === b.Status &&
    a.Notes === b.Notes &&
    (ignoreOutput || a.Output === b.Output) &&
    a.ServiceID === b.ServiceID &&
    a.ServiceName === b.ServiceName &&
    json(a.ServiceTags) === json(b.ServiceTags) &&
    a.Type === b.Type &&
    a.Interval === b.Interval &&
    a.Timeout === b.Timeout
  );
}

function sortKeys<T>(o: Record<string, T>): [string, T][] {
  return Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
