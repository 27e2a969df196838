// The HTTP API surface in one table (Consul: agent/http_register.go). A path ending in `/`
// matches everything beneath it; the rest of the path becomes ctx.tail.
import type { Reply, RequestContext } from './context.js';
import type { ApiDeps } from './deps.js';
import { kvDelete, kvGet, kvPut } from './handlers/kv.js';
import { txn } from './handlers/txn.js';
import { statusLeader, statusPeers } from './handlers/status.js';
import { snapshotGet, snapshotPut } from './handlers/snapshot.js';
import { agentJoin, agentLeave, agentMembers, agentReload, agentSelf } from './handlers/agent.js';
import {
  agentCheckDeregister,
  agentCheckFail,
  agentCheckPass,
  agentCheckRegister,
  agentChecks,
  agentCheckUpdate,
  agentCheckWarn,
  agentHealthServiceById,
  agentHealthServiceByName,
  agentNodeMaintenance,
  agentService,
  agentServiceDeregister,
  agentServiceMaintenance,
  agentServiceRegister,
  agentServices,
} from './handlers/agent-local.js';
import {
  catalogDatacenters,
  catalogDeregister,
  catalogNode,
  catalogNodes,
  catalogRegister,
  catalogService,
  catalogServices,
  catalogNodeServices,
} from './handlers/catalog.js';
import { healthChecks, healthNode, healthService, healthState } from './handlers/health.js';
import {
  sessionCreateHandler,
  sessionDestroyHandler,
  sessionInfoHandler,
  sessionListHandler,
  sessionNodeHandler,
  sessionRenewHandler,
} from './handlers/session.js';
import { eventFire, eventList } from './handlers/event.js';
import { agentForceLeave, operatorKeyring } from './handlers/operator-keyring.js';
import { operatorRaftConfiguration, operatorRaftPeer, operatorRaftTransferLeader } from './handlers/operator-raft.js';
import {
  operatorAutopilotConfigurationGet,
  operatorAutopilotConfigurationPut,
  operatorAutopilotHealth,
} from './handlers/operator-autopilot.js';
import { agentMonitor } from './handlers/agent-monitor.js';
import { agentHost, agentMetrics, agentMetricsStream } from './handlers/agent-metrics.js';

import { aclBootstrapHandler, aclTokenCreate, aclTokenCrud, aclTokenListHandler, aclTokenSelf } from './handlers/acl-tokens.js';
import {
  aclPolicyByName,
  aclPolicyCreate,
  aclPolicyCrud,
  aclPolicyListHandler,
  aclRoleByName,
  aclRoleCreate,
  aclRoleCrud,
  aclRoleListHandler,
} from './handlers/acl-policies.js';
import { agentTokenSet } from './handlers/agent-token.js';
import { aclEmptyList, aclReplication } from './handlers/acl-misc.js';

import { serveUi, uiNodeInfo, uiNodes, uiServices } from '../ui/index.js';

import { connectCaConfigurationGet, connectCaConfigurationPut, connectCaRoots, connectCaSign } from './handlers/connect-ca.js';
import { agentConnectAuthorize, agentConnectCaLeaf, agentConnectCaRoots } from './handlers/agent-connect.js';
import { configDelete, configGet, configPut } from './handlers/config-entries.js';
import { catalogConnect, healthConnect } from './handlers/connect-catalog.js';
import {
  intentionCreate,
  intentionList,
  intentionSpecificDelete,
  intentionSpecificGet,
  intentionSpecificPut,
} from './handlers/intentions.js';

import { coordinateDatacenters, coordinateNode, coordinateNodes, coordinateUpdate } from './handlers/coordinate.js';
import { queryCreate, queryExecuteRemote, queryList, querySpecific } from './handlers/prepared-query.js';

export type Handler = (ctx: RequestContext, deps: ApiDeps) => Reply | Promise<Reply>;

export interface Route {
  readonly path: string;
  readonly methods: Readonly<Record<string, Handler>>;
  /** Largest request body accepted; undefined = the default (txn_max_req_len). */
  readonly maxBodyBytes?: (deps: ApiDeps) => number;
  /**
   * The datacenter comes from the request body, never from ?dc (Consul: CatalogRegister and
   * CatalogDeregister do not call parseDC; the handler checks the body's Datacenter).
   */
  readonly datacenterInBody?: true;
  /**
   * Consul's endpoint checks no ACL (Status.Leader/Peers, Catalog.ListDatacenters,
   * Coordinate.ListDatacenters): the token is not resolved, so even an unknown one is no error.
   */
  readonly noAcl?: true;
}

const SNAPSHOT_MAX_BYTES = 1 << 30;

