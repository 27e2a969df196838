// The API client: the only way CLI commands reach an agent (like Consul's api/ package).
// MUST NOT import command or agent code. One HttpTransport per client; close() when done.
import { AclApi } from './acl.js';
import { AgentApi } from './agent.js';
import { CoordinateApi } from './coordinate.js';
import { CatalogApi } from './catalog.js';
import { ConnectApi } from './connect.js';
import { EventApi } from './event.js';
import { type ClientConfig, type HttpFlagValues, resolveClientConfig } from './config.js';
import { HealthApi } from './health.js';
import { HttpTransport } from './http.js';
import { KvApi } from './kv.js';
import { OperatorApi } from './operator.js';
import { SessionApi } from './session.js';
import { SnapshotApi } from './snapshot.js';
import { StatusApi } from './status.js';
import { TxnApi } from './txn.js';

export class ApiClient {
  readonly acl: AclApi;
  readonly kv: KvApi;
  readonly agent: AgentApi;
  readonly catalog: CatalogApi;
  readonly event: EventApi;
  readonly health: HealthApi;
  readonly snapshot: SnapshotApi;
  readonly status: StatusApi;
  readonly txn: TxnApi;
  readonly session: SessionApi;
  readonly operator: OperatorApi;
  readonly connect: ConnectApi;
  readonly coordinate: CoordinateApi;
  private readonly http: HttpTransport;

  constructor(readonly config: ClientConfig) {
    this.http = new HttpTransport(config);
    this.acl = new AclApi(this.http);
    this.kv = new KvApi(this.http);
    this.agent = new AgentApi(this.http);
    this.catalog = new CatalogApi(this.http);
    this.event = new EventApi(this.http);
    this.health = new HealthApi(this.http);
    this.snapshot = new SnapshotApi(this.http);
    this.status = new StatusApi(this.http);
    this.txn = new TxnApi(this.http);
    this.session = new SessionApi(this.http);
    this.operator = new OperatorApi(this.http);
    this.connect = new ConnectApi(this.http);
    this.coordinate = new CoordinateApi(this.http);
  }

  /** Build a client from the shared HTTP flags and the environment (throws ClientConfigError). */
  static fromFlags(flags: HttpFlagValues, env: NodeJS.ProcessEnv = process.env): ApiClient {
    return new ApiClient(resolveClientConfig(flags, env));
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

export type { ClientConfig, HttpFlagValues } from './config.js';
export { ClientConfigError, StatusError, TransportError } from './errors.js';
export type { QueryOptions, QueryMeta } from './http.js';
export { HttpTransport } from './http.js';
export { resolveClientConfig } from './config.js';
export type { KVPair, KVWrite } from './kv.js';
export type { KeyringResponse } from './operator.js';
export type { AgentMember, AgentSelf, MembersOptions } from './agent.js';
export type { AgentCheck, AgentServiceCheck, AgentServiceEntry, AgentServiceRegistration } from './agent.js';
export { NODE_MAINTENANCE_CHECK, SERVICE_MAINTENANCE_PREFIX } from './agent.js';
export type { CatalogNodeEntry, CatalogNodeService, CatalogNodeServices, CatalogQueryOptions, CatalogServiceEntry } from './catalog.js';
export type { HealthCheckEntry, HealthServiceOptions, HealthStatus, ServiceEntry } from './health.js';
export type { TxnOp, TxnResult } from './txn.js';
export type { UserEventParams } from './event.js';
export type { SessionCreate, SessionEntry } from './session.js';
export type { CARoot, CARootList, Intention, LeafCert } from './connect.js';
export type { AclLink, AclLinkRef, AclNodeIdentity, AclPolicy, AclPolicyListEntry, AclPolicyWrite, AclRole, AclRoleWrite, AclServiceIdentity, AclToken, AclTokenListEntry, AclTokenWrite, AgentTokenType } from './acl.js';
export { AGENT_TOKEN_PATHS, type AclApi } from './acl.js';
