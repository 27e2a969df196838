// The agent's services and checks as operations: add/remove a service or check, TTL updates,
// config loading and reload, persistence, check runners and the critical-service reaper
// (Consul: agent/agent.go AddService, AddCheck, RemoveService, RemoveCheck, updateTTLCheck,
// loadServices/loadChecks, reapServices). Anti-entropy (anti-entropy.ts) then syncs the result.
//
// MUST: script checks run only if allowed: config-file checks need enable_local_script_checks
// (or enable_script_checks), API-registered ones need enable_script_checks.
// MUST: reload replaces only config-defined services and checks; API-registered ones stay.
import { HttpError } from '../errors.js';
import {
  HTTP_TIMEOUT_MS,
  httpProbe,
  IntervalRunner,
  SCRIPT_TIMEOUT_MS,
  scriptProbe,
  tcpProbe,
  TtlCheck,
  type CheckNotifier,
  type CheckRunner,
  type CheckStatus,
  type TimerHandle,
  type Timers,
} from '../checks/index.js';
import { formatGoDuration } from '../support/duration.js';
import type { Logger } from '../support/logger.js';
import {
  checkKind,
  checkTypeName,
  decodeCheck,
  serviceCheckId,
  serviceCheckName,
  type CheckDefinition,
  type ConfigDefinitions,
  type ServiceDefinition,
  type ServiceRecord,
} from './definitions.js';
import { LocalState, type CheckRecord, type Source } from './local-state.js';
import { encodeCheckDefinition, Persistence } from './persist.js';
import { allocateSidecarPort } from './sidecar.js';

export interface LocalAgentOptions {
  nodeName: string;
  dataDir: string;
  enableScriptChecks: boolean;
  enableLocalScriptChecks: boolean;
  outputMaxBytes: number;
  timers: Timers;
  logger: Logger;
  checkUpdateIntervalMs?: number;
}

/** Consul: MinInterval, CheckDeregisterIntervalMin, CheckReapInterval. */
const MIN_INTERVAL_MS = 1000;
const MIN_DEREGISTER_AFTER_MS = 60_000;
const REAP_INTERVAL_MS = 30_000;

export interface AddOptions {
  persist: boolean;
  token?: string;
  replaceExistingChecks?: boolean;
}