export const ROUTES: readonly Route[] = [
  { path: '/v1/kv/', methods: { GET: kvGet, PUT: kvPut, DELETE: kvDelete }, maxBodyBytes: (d) => d.config.kvMaxValueSize },
  { path: '/v1/txn', methods: { PUT: txn } },
  { path: '/v1/status/leader', methods: { GET: statusLeader }, noAcl: true },
  { path: '/v1/status/peers', methods: { GET: statusPeers }, noAcl: true },
  { path: '/v1/snapshot', methods: { GET: snapshotGet, PUT: snapshotPut }, maxBodyBytes: () => SNAPSHOT_MAX_BYTES },
  { path: '/v1/agent/self', methods: { GET: agentSelf } },
  { path: '/v1/agent/members', methods: { GET: agentMembers } },
  { path: '/v1/agent/leave', methods: { PUT: agentLeave } },
  { path: '/v1/agent/join/', methods: { PUT: agentJoin } },
  { path: '/v1/agent/reload', methods: { PUT: agentReload } },
  { path: '/v1/agent/monitor', methods: { GET: agentMonitor } },
  { path: '/v1/agent/metrics', methods: { GET: agentMetrics } },
  { path: '/v1/agent/metrics/stream', methods: { GET: agentMetricsStream } },
  { path: '/v1/agent/host', methods: { GET: agentHost } },
  { path: '/v1/agent/force-leave/', methods: { PUT: agentForceLeave } },
  { path: '/v1/operator/keyring', methods: { GET: operatorKeyring, POST: operatorKeyring, PUT: operatorKeyring, DELETE: operatorKeyring } },
  { path: '/v1/query', methods: { GET: queryList, POST: queryCreate } },
  { path: '/v1/query/', methods: { GET: querySpecific, PUT: querySpecific, DELETE: querySpecific } },
  { path: '/v1/internal/query/execute-remote', methods: { PUT: queryExecuteRemote } },
  { path: '/v1/coordinate/datacenters', methods: { GET: coordinateDatacenters }, noAcl: true },
  { path: '/v1/coordinate/nodes', methods: { GET: coordinateNodes } },
  { path: '/v1/coordinate/node/', methods: { GET: coordinateNode } },
  { path: '/v1/coordinate/update', methods: { PUT: coordinateUpdate } },
  { path: '/v1/operator/raft/configuration', methods: { GET: operatorRaftConfiguration } },
  { path: '/v1/operator/raft/peer', methods: { DELETE: operatorRaftPeer } },
  { path: '/v1/operator/raft/transfer-leader', methods: { POST: operatorRaftTransferLeader } },
  { path: '/v1/operator/autopilot/configuration', methods: { GET: operatorAutopilotConfigurationGet, PUT: operatorAutopilotConfigurationPut } },
  { path: '/v1/operator/autopilot/health', methods: { GET: operatorAutopilotHealth } },
  { path: '/v1/agent/services', methods: { GET: agentServices } },
  { path: '/v1/agent/service/', methods: { GET: agentService } },
  { path: '/v1/agent/service/register', methods: { PUT: agentServiceRegister } },
  { path: '/v1/agent/service/deregister/', methods: { PUT: agentServiceDeregister } },
  { path: '/v1/agent/service/maintenance/', methods: { PUT: agentServiceMaintenance } },
  { path: '/v1/agent/checks', methods: { GET: agentChecks } },
  { path: '/v1/agent/check/register', methods: { PUT: agentCheckRegister } },
  { path: '/v1/agent/check/deregister/', methods: { PUT: agentCheckDeregister } },
  { path: '/v1/agent/check/pass/', methods: { PUT: agentCheckPass } },
  { path: '/v1/agent/check/warn/', methods: { PUT: agentCheckWarn } },
  { path: '/v1/agent/check/fail/', methods: { PUT: agentCheckFail } },
  { path: '/v1/agent/check/update/', methods: { PUT: agentCheckUpdate } },
  { path: '/v1/agent/maintenance', methods: { PUT: agentNodeMaintenance } },
  { path: '/v1/agent/health/service/id/', methods: { GET: agentHealthServiceById } },
  { path: '/v1/agent/health/service/name/', methods: { GET: agentHealthServiceByName } },
  { path: '/v1/catalog/register', methods: { PUT: catalogRegister }, datacenterInBody: true },
  { path: '/v1/catalog/deregister', methods: { PUT: catalogDeregister }, datacenterInBody: true },
  { path: '/v1/catalog/datacenters', methods: { GET: catalogDatacenters }, noAcl: true },
  { path: '/v1/catalog/nodes', methods: { GET: catalogNodes } },
  { path: '/v1/catalog/services', methods: { GET: catalogServices } },
  { path: '/v1/catalog/service/', methods: { GET: catalogService } },
  { path: '/v1/catalog/node/', methods: { GET: catalogNode } },
  { path: '/v1/catalog/node-services/', methods: { GET: catalogNodeServices } },
  { path: '/v1/health/node/', methods: { GET: healthNode } },
  { path: '/v1/health/checks/', methods: { GET: healthChecks } },
  { path: '/v1/health/service/', methods: { GET: healthService } },
  { path: '/v1/health/state/', methods: { GET: healthState } },
  { path: '/v1/session/create', methods: { PUT: sessionCreateHandler } },
  { path: '/v1/session/destroy/', methods: { PUT: sessionDestroyHandler } },
  { path: '/v1/session/renew/', methods: { PUT: sessionRenewHandler } },
  { path: '/v1/session/info/', methods: { GET: sessionInfoHandler } },
  { path: '/v1/session/node/', methods: { GET: sessionNodeHandler } },
  { path: '/v1/session/list', methods: { GET: sessionListHandler } },
  { path: '/v1/event/fire/', methods: { PUT: eventFire } },
  { path: '/v1/event/list', methods: { GET: eventList } },
  { path: '/v1/internal/ui/services', methods: { GET: uiServices } },
  { path: '/v1/internal/ui/nodes', methods: { GET: uiNodes } },
  { path: '/v1/internal/ui/node/', methods: { GET: uiNodeInfo } },
  // Connect (handlers/connect-ca.ts, agent-connect.ts, intentions.ts, config-entries.ts)
  { path: '/v1/connect/ca/roots', methods: { GET: connectCaRoots } },
  { path: '/v1/connect/ca/configuration', methods: { GET: connectCaConfigurationGet, PUT: connectCaConfigurationPut } },
  { path: '/v1/internal/connect/ca/sign', methods: { POST: connectCaSign } },
  { path: '/v1/agent/connect/ca/roots', methods: { GET: agentConnectCaRoots } },
  { path: '/v1/agent/connect/ca/leaf/', methods: { GET: agentConnectCaLeaf } },
  { path: '/v1/agent/connect/authorize', methods: { POST: agentConnectAuthorize } },
  { path: '/v1/connect/intentions', methods: { GET: intentionList, POST: intentionCreate } },
  { path: '/v1/connect/intentions/', methods: { GET: intentionSpecificGet, PUT: intentionSpecificPut, DELETE: intentionSpecificDelete } },
  { path: '/v1/catalog/connect/', methods: { GET: catalogConnect } },
  { path: '/v1/health/connect/', methods: { GET: healthConnect } },
  { path: '/v1/config', methods: { PUT: configPut } },
  // ACLs (handlers/acl-tokens.ts, acl-policies.ts, agent-token.ts)
  { path: '/v1/acl/bootstrap', methods: { PUT: aclBootstrapHandler } },
  { path: '/v1/acl/token', methods: { PUT: aclTokenCreate } },
  { path: '/v1/acl/token/self', methods: { GET: aclTokenSelf } },
  { path: '/v1/acl/token/', methods: { GET: aclTokenCrud, PUT: aclTokenCrud, DELETE: aclTokenCrud } },
  { path: '/v1/acl/tokens', methods: { GET: aclTokenListHandler } },
  { path: '/v1/acl/policy', methods: { PUT: aclPolicyCreate } },
  { path: '/v1/acl/policy/', methods: { GET: aclPolicyCrud, PUT: aclPolicyCrud, DELETE: aclPolicyCrud } },
  { path: '/v1/acl/policy/name/', methods: { GET: aclPolicyByName } },
  { path: '/v1/acl/policies', methods: { GET: aclPolicyListHandler } },
  { path: '/v1/acl/role', methods: { PUT: aclRoleCreate } },
  { path: '/v1/acl/role/', methods: { GET: aclRoleCrud, PUT: aclRoleCrud, DELETE: aclRoleCrud } },
  { path: '/v1/acl/role/name/', methods: { GET: aclRoleByName } },
  { path: '/v1/acl/roles', methods: { GET: aclRoleListHandler } },
  { path: '/v1/acl/replication', methods: { GET: aclReplication } },
  { path: '/v1/acl/auth-methods', methods: { GET: aclEmptyList } },
  { path: '/v1/acl/binding-rules', methods: { GET: aclEmptyList } },
  { path: '/v1/agent/token/', methods: { PUT: agentTokenSet } },
  { path: '/v1/config/', methods: { GET: configGet, DELETE: configDelete } },
];

