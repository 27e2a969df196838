// Who may read and change the local agent (Consul: agent/agent_endpoint.go and agent/acl.go:
// vetServiceRegisterWithAuthorizer, vetServiceUpdateWithAuthorizer, vetCheckRegisterWithAuthorizer,
// vetCheckUpdateWithAuthorizer, filterServicesWithAuthorizer, filterChecksWithAuthorizer).
// An unknown service or check ID is left to the endpoint, which answers its own 404.
import type { RequestAcl } from '../../acl/index.js';
import type { CheckDefinition, ServiceDefinition } from '../../agent/definitions.js';
import type { ApiDeps } from '../deps.js';

/** agent:read / agent:write on this agent's node (self, metrics, monitor; join, leave, reload). */
export function requireAgent(acl: RequestAcl, deps: ApiDeps, level: 'read' | 'write'): void {
  if (!acl.enabled) return;
  const node = deps.config.nodeName;
  acl.require(level === 'read' ? acl.authz.agentRead(node) : acl.authz.agentWrite(node), 'agent', level, node);
}

/** operator:read / operator:write (agent/host, force-leave, raft, autopilot). */
export function requireOperator(acl: RequestAcl, level: 'read' | 'write'): void {
  acl.require(level === 'read' ? acl.authz.operatorRead() : acl.authz.operatorWrite(), 'operator', level);
}

/** vetServiceRegisterWithAuthorizer: the service, any service it overwrites, a proxy's destination. */
export function vetServiceRegister(acl: RequestAcl, deps: ApiDeps, def: ServiceDefinition): void {
  if (!acl.enabled) return;
  const a = acl.authz;
  for (const d of def.sidecar ? [def, def.sidecar] : [def]) {
    const svc = d.service;
    acl.require(a.serviceWrite(svc.Service), 'service', 'write', svc.Service);
    const existing = deps.agent.local.state.service(svc.ID);
    if (existing) acl.require(a.serviceWrite(existing.service.Service), 'service', 'write', existing.service.Service);
    if (svc.Kind === 'connect-proxy') {
      const dest = svc.Proxy?.DestinationServiceName ?? '';
      acl.require(a.serviceWrite(dest), 'service', 'write', dest);
    }
  }
}

/** vetServiceUpdateWithAuthorizer: service:write on the existing service (deregister, maintenance). */
export function vetServiceUpdate(acl: RequestAcl, deps: ApiDeps, id: string): void {
  if (!acl.enabled) return;
  const existing = deps.agent.local.state.service(id);
  if (existing) acl.require(acl.authz.serviceWrite(existing.service.Service), 'service', 'write', existing.service.Service);
}

/** A check's owner: service:write on its service, node:write on this node for a node check. */
function requireCheckOwner(acl: RequestAcl, deps: ApiDeps, serviceName: string | undefined): void {
  const node = deps.config.nodeName;
  if (serviceName !== undefined) acl.require(acl.authz.serviceWrite(serviceName), 'service', 'write', serviceName);
  else acl.require(acl.authz.nodeWrite(node), 'node', 'write', node);
}

/** vetCheckRegisterWithAuthorizer: the check's owner, then the owner of any check it overwrites. */
export function vetCheckRegister(acl: RequestAcl, deps: ApiDeps, def: CheckDefinition): void {
  if (!acl.enabled) return;
  const state = deps.agent.local.state;
  if (def.serviceId !== '') {
    const svc = state.service(def.serviceId);
    if (svc) requireCheckOwner(acl, deps, svc.service.Service);
  } else requireCheckOwner(acl, deps, undefined);
  const existing = state.check(def.id || def.name);
  if (existing) requireCheckOwner(acl, deps, existing.check.ServiceID !== '' ? existing.check.ServiceName : undefined);
}

/** vetCheckUpdateWithAuthorizer: the existing check's owner (deregister, TTL updates). */
export function vetCheckUpdate(acl: RequestAcl, deps: ApiDeps, id: string): void {
  if (!acl.enabled) return;
  const existing = deps.agent.local.state.check(id);
  if (existing) requireCheckOwner(acl, deps, existing.check.ServiceID !== '' ? existing.check.ServiceName : undefined);
}

/** filterChecksWithAuthorizer: service checks by service:read, node checks by node:read on this node. */
export function filterAgentChecks<T>(acl: RequestAcl, deps: ApiDeps, checks: Record<string, T>): Record<string, T> {
  if (!acl.enabled) return checks;
  const node = deps.config.nodeName;
  const entries = Object.entries(checks);
  const kept = acl.filter(entries, ([, c]) => {
    const service = (c as { ServiceName?: unknown }).ServiceName;
    return typeof service === 'string' && service !== '' ? acl.authz.serviceRead(service) : acl.authz.nodeRead(node);
  });
  return kept.length === entries.length ? checks : Object.fromEntries(kept);
}
