// The agent's own services and checks, and what of them the catalog already has (Consul:
// agent/local/state.go). The agent is the source of truth for its node: anti-entropy pushes
// every entry that is not in sync and deletes what the agent no longer has.
//
// MUST: a removal only marks the entry `deleted`; it disappears once the catalog confirmed the
// deregistration (so a failed sync is retried, never forgotten).
// MUST: a status change asks for a sync at once; an output-only change is deferred by
// check_update_interval (Consul's default 5m), as Consul does to spare the servers.
// Threading: every method runs on the event loop; listeners run synchronously after a change.
import type { CheckStatus } from '../checks/status-rules.js';
import type { TimerHandle, Timers } from '../checks/timers.js';
import type { HealthCheck } from '../structs/catalog.js';
import type { CheckDefinition, ServiceRecord } from './definitions.js';

/** Where a definition came from (Consul: ConfigSourceLocal = config files, Remote = HTTP API). */
export type Source = 'local' | 'remote';

export type CheckRecord = Omit<HealthCheck, 'CreateIndex' | 'ModifyIndex'>;

export interface ServiceEntry {
  service: ServiceRecord;
  source: Source;
  token: string;
  inSync: boolean;
  deleted: boolean;
}

export interface CheckEntry {
  check: CheckRecord;
  /** The runner definition; undefined for checks without one (maintenance). */
  def: CheckDefinition | undefined;
  source: Source;
  token: string;
  inSync: boolean;
  deleted: boolean;
  /** Pending deferred sync of an output-only change. */
  deferTimer: TimerHandle | undefined;
  /** When the check last became critical (for deregister_critical_service_after). */
  criticalSinceMs: number | undefined;
}

/** Consul: check_update_interval default. */
export const CHECK_UPDATE_INTERVAL_MS = 5 * 60_000;

export class LocalState {
  private readonly svcs = new Map<string, ServiceEntry>();
  private readonly chks = new Map<string, CheckEntry>();
  private readonly listeners = new Set<() => void>();
  /** Set by anti-entropy: asks for a partial sync soon. */
  onSyncNeeded: () => void = () => {};

  constructor(
    readonly nodeName: string,
    private readonly timers: Timers,
    private readonly checkUpdateIntervalMs = CHECK_UPDATE_INTERVAL_MS,
  ) {}

  // ---- services ----

  addService(service: ServiceRecord, source: Source, token = ''): void {
    this.svcs.set(service.ID, { service, source, token, inSync: false, deleted: false });
    // A re-registered service re-tags its checks (ServiceName/ServiceTags follow the service).
    for (const c of this.chks.values()) {
      if (c.deleted || c.check.ServiceID !== service.ID) continue;
      c.check = { ...c.check, ServiceName: service.Service, ServiceTags: [...service.Tags] };
      c.inSync = false;
    }
    this.changed();
  }

  /** Mark a service deleted; false when there is no such (live) service. */
  removeService(id: string): boolean {
    const s = this.svcs.get(id);
    if (!s || s.deleted) return false;
    s.deleted = true;
    s.inSync = false;
    this.changed();
    return true;
  }

  service(id: string): ServiceEntry | undefined {
    const s = this.svcs.get(id);
    return s && !s.deleted ? s : undefined;
  }

  services(): ServiceEntry[] {
    return [...this.svcs.values()].filter((s) => !s.deleted);
  }

  // ---- checks ----

  addCheck(check: CheckRecord, def: CheckDefinition | undefined, source: Source, token = ''): void {
    const old = this.chks.get(check.CheckID);
    if (old) this.timers.clearTimeout(old.deferTimer);
    const svc = check.ServiceID !== '' ? this.service(check.ServiceID) : undefined;
    const rec: CheckRecord = svc ? { ...check, ServiceName: svc.service.Service, ServiceTags: [...svc.service.Tags] } : check;
    this.chks.set(check.CheckID, {
      check: rec,
      def,
      source,
      token,
      inSync: false,
      deleted: false,
      deferTimer: undefined,
      criticalSinceMs: rec.Status === 'critical' ? this.timers.now() : undefined,
    });
    this.changed();
  }

  removeCheck(id: string): boolean {
    const c = this.chks.get(id);
    if (!c || c.deleted) return false;
    this.timers.clearTimeout(c.deferTimer);
    c.deferTimer = undefined;
    c.deleted = true;
    c.inSync = false;
    this.changed();
    return true;
  }

  check(id: string): CheckEntry | undefined {
    const c = this.chks.get(id);
    return c && !c.deleted ? c : undefined;
  }

  checks(): CheckEntry[] {
    return [...this.chks.values()].filter((c) => !c.deleted);
  }

  checksOfService(serviceId: string): CheckEntry[] {
    return this.checks().filter((c) => c.check.ServiceID === serviceId);
  }

  /** A runner's or the API's new result (Consul: State.UpdateCheck). */
  updateCheck(id: string, status: CheckStatus, output: string): void {
    const c = this.check(id);
    if (!c) return;
    const prev = c.check;
    if (prev.Status === status && prev.Output === output) return;
    if (status === 'critical' && prev.Status !== 'critical') c.criticalSinceMs = this.timers.now();
    if (status !== 'critical') c.criticalSinceMs = undefined;
    if (this.checkUpdateIntervalMs > 0 && prev.Status === status) {
      c.check = { ...prev, Output: output };
      if (!c.deferTimer) {
        const d = this.checkUpdateIntervalMs;
        c.deferTimer = this.timers.setTimeout(() => {
          c.deferTimer = undefined;
          if (c.deleted) return;
          c.inSync = false;
          this.onSyncNeeded();
        }, d / 2 + this.timers.random() * d);
      }
      this.notify();
      return;
    }
    this.timers.clearTimeout(c.deferTimer);
    c.deferTimer = undefined;
    c.check = { ...prev, Status: status, Output: output };
    c.inSync = false;
    this.changed();
  }

  // ---- what anti-entropy walks (deleted entries included) ----

  allServices(): ReadonlyMap<string, ServiceEntry> {
    return this.svcs;
  }

  allChecks(): ReadonlyMap<string, CheckEntry> {
    return this.chks;
  }

  /** A catalog entry this agent does not have: remember it so the next sync deletes it. */
  markRemoteServiceForDeletion(service: ServiceRecord): void {
    this.svcs.set(service.ID, { service, source: 'remote', token: '', inSync: false, deleted: true });
  }

  markRemoteCheckForDeletion(check: CheckRecord): void {
    this.chks.set(check.CheckID, { check, def: undefined, source: 'remote', token: '', inSync: false, deleted: true, deferTimer: undefined, criticalSinceMs: undefined });
  }

  /** The catalog confirmed a deregistration: forget the entry. */
  pruneService(id: string): void {
    const s = this.svcs.get(id);
    if (s?.deleted) this.svcs.delete(id);
  }

  pruneCheck(id: string): void {
    const c = this.chks.get(id);
    if (c?.deleted) this.chks.delete(id);
  }

  // ---- change notification (hash-blocking endpoints, sync trigger) ----

  /** Call `fn` once on the next change; returns a cancel function. */
  onChangeOnce(fn: () => void): () => void {
    const wrapped = (): void => {
      this.listeners.delete(wrapped);
      fn();
    };
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  stop(): void {
    for (const c of this.chks.values()) this.timers.clearTimeout(c.deferTimer);
  }

  private changed(): void {
    this.notify();
    this.onSyncNeeded();
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }
}
