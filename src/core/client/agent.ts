// Agent endpoints (/v1/agent/...): local to the agent the CLI talks to, not raft-backed.
import { type HttpTransport, parseJson } from './http.js';
import type { AgentMember } from '../structs/agent.js';

export type { AgentMember } from '../structs/agent.js';

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
}