export class LocalAgent implements CheckNotifier {
  readonly state: LocalState;
  private readonly runners = new Map<string, CheckRunner>();
  private readonly ttls = new Map<string, TtlCheck>();
  private readonly reapAfter = new Map<string, number>();
  private readonly persistence: Persistence;
  private readonly configServices = new Set<string>();
  private readonly configChecks = new Set<string>();
  private reapTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly o: LocalAgentOptions) {
    this.state = new LocalState(o.nodeName, o.timers, o.checkUpdateIntervalMs);
    this.persistence = new Persistence(o.dataDir);
  }

  get nodeName(): string {
    return this.o.nodeName;
  }

  /** Load config definitions, then what the API registered before the last stop. */
  async start(defs: ConfigDefinitions): Promise<void> {
    await this.loadConfig(defs);
    await this.loadPersisted();
    this.scheduleReap();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.timers.clearTimeout(this.reapTimer);
    for (const r of this.runners.values()) r.stop();
    this.runners.clear();
    this.ttls.clear();
    this.state.stop();
    await this.persistence.flush();
  }

  // ---- services ----

  async addService(def: ServiceDefinition, source: Source, opts: AddOptions): Promise<void> {
    await this.addOneService(def, source, opts);
    if (def.sidecar) await this.addOneService(this.completeSidecar(def.sidecar), source, opts);
  }

  /**
   * A sidecar gets a port from 21000..21255 unused by other local sidecars (keeping its own on
   * re-registration), and Consul's default checks when it brings none: TCP on the public
   * listener every 10s, and an alias of the parent (Consul: agent/sidecar_service.go).
   */
  private completeSidecar(sd: ServiceDefinition): ServiceDefinition {
    const svc = { ...sd.service };
    if (svc.Port === 0) {
      const mine = this.state.service(svc.ID)?.service;
      if (mine && mine.Kind === 'connect-proxy' && mine.Port !== 0) svc.Port = mine.Port;
      else {
        const used = new Set(this.state.services().filter((r) => r.service.Kind === 'connect-proxy' && r.service.ID !== svc.ID).map((r) => r.service.Port));
        svc.Port = allocateSidecarPort(used);
      }
    }
    if (sd.checks.length > 0) return { ...sd, service: svc };
    const parentId = svc.Proxy?.DestinationServiceID ?? '';
    const addr = svc.Address !== '' ? svc.Address : '127.0.0.1';
    const base = decodeCheck({});
    const checks: CheckDefinition[] = [
      { ...base, name: 'Connect Sidecar Listening', tcp: `${addr}:${svc.Port}`, intervalMs: 10_000 },
      { ...base, name: `Connect Sidecar Aliasing ${parentId}`, aliasService: parentId },
    ];
    return { ...sd, service: svc, checks };
  }

  /** IDs of the sidecar a definition brings (for reload bookkeeping). */
  static sidecarIds(def: ServiceDefinition): { service: string; checks: string[] } | undefined {
    const sd = def.sidecar;
    if (!sd) return undefined;
    const n = sd.checks.length > 0 ? sd.checks.length : 2;
    const checks = Array.from({ length: n }, (_, i) => sd.checks[i]?.id || serviceCheckId(sd.service.ID, i, n));
    return { service: sd.service.ID, checks };
  }

  private async addOneService(def: ServiceDefinition, source: Source, opts: AddOptions): Promise<void> {
    const svc = withDefaultTaggedAddresses(def.service);
    const checks = def.checks.map((c, i) => this.serviceCheck(svc, c, i, def.checks.length));
    for (const { def: cd } of checks) this.vetScript(cd, source);
    const newIds = new Set(checks.map((c) => c.record.CheckID));
    if (opts.replaceExistingChecks) {
      for (const c of this.state.checksOfService(svc.ID)) if (!newIds.has(c.check.CheckID)) await this.dropCheck(c.check.CheckID, opts.persist);
    }
    this.state.addService(svc, source, opts.token ?? def.token);
    if (opts.persist) await this.persistence.saveService({ Token: opts.token ?? def.token, Service: svc, Source: 'remote' });
    for (const c of checks) await this.putCheck(c.record, c.def, source, opts);
    this.o.logger.debug(`added service: service=${svc.ID}`);
  }

  async removeService(id: string, persist = true): Promise<void> {
    if (!this.state.service(id)) {
      throw new HttpError(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    }
    for (const c of this.state.checksOfService(id)) await this.dropCheck(c.check.CheckID, persist);
    this.state.removeService(id);
    // Consul removes the sidecar a parent registered along with it.
    const sidecar = this.state.services().find((r) => r.service.Kind === 'connect-proxy' && r.service.ID === `${id}-sidecar-proxy` && r.service.Proxy?.DestinationServiceID === id);
    if (sidecar) await this.removeService(sidecar.service.ID, persist);
    this.configServices.delete(id);
    if (persist) await this.persistence.removeService(id);
    this.o.logger.info(`removed service: service=${id}`);
  }

  // ---- checks ----

  /** A node-level or service check from config or PUT /v1/agent/check/register. */
  async addCheck(def: CheckDefinition, source: Source, opts: AddOptions): Promise<void> {
    const id = def.id || def.name;
    let svc: ServiceRecord | undefined;
    if (def.serviceId !== '') {
      svc = this.state.service(def.serviceId)?.service;
      if (!svc) throw new HttpError(404, `ServiceID "${def.serviceId}" does not exist`);
    }
    this.vetScript(def, source);
    await this.putCheck(this.checkRecord(id, def.name, def, svc), def, source, opts);
  }

  async removeCheck(id: string, persist = true): Promise<void> {
    if (!this.state.check(id)) throw unknownCheck(id);
    await this.dropCheck(id, persist);
  }

  /** pass/warn/fail/update of a TTL check (Consul: updateTTLCheck). */
  updateTtl(id: string, status: CheckStatus, output: string): void {
    if (!this.state.check(id)) throw unknownCheck(id);
    const ttl = this.ttls.get(id);
    if (!ttl) throw new HttpError(500, `CheckID "${id}" does not have associated TTL`);
    ttl.setStatus(status, output);
  }

  /** CheckNotifier: a runner's result. */
  updateCheck(checkId: string, status: CheckStatus, output: string): void {
    if (this.stopped) return;
    this.state.updateCheck(checkId, status, output);
  }

  /** A check without a runner (maintenance), critical from the start. */
  async addStaticCheck(record: CheckRecord, persist: boolean): Promise<void> {
    await this.putCheck(record, undefined, 'local', { persist });
  }

  // ---- config and persistence ----

  /** Apply config definitions: add or update them, remove config ones that are gone (reload). */
  async loadConfig(defs: ConfigDefinitions): Promise<void> {
    const wantSvcs = new Set(defs.services.map((d) => d.service.ID));
    const wantChecks = new Set(defs.checks.map((d) => d.id || d.name));
    for (const d of defs.services) {
      d.checks.forEach((c, i) => wantChecks.add(c.id || serviceCheckId(d.service.ID, i, d.checks.length)));
      const sc = LocalAgent.sidecarIds(d);
      if (sc) {
        wantSvcs.add(sc.service);
        for (const c of sc.checks) wantChecks.add(c);
      }
    }
    for (const id of [...this.configChecks]) if (!wantChecks.has(id) && this.state.check(id)) await this.dropCheck(id, false);
    for (const id of [...this.configServices]) if (!wantSvcs.has(id) && this.state.service(id)) await this.removeService(id, false);
    this.configServices.clear();
    this.configChecks.clear();
    for (const d of defs.services) {
      try {
        await this.addService(d, 'local', { persist: false });
      } catch (err) {
        throw new Error(`Failed to register service "${d.service.Service}": ${(err as Error).message}`);
      }
      this.configServices.add(d.service.ID);
      const sc = LocalAgent.sidecarIds(d);
      if (sc) this.configServices.add(sc.service);
    }
    for (const d of defs.checks) {
      try {
        await this.addCheck(d, 'local', { persist: false });
      } catch (err) {
        throw new Error(`Failed to register check "${d.name}": ${(err as Error).message}`);
      }
      this.configChecks.add(d.id || d.name);
    }
    for (const id of wantChecks) this.configChecks.add(id);
  }

  private async loadPersisted(): Promise<void> {
    for (const p of await this.persistence.loadServices()) {
      if (!p.Service?.ID || this.configServices.has(p.Service.ID)) continue;
      this.state.addService(withDefaultTaggedAddresses(p.Service), 'remote', p.Token ?? '');
    }
    for (const p of await this.persistence.loadChecks()) {
      const rec = p.Check;
      if (!rec?.CheckID || this.configChecks.has(rec.CheckID)) continue;
      if (rec.ServiceID !== '' && !this.state.service(rec.ServiceID)) continue;
      try {
        const def = p.ChkType ? decodeCheck(p.ChkType) : undefined;
        await this.putCheck({ ...rec, Node: this.o.nodeName }, def, 'remote', { persist: false, token: p.Token });
      } catch (err) {
        this.o.logger.warn(`failed to restore check ${rec.CheckID}: ${(err as Error).message}`);
      }
    }
  }

  stats(): { services: number; checks: number; checkMonitors: number; checkTtls: number } {
    let monitors = 0;
    for (const c of this.state.checks()) if (c.def && checkKind(c.def) === 'script') monitors++;
    return { services: this.state.services().length, checks: this.state.checks().length, checkMonitors: monitors, checkTtls: this.ttls.size };
  }

  // ---- internals ----

  private serviceCheck(svc: ServiceRecord, c: CheckDefinition, i: number, n: number): { record: CheckRecord; def: CheckDefinition } {
    const id = c.id || serviceCheckId(svc.ID, i, n);
    const def = { ...c, serviceId: svc.ID };
    return { record: this.checkRecord(id, c.name || serviceCheckName(svc.Service), def, svc), def };
  }

  private checkRecord(id: string, name: string, def: CheckDefinition, svc: ServiceRecord | undefined): CheckRecord {
    return {
      Node: this.o.nodeName,
      CheckID: id,
      Name: name,
      Status: def.status || 'critical',
      Notes: def.notes,
      Output: '',
      ServiceID: svc?.ID ?? '',
      ServiceName: svc?.Service ?? '',
      ServiceTags: svc ? [...svc.Tags] : [],
      Type: checkTypeName(def),
      Interval: def.intervalMs > 0 ? formatGoDuration(def.intervalMs) : '',
      Timeout: def.timeoutMs > 0 ? formatGoDuration(def.timeoutMs) : '',
      ExposedPort: 0,
      Definition: {},
    };
  }

  private vetScript(def: CheckDefinition, source: Source): void {
    if (checkKind(def) !== 'script') return;
    const o = this.o;
    if (source === 'local' && !(o.enableLocalScriptChecks || o.enableScriptChecks)) {
      throw new HttpError(500, "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true");
    }
    if (source === 'remote' && !o.enableScriptChecks) {
      throw new HttpError(500, "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true");
    }
  }

  private async putCheck(record: CheckRecord, def: CheckDefinition | undefined, source: Source, opts: AddOptions): Promise<void> {
    const prev = this.state.check(record.CheckID);
    this.stopRunner(record.CheckID);
    // Re-adding a check keeps its current result (Consul restores check state across reloads).
    const rec = prev && prev.check.Type === record.Type && prev.def ? { ...record, Status: prev.check.Status, Output: prev.check.Output } : record;
    this.state.addCheck(rec, def, source, opts.token ?? '');
    if (def) this.startRunner(rec.CheckID, def);
    if (def && def.deregisterCriticalServiceAfterMs > 0 && rec.ServiceID !== '') {
      this.reapAfter.set(rec.CheckID, Math.max(def.deregisterCriticalServiceAfterMs, MIN_DEREGISTER_AFTER_MS));
    } else this.reapAfter.delete(rec.CheckID);
    if (opts.persist) {
      await this.persistence.saveCheck({ Check: rec, ChkType: def ? encodeCheckDefinition(def) : null, Token: opts.token ?? '', Source: 'remote' });
    }
  }

  private async dropCheck(id: string, persist: boolean): Promise<void> {
    this.stopRunner(id);
    this.reapAfter.delete(id);
    this.state.removeCheck(id);
    this.configChecks.delete(id);
    if (persist) await this.persistence.removeCheck(id);
  }

  private stopRunner(id: string): void {
    this.runners.get(id)?.stop();
    this.runners.delete(id);
    this.ttls.delete(id);
  }

  private startRunner(id: string, def: CheckDefinition): void {
    const o = this.o;
    const max = def.outputMaxSize > 0 ? Math.min(def.outputMaxSize, o.outputMaxBytes) : o.outputMaxBytes;
    const kind = checkKind(def);
    if (kind === 'ttl') {
      const ttl = new TtlCheck(id, def.ttlMs, max, o.timers, this);
      this.ttls.set(id, ttl);
      this.runners.set(id, ttl);
      ttl.start();
      return;
    }
    if (kind === undefined) return;
    if (kind === 'alias') {
      const target = def.aliasService ?? '';
      const runner = new IntervalRunner({ checkId: id, intervalMs: 1000, timers: o.timers, notify: this, probe: async () => this.aliasStatus(target), thresholds: def });
      this.runners.set(id, runner);
      runner.start();
      return;
    }
    let intervalMs = def.intervalMs;
    if (intervalMs < MIN_INTERVAL_MS) {
      o.logger.warn(`check has interval below minimum of ${formatGoDuration(MIN_INTERVAL_MS)}: check=${id}`);
      intervalMs = MIN_INTERVAL_MS;
    }
    const probe =
      kind === 'script'
        ? scriptProbe({ args: def.args, timeoutMs: def.timeoutMs || SCRIPT_TIMEOUT_MS, outputMaxBytes: max, timers: o.timers })
        : kind === 'http'
          ? httpProbe({
              url: def.http,
              method: def.method,
              header: def.header,
              body: def.body,
              tlsSkipVerify: def.tlsSkipVerify,
              tlsServerName: def.tlsServerName,
              disableRedirects: def.disableRedirects,
              timeoutMs: def.timeoutMs || HTTP_TIMEOUT_MS,
              outputMaxBytes: max,
            })
          : tcpProbe({ address: def.tcp, timeoutMs: def.timeoutMs || HTTP_TIMEOUT_MS });
    const runner = new IntervalRunner({ checkId: id, intervalMs, timers: o.timers, notify: this, probe, thresholds: def });
    this.runners.set(id, runner);
    runner.start();
  }

  /** Consul: CheckAlias for a local service: the worst status of its checks, passing when it has none. */
  private aliasStatus(serviceId: string): { status: CheckStatus; output: string } {
    if (!this.state.service(serviceId)) return { status: 'critical', output: `Service ${serviceId} could not be found on node ${this.o.nodeName}` };
    const statuses = this.state.checksOfService(serviceId).map((c) => c.check.Status);
    if (statuses.includes('critical')) return { status: 'critical', output: 'Aliased service has a critical check' };
    if (statuses.includes('warning')) return { status: 'warning', output: 'Aliased service has a warning check' };
    return { status: 'passing', output: 'All checks passing.' };
  }

  private scheduleReap(): void {
    if (this.stopped) return;
    this.reapTimer = this.o.timers.setTimeout(() => {
      void this.reap().finally(() => this.scheduleReap());
    }, REAP_INTERVAL_MS);
  }

  /** Remove services whose check has been critical longer than deregister_critical_service_after. */
  async reap(): Promise<void> {
    const now = this.o.timers.now();
    for (const [checkId, afterMs] of [...this.reapAfter]) {
      const c = this.state.check(checkId);
      if (!c || c.criticalSinceMs === undefined || now - c.criticalSinceMs <= afterMs) continue;
      const sid = c.check.ServiceID;
      if (!this.state.service(sid)) continue;
      this.o.logger.info(`Check for service has been critical for too long; deregistered service: service=${sid} check=${checkId}`);
      await this.removeService(sid, true);
    }
  }
}

function unknownCheck(id: string): HttpError {
  return new HttpError(404, `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`);
}

/** Consul's AddService fills lan_ipv4/wan_ipv4 (or _ipv6) tagged addresses from an IP Address. */
export function withDefaultTaggedAddresses(s: ServiceRecord): ServiceRecord {
  const isV4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(s.Address);
  const isV6 = !isV4 && s.Address.includes(':') && /^[0-9a-fA-F:.]+$/.test(s.Address);
  if (!isV4 && !isV6) return s;
  const tagged = { ...s.TaggedAddresses };
  const suffix = isV4 ? 'ipv4' : 'ipv6';
  for (const k of [`lan_${suffix}`, `wan_${suffix}`]) tagged[k] ??= { Address: s.Address, Port: s.Port };
  return { ...s, TaggedAddresses: tagged };
}
