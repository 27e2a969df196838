// The ACL matrix: for every route and method of ROUTES, one request and what each kind of token
// gets, derived from Consul's endpoint code (the function named in `consul`). Kinds of token:
//   none       no token at all (the anonymous token; nothing granted, default_policy = deny)
//   empty      a token with no policies (like anonymous, but named, so filtering is reported)
//   read       read on every resource the fixtures use (operator/keyring/mesh read; no acl)
//   neighbour  write on prefixes next to the fixtures' names (apps/, webx, acl-nodex, deployx)
//   manage     the global-management policy
// Outcomes: allow (no 403, nothing hidden), deny (403 Permission denied, or a txn's 409 with one),
// filter (not 403; X-Consul-Results-Filtered-By-ACLs: true, except for `none`, which Consul never
// tells: maskResultsFilteredByACLs), hidden (200 with an empty list and nothing reported: Consul's
// Connect queries on a destination the token may not read), refused (a 403 that is no permission
// check: ACL not found, bootstrap already done).

export type TokenKind = 'none' | 'empty' | 'read' | 'neighbour' | 'manage';
export type Outcome = 'allow' | 'deny' | 'filter' | 'hidden' | 'refused';
export const TOKEN_KINDS: readonly TokenKind[] = ['none', 'empty', 'read', 'neighbour', 'manage'];

export const NODE = 'acl-node';

export const TOKEN_RULES: Readonly<Record<Exclude<TokenKind, 'none'>, string>> = {
  empty: '',
  read: `
key_prefix "" { policy = "read" }
service_prefix "" {
  policy = "read"
  intentions = "read"
}
node_prefix "" { policy = "read" }
agent_prefix "" { policy = "read" }
session_prefix "" { policy = "read" }
event_prefix "" { policy = "read" }
query_prefix "" { policy = "read" }
acl = "read"
operator = "read"
keyring = "read"
mesh = "read"
`,
  neighbour: `
key_prefix "apps/" { policy = "write" }
service_prefix "webx" { policy = "write" }
node_prefix "${NODE}x" { policy = "write" }
agent_prefix "${NODE}x" { policy = "write" }
session_prefix "${NODE}x" { policy = "write" }
event_prefix "deployx" { policy = "write" }
`,
  manage: 'management',
};

type Expect = Readonly<Record<TokenKind, Outcome>>;
const PUBLIC: Expect = { none: 'allow', empty: 'allow', read: 'allow', neighbour: 'allow', manage: 'allow' };
/** One object that needs read: 403 without it. */
const READ: Expect = { none: 'deny', empty: 'deny', read: 'allow', neighbour: 'deny', manage: 'allow' };
/** A change: 403 without write (the read token included). */
const WRITE: Expect = { none: 'deny', empty: 'deny', read: 'deny', neighbour: 'deny', manage: 'allow' };
/** A Connect query: empty, unreported, without service:read on the destination. */
const HIDDEN: Expect = { none: 'hidden', empty: 'hidden', read: 'allow', neighbour: 'hidden', manage: 'allow' };
/** A list: what the token may not read is dropped. */
const LIST: Expect = { none: 'filter', empty: 'filter', read: 'allow', neighbour: 'filter', manage: 'allow' };

/** What the fixtures created, for requests that name them. */
export interface Fixtures {
  sessionId: string;
  csr: string;
  /** A prepared query named `webq` on the service web. */
  queryId: string;
  /** Made only where the ACL system's own endpoints exist (acl-matrix-real): a token, policy and role. */
  tokenAccessor: string;
  policyId: string;
  policyName: string;
  roleId: string;
  roleName: string;
}

export interface MatrixRequest {
  path: string;
  body?: unknown;
  /** The answer streams (monitor, metrics/stream): judged on its status and headers only. */
  stream?: boolean;
}

export interface MatrixRow {
  route: string;
  method: string;
  request: (f: Fixtures) => MatrixRequest;
  expect: Expect;
  /** The Consul function whose checks the row follows. */
  consul: string;
  /** Run after every other row (it stops the agent when allowed). */
  last?: true;
}