/**
 * Every path outside /v1/: `/` and the web UI under ui_config.content_path (src/core/ui decides,
 * and answers 404 for the rest). Its tail is the whole decoded path.
 */
const UI_ROUTE: Route = {
  path: '/',
  methods: { GET: serveUi, HEAD: serveUi, PUT: serveUi, POST: serveUi, DELETE: serveUi, PATCH: serveUi },
};

const exact = new Map<string, Route>();
const prefixes: Route[] = [];
for (const r of ROUTES) {
  if (r.path.endsWith('/')) prefixes.push(r);
  else exact.set(r.path, r);
}
prefixes.sort((a, b) => b.path.length - a.path.length);
/** Subtree roots without their slash that are no route of their own (`/v1/kv`): ServeMux redirects them. */
const bareSubtrees = new Set(prefixes.map((r) => r.path.slice(0, -1)).filter((p) => !exact.has(p)));

export function isBareSubtree(path: string): boolean {
  return bareSubtrees.has(path);
}

/** The route for a path, and the decoded remainder after a prefix route. */
export function matchRoute(path: string): { route: Route; tail: string } | undefined {
  const r = exact.get(path);
  if (r) return { route: r, tail: '' };
  for (const p of prefixes) {
    if (path.startsWith(p.path)) return { route: p, tail: path.slice(p.path.length) };
  }
  if (!path.startsWith('/v1/')) return { route: UI_ROUTE, tail: path };
  return undefined;
}
