// What list answers keep for a token (Consul: agent/consul/acl_filter.go). Each helper drops what
// the request's authorizer may not read and, through RequestAcl.filter, records that it did so
// (X-Consul-Results-Filtered-By-ACLs). With ACLs off every helper returns its input unchanged.
//
// Consul's rules, per shape:
//   - a node:            node:read on its name (allowNode);
//   - a service name:    service:read on it; an empty name (a node-level check) is always allowed
//                        (allowService);
//   - a service instance / health check / service entry: both of the above (filterServiceNodes,
//                        filterHealthChecks, filterCheckServiceNodes);
//   - a session:         session:read on its node (filterSessions);
//   - a KV entry or key: key:read on the key (filterDirEnts, filterKeys);
//   - an event:          event:read on its name (agent/event_endpoint.go);
//   - an intention:      intention:read on its source or destination (Intention.CanRead).
// Filtering happens after the request's own ?filter expression, as Consul does, so the header
// reports only what the token hid.
import { HttpError } from '../errors.js';
import type { RequestAcl } from './request-acl.js';

/**
 * 403 "Permission denied" without a named permission (acl.ErrPermissionDenied): what Consul's
 * intention endpoints and the event fire endpoint answer.
 */
export function permissionDeniedBare(): HttpError {
  return new HttpError(403, 'Permission denied');
}

/** Consul's allowService: an empty service name (a node-level check) needs nothing. */
export function allowService(acl: RequestAcl, service: string): boolean {
  return service === '' || acl.authz.serviceRead(service);
}

export function filterNodes<T extends { Node: string }>(acl: RequestAcl, nodes: readonly T[]): T[] {
  return acl.filter(nodes, (n) => acl.authz.nodeRead(n.Node));
}

/** A name -> tags map of services (catalog/services): service:read on the name. */
export function filterServiceNames<T>(acl: RequestAcl, services: Map<string, T>): Map<string, T> {
  if (!acl.enabled) return services;
  const kept = acl.filter([...services.keys()], (name) => acl.authz.serviceRead(name));
  return kept.length === services.size ? services : new Map(kept.map((k) => [k, services.get(k) as T]));
}

/** Instances shaped as catalog ServiceNodes (Node + ServiceName). */
export function filterServiceNodes<T extends { Node: string; ServiceName: string }>(acl: RequestAcl, items: readonly T[]): T[] {
  return acl.filter(items, (i) => acl.authz.nodeRead(i.Node) && allowService(acl, i.ServiceName));
}

/** Health checks: node:read on the check's node and service:read on its service, if any. */
export function filterHealthChecks<T extends { Node: string; ServiceName: string }>(acl: RequestAcl, checks: readonly T[]): T[] {
  return filterServiceNodes(acl, checks);
}

/** Health service entries ({Node, Service, Checks}): the node and the service must both be readable. */
export function filterCheckServiceNodes<T extends { Node: { Node: string }; Service: unknown }>(acl: RequestAcl, entries: readonly T[]): T[] {
  return acl.filter(entries, (e) => acl.authz.nodeRead(e.Node.Node) && allowService(acl, serviceNameOf(e.Service)));
}

function serviceNameOf(s: unknown): string {
  const name = typeof s === 'object' && s !== null ? (s as { Service?: unknown }).Service : undefined;
  return typeof name === 'string' ? name : '';
}

/** A node's services as a list (catalog/node-services): service:read on each. */
export function filterNodeServiceList<T extends { Service: string }>(acl: RequestAcl, services: readonly T[]): T[] {
  return acl.filter(services, (s) => allowService(acl, s.Service));
}

/** A node's services keyed by ID (catalog/node, agent/services): service:read on each. */
export function filterServiceMap<T>(acl: RequestAcl, services: Record<string, T>): Record<string, T> {
  if (!acl.enabled) return services;
  const entries = Object.entries(services);
  const kept = acl.filter(entries, ([, s]) => allowService(acl, serviceNameOf(s)));
  return kept.length === entries.length ? services : Object.fromEntries(kept);
}

/** Consul's filterNodeDump: nodes by node:read, then each node's services and checks. */
export function filterNodeDump<T extends { Node: string; Services: Record<string, unknown>[]; Checks: { Node: string; ServiceName: string }[] }>(
  acl: RequestAcl,
  dump: readonly T[],
): T[] {
  if (!acl.enabled) return dump as T[];
  return filterNodes(acl, dump).map((n) => {
    const services = acl.filter(n.Services, (s) => allowService(acl, serviceNameOf(s)));
    const checks = filterHealthChecks(acl, n.Checks);
    return services.length === n.Services.length && checks.length === n.Checks.length ? n : { ...n, Services: services, Checks: checks };
  });
}

export function filterSessions<T extends { Node: string }>(acl: RequestAcl, sessions: readonly T[]): T[] {
  return acl.filter(sessions, (s) => acl.authz.sessionRead(s.Node));
}

export function filterDirEntries<T extends { Key: string }>(acl: RequestAcl, entries: readonly T[]): T[] {
  return acl.filter(entries, (e) => acl.authz.keyRead(e.Key));
}

export function filterKeys(acl: RequestAcl, keys: readonly string[]): string[] {
  return acl.filter(keys, (k) => acl.authz.keyRead(k));
}

export function filterEvents<T extends { Name: string }>(acl: RequestAcl, events: readonly T[]): T[] {
  return acl.filter(events, (e) => acl.authz.eventRead(e.Name));
}

/** Intention.CanRead: intention:read on either end. */
export function canReadIntention(acl: RequestAcl, ixn: { SourceName: string; DestinationName: string }): boolean {
  return acl.authz.intentionRead(ixn.SourceName) || acl.authz.intentionRead(ixn.DestinationName);
}

export function filterIntentions<T extends { SourceName: string; DestinationName: string }>(acl: RequestAcl, list: readonly T[]): T[] {
  return acl.filter(list, (i) => canReadIntention(acl, i));
}