const r = (route: string, method: string, request: MatrixRow['request'], expect: Expect, consul: string, last?: true): MatrixRow =>
  last ? { route, method, request, expect, consul, last } : { route, method, request, expect, consul };
const at = (path: string, body?: unknown): ((f: Fixtures) => MatrixRequest) => () => ({ path, body });

/** Connect-native, so the Connect catalog and health queries have an instance to answer with. */
export const WEB_SERVICE = { Name: 'web', ID: 'web', Port: 80, Check: { TTL: '300s' }, Connect: { Native: true } };

export const MATRIX: readonly MatrixRow[] = [
  r('/v1/kv/', 'GET', at('/v1/kv/app/config'), READ, 'agent/consul/kvs_endpoint.go KVS.Get: KeyReadAllowed'),
  r('/v1/kv/', 'PUT', at('/v1/kv/app/config', 'v2'), WRITE, 'kvs_endpoint.go kvsPreApply: KeyWriteAllowed'),
  r('/v1/kv/', 'DELETE', at('/v1/kv/app/other'), WRITE, 'kvs_endpoint.go kvsPreApply: KeyWriteAllowed'),
  r('/v1/txn', 'PUT', at('/v1/txn', [{ KV: { Verb: 'set', Key: 'app/config', Value: 'djM=' } }]), WRITE, 'txn_endpoint.go Txn.preCheck -> kvsPreApply'),
  r('/v1/status/leader', 'GET', at('/v1/status/leader'), PUBLIC, 'status_endpoint.go Status.Leader: no ACL'),
  r('/v1/status/peers', 'GET', at('/v1/status/peers'), PUBLIC, 'status_endpoint.go Status.Peers: no ACL'),
  r('/v1/snapshot', 'GET', at('/v1/snapshot'), WRITE, 'snapshot_endpoint.go dispatchSnapshotRequest: SnapshotAllowed (acl:write)'),
  r('/v1/snapshot', 'PUT', at('/v1/snapshot', 'not a snapshot'), WRITE, 'snapshot_endpoint.go dispatchSnapshotRequest: SnapshotAllowed'),
  r('/v1/agent/self', 'GET', at('/v1/agent/self'), READ, 'agent_endpoint.go AgentSelf: AgentReadAllowed'),
  r('/v1/agent/members', 'GET', at('/v1/agent/members'), LIST, 'agent_endpoint.go AgentMembers: filterMembers (node:read)'),
  r('/v1/agent/leave', 'PUT', at('/v1/agent/leave'), WRITE, 'agent_endpoint.go AgentLeave: AgentWriteAllowed', true),
  r('/v1/agent/join/', 'PUT', at('/v1/agent/join/127.0.0.1:1'), WRITE, 'agent_endpoint.go AgentJoin: AgentWriteAllowed'),
  r('/v1/agent/reload', 'PUT', at('/v1/agent/reload'), WRITE, 'agent_endpoint.go AgentReload: AgentWriteAllowed'),
  r('/v1/agent/monitor', 'GET', () => ({ path: '/v1/agent/monitor', stream: true }), READ, 'agent_endpoint.go AgentMonitor: AgentReadAllowed'),
  r('/v1/agent/metrics', 'GET', at('/v1/agent/metrics'), READ, 'agent_endpoint.go AgentMetrics: AgentReadAllowed'),
  r('/v1/agent/metrics/stream', 'GET', () => ({ path: '/v1/agent/metrics/stream', stream: true }), READ, 'agent_endpoint.go AgentMetricsStream: AgentReadAllowed'),
  r('/v1/agent/host', 'GET', at('/v1/agent/host'), READ, 'agent_endpoint.go AgentHost: OperatorReadAllowed'),
  r('/v1/agent/force-leave/', 'PUT', at('/v1/agent/force-leave/no-such-node'), WRITE, 'agent_endpoint.go AgentForceLeave: OperatorWriteAllowed'),
  r('/v1/operator/keyring', 'GET', at('/v1/operator/keyring'), READ, 'internal_endpoint.go Internal.KeyringOperation: KeyringReadAllowed'),
  r('/v1/operator/keyring', 'POST', at('/v1/operator/keyring', { Key: 'bad' }), WRITE, 'internal_endpoint.go Internal.KeyringOperation: KeyringWriteAllowed'),
  r('/v1/operator/keyring', 'PUT', at('/v1/operator/keyring', { Key: 'bad' }), WRITE, 'internal_endpoint.go Internal.KeyringOperation: KeyringWriteAllowed'),
  r('/v1/operator/keyring', 'DELETE', at('/v1/operator/keyring', { Key: 'bad' }), WRITE, 'internal_endpoint.go Internal.KeyringOperation: KeyringWriteAllowed'),
  r('/v1/operator/raft/configuration', 'GET', at('/v1/operator/raft/configuration'), READ, 'operator_raft_endpoint.go RaftGetConfiguration: OperatorReadAllowed'),
  r('/v1/operator/raft/peer', 'DELETE', at('/v1/operator/raft/peer?id=no-such-peer'), WRITE, 'operator_raft_endpoint.go RaftRemovePeerByID: OperatorWriteAllowed'),
  r('/v1/operator/raft/transfer-leader', 'POST', at('/v1/operator/raft/transfer-leader?id=no-such-peer'), WRITE, 'operator_raft_endpoint.go RaftLeaderTransfer: OperatorWriteAllowed'),
  r('/v1/operator/autopilot/configuration', 'GET', at('/v1/operator/autopilot/configuration'), READ, 'operator_autopilot_endpoint.go AutopilotGetConfiguration: OperatorReadAllowed'),
  r('/v1/operator/autopilot/configuration', 'PUT', at('/v1/operator/autopilot/configuration', { CleanupDeadServers: true }), WRITE, 'operator_autopilot_endpoint.go AutopilotSetConfiguration: OperatorWriteAllowed'),
  r('/v1/operator/autopilot/health', 'GET', at('/v1/operator/autopilot/health'), READ, 'operator_autopilot_endpoint.go ServerHealth: OperatorReadAllowed'),
  r('/v1/agent/services', 'GET', at('/v1/agent/services'), LIST, 'agent_endpoint.go AgentServices: filterServicesWithAuthorizer'),
  r('/v1/agent/service/', 'GET', at('/v1/agent/service/web'), READ, 'agent_endpoint.go AgentService: ServiceReadAllowed'),
  r('/v1/agent/service/register', 'PUT', at('/v1/agent/service/register', WEB_SERVICE), WRITE, 'agent/acl.go vetServiceRegisterWithAuthorizer'),
  r('/v1/agent/service/deregister/', 'PUT', at('/v1/agent/service/deregister/web'), WRITE, 'agent/acl.go vetServiceUpdateWithAuthorizer'),
  r('/v1/agent/service/maintenance/', 'PUT', at('/v1/agent/service/maintenance/web?enable=false'), WRITE, 'agent/acl.go vetServiceUpdateWithAuthorizer'),
  r('/v1/agent/checks', 'GET', at('/v1/agent/checks'), LIST, 'agent_endpoint.go AgentChecks: filterChecksWithAuthorizer'),
  r('/v1/agent/check/register', 'PUT', at('/v1/agent/check/register', { Name: 'node-check', TTL: '300s' }), WRITE, 'agent/acl.go vetCheckRegisterWithAuthorizer (node:write)'),
  r('/v1/agent/check/deregister/', 'PUT', at('/v1/agent/check/deregister/service:web'), WRITE, 'agent/acl.go vetCheckUpdateWithAuthorizer'),
  r('/v1/agent/check/pass/', 'PUT', at('/v1/agent/check/pass/service:web'), WRITE, 'agent/acl.go vetCheckUpdateWithAuthorizer'),
  r('/v1/agent/check/warn/', 'PUT', at('/v1/agent/check/warn/service:web'), WRITE, 'agent/acl.go vetCheckUpdateWithAuthorizer'),
  r('/v1/agent/check/fail/', 'PUT', at('/v1/agent/check/fail/service:web'), WRITE, 'agent/acl.go vetCheckUpdateWithAuthorizer'),
  r('/v1/agent/check/update/', 'PUT', at('/v1/agent/check/update/service:web', { Status: 'passing' }), WRITE, 'agent/acl.go vetCheckUpdateWithAuthorizer'),
  r('/v1/agent/maintenance', 'PUT', at('/v1/agent/maintenance?enable=false'), WRITE, 'agent_endpoint.go AgentNodeMaintenance: NodeWriteAllowed'),
  r('/v1/agent/health/service/id/', 'GET', at('/v1/agent/health/service/id/web'), READ, 'agent_endpoint.go AgentHealthServiceByID: ServiceReadAllowed'),
  r('/v1/agent/health/service/name/', 'GET', at('/v1/agent/health/service/name/web'), READ, 'agent_endpoint.go AgentHealthServiceByName: ServiceReadAllowed'),
  r('/v1/catalog/register', 'PUT', at('/v1/catalog/register', { Node: 'ext', Address: '10.0.0.9', Service: { Service: 'web', ID: 'web-ext' } }), WRITE, 'catalog_endpoint.go servicePreApply + vetRegisterWithACL'),
  r('/v1/catalog/deregister', 'PUT', at('/v1/catalog/deregister', { Node: 'ext', ServiceID: 'web-ext' }), WRITE, 'catalog_endpoint.go vetDeregisterWithACL'),
  r('/v1/catalog/datacenters', 'GET', at('/v1/catalog/datacenters'), PUBLIC, 'catalog_endpoint.go ListDatacenters: no ACL'),
  r('/v1/catalog/nodes', 'GET', at('/v1/catalog/nodes'), LIST, 'catalog_endpoint.go ListNodes: filterACL (filterNodes)'),
  r('/v1/catalog/services', 'GET', at('/v1/catalog/services'), LIST, 'catalog_endpoint.go ListServices: filterACLWithAuthorizer (filterServices)'),
  r('/v1/catalog/service/', 'GET', at('/v1/catalog/service/web'), LIST, 'catalog_endpoint.go ServiceNodes: filterServiceNodes'),
  r('/v1/catalog/node/', 'GET', at(`/v1/catalog/node/${NODE}`), LIST, 'catalog_endpoint.go NodeServices: filterNodeServices'),
  r('/v1/catalog/node-services/', 'GET', at(`/v1/catalog/node-services/${NODE}`), LIST, 'catalog_endpoint.go NodeServiceList: filterNodeServiceList'),
  r('/v1/health/node/', 'GET', at(`/v1/health/node/${NODE}`), LIST, 'health_endpoint.go NodeChecks: filterHealthChecks'),
  r('/v1/health/checks/', 'GET', at('/v1/health/checks/web'), LIST, 'health_endpoint.go ServiceChecks: filterHealthChecks'),
  r('/v1/health/service/', 'GET', at('/v1/health/service/web'), LIST, 'health_endpoint.go ServiceNodes: filterCheckServiceNodes'),
  r('/v1/health/state/', 'GET', at('/v1/health/state/any'), LIST, 'health_endpoint.go ChecksInState: filterHealthChecks'),
  r('/v1/session/create', 'PUT', at('/v1/session/create', { Node: NODE }), WRITE, 'session_endpoint.go Session.Apply: SessionWriteAllowed(node)'),
  r('/v1/session/destroy/', 'PUT', (f) => ({ path: `/v1/session/destroy/${f.sessionId}` }), WRITE, 'session_endpoint.go Session.Apply (destroy): SessionWriteAllowed(existing.Node)'),
  r('/v1/session/renew/', 'PUT', (f) => ({ path: `/v1/session/renew/${f.sessionId}` }), WRITE, 'session_endpoint.go Session.Renew: SessionWriteAllowed'),
  r('/v1/session/info/', 'GET', (f) => ({ path: `/v1/session/info/${f.sessionId}` }), LIST, 'session_endpoint.go Session.Get: filterSessions'),
  r('/v1/session/node/', 'GET', at(`/v1/session/node/${NODE}`), LIST, 'session_endpoint.go Session.NodeSessions: filterSessions'),
  r('/v1/session/list', 'GET', at('/v1/session/list'), LIST, 'session_endpoint.go Session.List: filterSessions'),
  r('/v1/event/fire/', 'PUT', at('/v1/event/fire/deploy', 'payload'), WRITE, 'internal_endpoint.go Internal.EventFire: EventWriteAllowed (event_endpoint.go EventFire: bare 403)'),
  r('/v1/event/list', 'GET', at('/v1/event/list'), LIST, 'event_endpoint.go EventList: EventRead per event'),
  r('/v1/internal/ui/services', 'GET', at('/v1/internal/ui/services'), LIST, 'internal_endpoint.go ServiceDump: filterACL (node + service read)'),
  r('/v1/internal/ui/nodes', 'GET', at('/v1/internal/ui/nodes'), LIST, 'internal_endpoint.go NodeDump: filterNodeDump'),
  r('/v1/internal/ui/node/', 'GET', at(`/v1/internal/ui/node/${NODE}`), LIST, 'internal_endpoint.go NodeInfo: filterNodeDump'),
  r('/v1/connect/ca/roots', 'GET', at('/v1/connect/ca/roots'), PUBLIC, 'connect_ca_endpoint.go ConnectCA.Roots: no ACL'),
  r('/v1/connect/ca/configuration', 'GET', at('/v1/connect/ca/configuration'), READ, 'connect_ca_endpoint.go ConfigurationGet: OperatorReadAllowed'),
  r('/v1/connect/ca/configuration', 'PUT', at('/v1/connect/ca/configuration', { Provider: 'no-such-provider', Config: {} }), WRITE, 'connect_ca_endpoint.go ConfigurationSet: OperatorWriteAllowed'),
  r('/v1/internal/connect/ca/sign', 'POST', (f) => ({ path: '/v1/internal/connect/ca/sign', body: { CSR: f.csr } }), WRITE, 'connect_ca_endpoint.go ConnectCA.Sign: ServiceWriteAllowed(CSR service)'),
  r('/v1/agent/connect/ca/roots', 'GET', at('/v1/agent/connect/ca/roots'), PUBLIC, 'agent_endpoint.go AgentConnectCARoots: no ACL'),
  r('/v1/agent/connect/ca/leaf/', 'GET', at('/v1/agent/connect/ca/leaf/web'), WRITE, 'agent_endpoint.go AgentConnectCALeafCert: ServiceWriteAllowed'),
  r('/v1/agent/connect/authorize', 'POST', at('/v1/agent/connect/authorize', { Target: 'web', ClientCertURI: 'not-a-spiffe-id' }), WRITE, 'agent_endpoint.go AgentConnectAuthorize: ServiceWriteAllowed(target)'),
  r('/v1/connect/intentions', 'GET', at('/v1/connect/intentions'), LIST, 'intention_endpoint.go Intention.List: filterACL (Intention.CanRead)'),
  r('/v1/connect/intentions', 'POST', at('/v1/connect/intentions', { SourceName: 'api2', DestinationName: 'web', Action: 'allow' }), WRITE, 'intention_endpoint.go computeApplyChangesLegacyCreate: CanWrite'),
  r('/v1/connect/intentions/', 'GET', at('/v1/connect/intentions/exact?source=api&destination=web'), READ, 'intention_endpoint.go Intention.Get: filterACL, empty -> ErrPermissionDenied'),
  r('/v1/connect/intentions/', 'PUT', at('/v1/connect/intentions/exact?source=api&destination=web', { Action: 'deny' }), WRITE, 'intention_endpoint.go computeApplyChangesUpsert: CanWrite'),
  r('/v1/connect/intentions/', 'DELETE', at('/v1/connect/intentions/exact?source=api&destination=web'), WRITE, 'intention_endpoint.go computeApplyChangesDelete: CanWrite'),
  r('/v1/catalog/connect/', 'GET', at('/v1/catalog/connect/web'), HIDDEN, 'catalog_endpoint.go ServiceNodes (Connect): no service:read -> empty response'),
  r('/v1/health/connect/', 'GET', at('/v1/health/connect/web'), HIDDEN, 'health_endpoint.go ServiceNodes (Connect): no service:read -> no nodes, with the index'),
  r('/v1/coordinate/datacenters', 'GET', at('/v1/coordinate/datacenters'), PUBLIC, 'coordinate_endpoint.go Coordinate.ListDatacenters: no ACL'),
  r('/v1/coordinate/nodes', 'GET', at('/v1/coordinate/nodes'), LIST, 'coordinate_endpoint.go Coordinate.ListNodes: filterACL (filterCoordinates)'),
  r('/v1/coordinate/node/', 'GET', at(`/v1/coordinate/node/${NODE}`), READ, 'coordinate_endpoint.go Coordinate.Node: NodeReadAllowed'),
  r('/v1/coordinate/update', 'PUT', at('/v1/coordinate/update', { Node: NODE, Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } }), WRITE, 'coordinate_endpoint.go Coordinate.Update: NodeWriteAllowed'),
  r('/v1/query', 'GET', at('/v1/query'), LIST, 'prepared_query_endpoint.go PreparedQuery.List: filterPreparedQueries'),
  r('/v1/query', 'POST', () => ({ path: '/v1/query', body: { Name: `webq-${Math.random().toString(36).slice(2, 10)}`, Service: { Service: 'web' } } }), WRITE, 'prepared_query_endpoint.go PreparedQuery.Apply: PreparedQueryWriteAllowed(prefix)'),
  r('/v1/query/', 'GET', (f) => ({ path: `/v1/query/${f.queryId}` }), READ, 'prepared_query_endpoint.go PreparedQuery.Get: filtered out -> acl.ErrPermissionDenied'),
  r('/v1/query/', 'PUT', (f) => ({ path: `/v1/query/${f.queryId}`, body: { Name: 'webq', Service: { Service: 'web', OnlyPassing: true } } }), WRITE, 'prepared_query_endpoint.go PreparedQuery.Apply (update): write on the new and the old prefix'),
  r('/v1/query/', 'DELETE', (f) => ({ path: `/v1/query/${f.queryId}` }), WRITE, 'prepared_query_endpoint.go PreparedQuery.Apply (delete): write on the old prefix'),
  r('/v1/internal/query/execute-remote', 'PUT', at('/v1/internal/query/execute-remote', { Query: { Name: 'webq', Service: { Service: 'web' } } }), LIST, 'prepared_query_endpoint.go PreparedQuery.ExecuteRemote: nodes filtered with the token'),
  r('/v1/config', 'PUT', at('/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'http' }), WRITE, 'config_endpoint.go ConfigEntry.Apply: CanWrite (ServiceWriteAllowed)'),
  r('/v1/config/', 'GET', at('/v1/config/service-defaults/web'), READ, 'config_endpoint.go ConfigEntry.Get: CanRead (ServiceReadAllowed)'),
  r('/v1/config/', 'DELETE', at('/v1/config/service-defaults/web'), WRITE, 'config_endpoint.go ConfigEntry.Delete: CanWrite'),
];

/** More requests on routes already covered, for the checks that depend on the request's form. */
export const EXTRA_ROWS: readonly MatrixRow[] = [
  r('/v1/query/', 'GET', (f) => ({ path: `/v1/query/${f.queryId}/execute` }), LIST, 'prepared_query_endpoint.go PreparedQuery.Execute: no query permission; nodes filtered with the token'),
  r('/v1/query/', 'GET', (f) => ({ path: `/v1/query/${f.queryId}/explain` }), READ, 'prepared_query_endpoint.go PreparedQuery.Explain: filtered out -> acl.ErrPermissionDenied'),
  r('/v1/kv/', 'GET', at('/v1/kv/app/?recurse'), LIST, 'kvs_endpoint.go KVS.List: filterACLWithAuthorizer (404 when nothing is left)'),
  r('/v1/kv/', 'GET', at('/v1/kv/?keys'), LIST, 'kvs_endpoint.go KVS.ListKeys: filterACLWithAuthorizer'),
  r('/v1/kv/', 'DELETE', at('/v1/kv/app/?recurse'), WRITE, 'kvs_endpoint.go kvsPreApply (delete-tree): KeyWritePrefixAllowed'),
  r('/v1/txn', 'PUT', at('/v1/txn', [{ KV: { Verb: 'get', Key: 'app/config' } }]), LIST, 'txn_endpoint.go Txn.Read: reads filtered on the way out'),
  r('/v1/txn', 'PUT', at('/v1/txn', [{ KV: { Verb: 'check-index', Key: 'app/config', Index: 1 } }]), READ, 'kvs_endpoint.go kvsPreApply (check-index): KeyReadAllowed'),
  r('/v1/connect/intentions/', 'GET', at('/v1/connect/intentions/match?by=destination&name=web'), READ, 'intention_endpoint.go Intention.Match: IntentionReadAllowed per name'),
  r('/v1/connect/intentions/', 'GET', at('/v1/connect/intentions/check?source=api&destination=web'), READ, 'intention_endpoint.go Intention.Check: ServiceReadAllowed(destination)'),
  r('/v1/health/service/', 'GET', at('/v1/health/service/web?passing'), LIST, 'health_endpoint.go ServiceNodes: filterCheckServiceNodes'),
  r('/v1/session/info/', 'GET', (f) => ({ path: `/v1/session/info/${f.sessionId}?index=1` }), LIST, 'session_endpoint.go Session.Get: filterSessions (blocking form)'),
];

/** A 403 that is no permission decision, for every token. */
const REFUSED_ALL: Expect = { none: 'refused', empty: 'refused', read: 'refused', neighbour: 'refused', manage: 'refused' };
/** token/self: any token reads itself; without one there is no token to read (ACL not found). */
const SELF: Expect = { none: 'refused', empty: 'allow', read: 'allow', neighbour: 'allow', manage: 'allow' };

/**
 * The ACL system's own endpoints (Consul: agent/consul/acl_endpoint.go, agent_endpoint.go
 * AgentToken): acl:read to read, acl:write to change, nothing to bootstrap. They only answer with
 * the ACL system running (acl-matrix-real.test.ts); with a test resolver they say "ACL support
 * disabled", so acl-matrix.test.ts leaves them to that test.
 */
export const ACL_SYSTEM_ROWS: readonly MatrixRow[] = [
  r('/v1/acl/bootstrap', 'PUT', at('/v1/acl/bootstrap'), REFUSED_ALL, 'acl_endpoint.go ACL.BootstrapTokens: no ACL check; done once (initial_management) -> 403 with the reset index'),
  r('/v1/acl/token', 'PUT', at('/v1/acl/token', { Description: 'made by the matrix' }), WRITE, 'acl_endpoint.go ACL.TokenSet: ACLWriteAllowed'),
  r('/v1/acl/token/self', 'GET', at('/v1/acl/token/self'), SELF, 'acl_endpoint.go ACL.TokenRead (by secret, self): no ACL check; agent/acl_endpoint.go ACLTokenSelf: ACL not found without one'),
  r('/v1/acl/token/', 'GET', (f) => ({ path: `/v1/acl/token/${f.tokenAccessor}` }), READ, 'acl_endpoint.go ACL.TokenRead: ACLReadAllowed'),
  r('/v1/acl/token/', 'PUT', (f) => ({ path: `/v1/acl/token/${f.tokenAccessor}`, body: { Description: 'changed by the matrix' } }), WRITE, 'acl_endpoint.go ACL.TokenSet: ACLWriteAllowed'),
  r('/v1/acl/token/', 'DELETE', (f) => ({ path: `/v1/acl/token/${f.tokenAccessor}` }), WRITE, 'acl_endpoint.go ACL.TokenDelete: ACLWriteAllowed'),
  r('/v1/acl/tokens', 'GET', at('/v1/acl/tokens'), READ, 'acl_endpoint.go ACL.TokenList: ACLReadAllowed'),
  r('/v1/acl/policy', 'PUT', () => ({ path: '/v1/acl/policy', body: { Name: `matrix-${Math.random().toString(36).slice(2, 10)}`, Rules: '' } }), WRITE, 'acl_endpoint.go ACL.PolicySet: ACLWriteAllowed'),
  r('/v1/acl/policy/', 'GET', (f) => ({ path: `/v1/acl/policy/${f.policyId}` }), READ, 'acl_endpoint.go ACL.PolicyRead: ACLReadAllowed'),
  r('/v1/acl/policy/', 'PUT', (f) => ({ path: `/v1/acl/policy/${f.policyId}`, body: { Name: f.policyName, Rules: '', Description: 'changed' } }), WRITE, 'acl_endpoint.go ACL.PolicySet: ACLWriteAllowed'),
  r('/v1/acl/policy/', 'DELETE', (f) => ({ path: `/v1/acl/policy/${f.policyId}` }), WRITE, 'acl_endpoint.go ACL.PolicyDelete: ACLWriteAllowed'),
  r('/v1/acl/policy/name/', 'GET', (f) => ({ path: `/v1/acl/policy/name/${f.policyName}` }), READ, 'acl_endpoint.go ACL.PolicyRead (by name): ACLReadAllowed'),
  r('/v1/acl/policies', 'GET', at('/v1/acl/policies'), READ, 'acl_endpoint.go ACL.PolicyList: ACLReadAllowed'),
  r('/v1/acl/role', 'PUT', () => ({ path: '/v1/acl/role', body: { Name: `matrix-${Math.random().toString(36).slice(2, 10)}` } }), WRITE, 'acl_endpoint.go ACL.RoleSet: ACLWriteAllowed'),
  r('/v1/acl/role/', 'GET', (f) => ({ path: `/v1/acl/role/${f.roleId}` }), READ, 'acl_endpoint.go ACL.RoleRead: ACLReadAllowed'),
  r('/v1/acl/role/', 'PUT', (f) => ({ path: `/v1/acl/role/${f.roleId}`, body: { Name: f.roleName, Description: 'changed' } }), WRITE, 'acl_endpoint.go ACL.RoleSet: ACLWriteAllowed'),
  r('/v1/acl/role/', 'DELETE', (f) => ({ path: `/v1/acl/role/${f.roleId}` }), WRITE, 'acl_endpoint.go ACL.RoleDelete: ACLWriteAllowed'),
  r('/v1/acl/role/name/', 'GET', (f) => ({ path: `/v1/acl/role/name/${f.roleName}` }), READ, 'acl_endpoint.go ACL.RoleRead (by name): ACLReadAllowed'),
  r('/v1/acl/roles', 'GET', at('/v1/acl/roles'), READ, 'acl_endpoint.go ACL.RoleList: ACLReadAllowed'),
  r('/v1/acl/replication', 'GET', at('/v1/acl/replication'), PUBLIC, 'acl_endpoint.go ACL.ReplicationStatus: no ACL check'),
  r('/v1/acl/auth-methods', 'GET', at('/v1/acl/auth-methods'), READ, 'acl_endpoint.go ACL.AuthMethodList: ACLReadAllowed'),
  r('/v1/acl/binding-rules', 'GET', at('/v1/acl/binding-rules'), READ, 'acl_endpoint.go ACL.BindingRuleList: ACLReadAllowed'),
  r('/v1/agent/token/', 'PUT', at('/v1/agent/token/replication', { Token: 'not-used-here' }), { ...WRITE, read: 'deny' }, 'agent_endpoint.go AgentToken: AgentWriteAllowed'),
];
