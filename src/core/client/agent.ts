// Agent endpoints (/v1/agent/...): local to the agent the CLI talks to, not raft-backed.
import { type HttpTransport, parseJson } from './http.js';
import type { HealthCheckEntry } from './health.js';
import type { AgentMember } from '../structs/agent.js';

export type { AgentMember } from '../structs/agent.js';

/** api.AgentServiceCheck: PascalCase check definition sent with a service registration. */
export type AgentServiceCheck = Record<string, unknown>;

/**
 * api.AgentServiceRegistration: the body of PUT /v1/agent/service/register. Only the fields the
 * CLI builds itself are named; definitions read from config files carry the rest (Proxy, Connect...).
 */
export interface AgentServiceRegistration {
  Kind?: string;
  ID?: string;
  Name?: string;
  Tags?: string[];
  Port?: number;
  Address?: string;
  SocketPath?: string;
  TaggedAddresses?: Record<string, { Address: string; Port: number }>;
  EnableTagOverride?: boolean;
  Meta?: Record<string, string>;
  Weights?: { Passing: number; Warning: number };
  Check?: AgentServiceCheck;
  Checks?: AgentServiceCheck[];
  [field: string]: unknown;
}

/** /v1/agent/services value (api.AgentService). */
export interface AgentServiceEntry {
  ID: string;
  Service: string;
  Tags: string[] | null;
  Meta: Record<string, string> | null;
  Port: number;
  Address: string;
  [field: string]: unknown;
}

/** /v1/agent/checks value (api.AgentCheck). */
export type AgentCheck = HealthCheckEntry;

/** Check IDs of the critical checks that maintenance mode registers. */
export const NODE_MAINTENANCE_CHECK = '_node_maintenance';
export const SERVICE_MAINTENANCE_PREFIX = '_service_maintenance:';

/** /v1/agent/self: sections of loosely typed maps (Config, Stats, Member, ...). */
export type AgentSelf = Record<string, Record<string, unknown> | undefined>;

export interface MembersOptions {
  wan?: boolean;
  segment?: string;
  filter?: string;
}

export class AgentApi {
  constructor(private readonly http: HttpTransport) {}

  async self(): Promise<AgentSelf> {
    return parseJson<AgentSelf>(await this.http.sendOk({ method: 'GET', path: '/v1/agent/self', dcScoped: false }));
  }

  async members(opts: MembersOptions = {}): Promise<AgentMember[]> {
    const res = await this.http.sendOk({
      method: 'GET',
      path: '/v1/agent/members',
      dcScoped: false,
      query: { wan: opts.wan ? '1' : undefined, segment: opts.segment || undefined, filter: opts.filter || undefined },
    });
    return parseJson<AgentMember[] | null>(res) ?? [];
  }

  /**
   * api.Agent.Monitor / MonitorJSON: the agent's log lines as they come (without their newline),
   * until the agent ends the stream or `signal` aborts it.
   */
  async *monitor(logLevel: string, json: boolean, signal?: AbortSignal): AsyncGenerator<string> {
    const { body } = await this.http.openStream({
      method: 'GET',
      path: '/v1/agent/monitor',
      query: { loglevel: logLevel, logjson: json ? true : undefined },
      ...(signal ? { signal } : {}),
    });
    yield* splitLines(body);
  }

  /** api.Agent.MetricsStream: one JSON summary per finished metrics interval. */
  async metricsStream(signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const { body } = await this.http.openStream({ method: 'GET', path: '/v1/agent/metrics/stream', ...(signal ? { signal } : {}) });
    return body;
  }

  /** GET /v1/agent/host (api.Agent.Host). */
  async host(): Promise<Record<string, unknown>> {
    return parseJson<Record<string, unknown>>(await this.http.sendOk({ method: 'GET', path: '/v1/agent/host', dcScoped: false }));
  }

  async join(address: string, wan = false): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: `/v1/agent/join/${address}`, dcScoped: false, query: { wan: wan ? '1' : undefined } });
  }

  async leave(): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/agent/leave', dcScoped: false });
  }

  async forceLeave(node: string, opts: { prune?: boolean; wan?: boolean } = {}): Promise<void> {
    await this.http.sendOk({
      method: 'PUT',
      path: `/v1/agent/force-leave/${node}`,
      dcScoped: false,
      query: { prune: opts.prune ? '1' : undefined, wan: opts.wan ? '1' : undefined },
    });
  }

  async reload(): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/agent/reload', dcScoped: false });
  }

  /** The agent's node name (api.Agent.NodeName reads /v1/agent/self). */
  async nodeName(): Promise<string> {
    const self = await this.self();
    const name = self.Config?.['NodeName'];
    return typeof name === 'string' ? name : '';
  }

  /** Services registered with this agent, by ID. */
  async services(filter?: string): Promise<Record<string, AgentServiceEntry>> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/agent/services', dcScoped: false, query: { filter: filter || undefined } });
    return parseJson<Record<string, AgentServiceEntry> | null>(res) ?? {};
  }

  /** Checks registered with this agent, by check ID. */
  async checks(filter?: string): Promise<Record<string, AgentCheck>> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/agent/checks', dcScoped: false, query: { filter: filter || undefined } });
    return parseJson<Record<string, AgentCheck> | null>(res) ?? {};
  }

  async serviceRegister(reg: AgentServiceRegistration): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/agent/service/register', dcScoped: false, body: JSON.stringify(reg) });
  }

  async serviceDeregister(serviceId: string): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: `/v1/agent/service/deregister/${serviceId}`, dcScoped: false });
  }

  /** Node maintenance on: a critical `_node_maintenance` check with `reason` as its notes. */
  async enableNodeMaintenance(reason: string): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/agent/maintenance', dcScoped: false, query: { enable: 'true', reason } });
  }

  async disableNodeMaintenance(): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/agent/maintenance', dcScoped: false, query: { enable: 'false' } });
  }

  async enableServiceMaintenance(serviceId: string, reason: string): Promise<void> {
    await this.http.sendOk({
      method: 'PUT',
      path: `/v1/agent/service/maintenance/${serviceId}`,
      dcScoped: false,
      query: { enable: 'true', reason },
    });
  }

  async disableServiceMaintenance(serviceId: string): Promise<void> {
    await this.http.sendOk({
      method: 'PUT',
      path: `/v1/agent/service/maintenance/${serviceId}`,
      dcScoped: false,
      query: { enable: 'false' },
    });
  }
}

/** Lines of a byte stream, as bufio.Scanner gives them (no trailing newline). */
async function* splitLines(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = '';
  try {
    for await (const chunk of body) {
      rest += chunk.toString('utf8');
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        yield rest.slice(0, nl);
        rest = rest.slice(nl + 1);
      }
    }
  } catch {
    // The agent went away or the caller aborted: the stream ends here, as Go's scanner stops.
    return;
  }
  if (rest !== '') yield rest;
}
