// What HTTP handlers may use: the agent's facade and, on servers, the server role.
import type { RuntimeConfig } from '../config/index.js';
import { Errors } from '../errors.js';
import type { Server } from '../server/index.js';
import type { QueryLimits } from './blocking.js';
import type { Forwarder, ForwardReply, ForwardRequest } from './forward.js';
import { ResponseCache } from './response-cache.js';
import type { AgentMember } from '../structs/agent.js';
import type { KeyringResponse } from '../structs/operator.js';
import type { LocalAgent } from '../agent/local-agent.js';
import type { UserEvents } from '../agent/events.js';
import type { LogFanout } from '../support/log-fanout.js';
import type { Logger } from '../support/logger.js';
import type { AclResolver } from '../acl/index.js';
import type { AuditLog } from '../audit/index.js';
import type { AgentTokens } from '../acl/agent-tokens.js';
import type { TokenResolver } from '../acl/resolver.js';

/** The ACL system's agent-side pieces the /v1/acl/* and /v1/agent/token/* handlers use. */
export interface AclAgent {
  readonly resolver: TokenResolver;
  readonly tokens: AgentTokens;
  readonly log: Logger;
}
import type { Coordinate } from '../gossip/serf/coordinate.js';

export type Member = AgentMember;

export type KeyringOp = 'list' | 'install' | 'use' | 'remove';

/** structs.KeyringResponse: one pool's aggregated answer to a keyring query, plus its error. */
export interface KeyringResult extends KeyringResponse {
  /** Set when a node failed or did not answer (dropped from the HTTP answer, reported as an error). */
  Error?: string;
}

/** The agent as the HTTP API sees it (src/core/agent implements it). */
export interface AgentFacade {
  readonly config: RuntimeConfig;
  readonly nodeId: string;
  readonly server: Server | undefined;
  self(): Record<string, unknown>;
  members(wan: boolean): Member[];
  /** Servers: the WAN members' network coordinates, ours included (for /v1/coordinate/datacenters). */
  wanCoordinates?(): { name: string; dc: string; coord: Coordinate }[];
  /** Graceful leave, then shutdown; resolves once the leave is done (the process exits after). */
  leave(): Promise<void>;
  join(addr: string, wan: boolean): Promise<number>;
  reload(): Promise<void>;
  /** Consul's force-leave: a failed (or any) member is moved to left; `prune` forgets it at once. */
  forceLeave(node: string, prune: boolean, wan: boolean): Promise<void>;
  /** A keyring operation across the LAN and (on servers) WAN pools, one result per pool. */
  keyringOperation(op: KeyringOp, key: string, relayFactor: number): Promise<KeyringResult[]>;
  /** The agent's own services and checks (src/core/agent/local-agent.ts). */
  readonly local: LocalAgent;
  /** User events this agent fired or received (src/core/agent/events.ts). */
  readonly events: UserEvents;
  /** Push local changes to the catalog now; resolves when the attempt is done (never rejects). */
  syncChanges(): Promise<void>;
  /** The agent logger's fan-out to /v1/agent/monitor clients, and where to report drops. */
  readonly logStreams?: { readonly fanout: LogFanout; readonly logger: Logger };
}

export class ApiDeps {
  readonly limits: QueryLimits;
  /** Serialized catalog/health answers shared by every reader of the same index. */
  readonly responses = new ResponseCache();

  /** Set on client agents: how state-backed calls reach a server (http/forward.ts). */
  forwarder: Forwarder | undefined;
  /** Set on servers: how a follower hands leader-only calls to the leader (undefined = we lead). */
  leaderForwarder: ((req: ForwardRequest, timeoutMs: number) => Promise<ForwardReply | undefined>) | undefined;

  /** Set on servers: how a call for another datacenter reaches one of its servers over the WAN. */
  dcForwarder: ((dc: string, req: ForwardRequest, timeoutMs: number) => Promise<ForwardReply>) | undefined;

  /** Set when the ACL system is configured: resolves each request's token (src/core/acl). */
  acl: AclResolver | undefined;
  /** Set when ACLs are enabled (agent/acl-wiring.ts): the resolver and the agent's own tokens. */
  aclAgent: AclAgent | undefined;
  /** Set with ACLs: this agent's acl.tokens.default, which a forwarded call without a token carries. */
  defaultToken: (() => string | undefined) | undefined;

  /** Set when `audit { enabled = true }`: told about every request (src/core/audit). */
  audit: AuditLog | undefined;

  constructor(readonly agent: AgentFacade) {
    this.limits = { defaultQueryTimeMs: agent.config.defaultQueryTimeMs, maxQueryTimeMs: agent.config.maxQueryTimeMs };
  }

  get config(): RuntimeConfig {
    return this.agent.config;
  }

  /** The server role, or Consul's error for an agent that has no server to ask. */
  requireServer(): Server {
    const s = this.agent.server;
    if (!s) throw Errors.noServers();
    return s;
  }
}
