// Services and checks registered through the API survive a restart: with a data dir they are
// written as JSON files under `<data-dir>/services` and `<data-dir>/checks`, one per ID, named
// by the MD5 of the ID as Consul does (agent/agent.go persistService / persistCheck), and read
// back at start. Config-file definitions are not persisted: the config is their source.
//
// MUST: writes are atomic (temporary file + rename) and ordered per file, so a register quickly
// followed by a deregister never leaves a stale file behind.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatGoDuration } from '../support/duration.js';
import type { CheckDefinition, ServiceRecord } from './definitions.js';
import type { CheckRecord } from './local-state.js';

export interface PersistedService {
  Token: string;
  Service: ServiceRecord;
  Source: 'remote';
}

export interface PersistedCheck {
  Check: CheckRecord;
  /** The runner definition in Consul's CheckType JSON shape; null for maintenance checks. */
  ChkType: Record<string, unknown> | null;
  Token: string;
  Source: 'remote';
}

const stringHash = (s: string): string => createHash('md5').update(s).digest('hex');

export class Persistence {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly dataDir: string) {}

  get enabled(): boolean {
    return this.dataDir !== '';
  }

  saveService(p: PersistedService): Promise<void> {
    return this.write('services', p.Service.ID, JSON.stringify(p));
  }

  removeService(id: string): Promise<void> {
    return this.write('services', id, undefined);
  }

  saveCheck(p: PersistedCheck): Promise<void> {
    return this.write('checks', p.Check.CheckID, JSON.stringify(p));
  }

  removeCheck(id: string): Promise<void> {
    return this.write('checks', id, undefined);
  }

  async loadServices(): Promise<PersistedService[]> {
    return (await this.readAll('services')) as PersistedService[];
  }

  async loadChecks(): Promise<PersistedCheck[]> {
    return (await this.readAll('checks')) as PersistedCheck[];
  }

  /** Resolves once every queued write has landed. */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  private write(kind: string, id: string, data: string | undefined): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    const dir = path.join(this.dataDir, kind);
    const file = path.join(dir, stringHash(id));
    const prev = this.queues.get(file) ?? Promise.resolve();
    const next = prev.then(async () => {
      if (data === undefined) return fs.rm(file, { force: true });
      await fs.mkdir(dir, { recursive: true });
      const tmp = `${file}.tmp`;
      await fs.writeFile(tmp, data, { mode: 0o600 });
      await fs.rename(tmp, file);
    });
    const settled = next.catch(() => {});
    this.queues.set(file, settled);
    void settled.then(() => {
      if (this.queues.get(file) === settled) this.queues.delete(file);
    });
    return next;
  }

  private async readAll(kind: string): Promise<unknown[]> {
    if (!this.enabled) return [];
    const dir = path.join(this.dataDir, kind);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return [];
    }
    const out: unknown[] = [];
    for (const n of names.sort()) {
      if (n.endsWith('.tmp')) continue;
      try {
        out.push(JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')));
      } catch {
        // A damaged file is skipped (Consul logs and moves on).
      }
    }
    return out;
  }
}

/** A check definition in Consul's CheckType JSON shape (PascalCase, Go durations), readable by decodeCheck. */
export function encodeCheckDefinition(d: CheckDefinition): Record<string, unknown> {
  const dur = (ms: number): string | undefined => (ms > 0 ? formatGoDuration(ms) : undefined);
  const out: Record<string, unknown> = {
    CheckID: d.id,
    Name: d.name,
    Notes: d.notes,
    Status: d.status,
    ServiceID: d.serviceId,
    ScriptArgs: d.args.length > 0 ? d.args : undefined,
    HTTP: d.http || undefined,
    Method: d.method || undefined,
    Header: Object.keys(d.header).length > 0 ? d.header : undefined,
    Body: d.body || undefined,
    TLSSkipVerify: d.tlsSkipVerify || undefined,
    TLSServerName: d.tlsServerName || undefined,
    DisableRedirects: d.disableRedirects || undefined,
    TCP: d.tcp || undefined,
    TTL: dur(d.ttlMs),
    Interval: dur(d.intervalMs),
    Timeout: dur(d.timeoutMs),
    DeregisterCriticalServiceAfter: dur(d.deregisterCriticalServiceAfterMs),
    OutputMaxSize: d.outputMaxSize || undefined,
    SuccessBeforePassing: d.successBeforePassing || undefined,
    FailuresBeforeWarning: d.failuresBeforeWarning || undefined,
    FailuresBeforeCritical: d.failuresBeforeCritical || undefined,
    AliasService: d.aliasService || undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
