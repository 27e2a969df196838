// Who may change the catalog (Consul: agent/consul/catalog_endpoint.go servicePreApply,
// vetRegisterWithACL, vetDeregisterWithACL). Checked against the state before the write is
// proposed, as Consul does (racy by design: node info rarely changes).
import { HttpError } from '../../errors.js';
import { permissionDeniedBare, type RequestAcl } from '../../acl/index.js';
import { getNode, nodeChecks, nodeServices } from '../../state/catalog.js';
import type { StateStore } from '../../state/store.js';
import type { CatalogNode, DeregisterRequest, RegisterRequest } from '../../structs/catalog.js';

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** structs.RegisterRequest.ChangesNode: whether the request rewrites the node itself. */
function changesNode(req: RegisterRequest, node: CatalogNode | undefined): boolean {
  if (!node) return true;
  if (req.SkipNodeUpdate) return false;
  return (
    req.ID !== node.ID ||
    req.Node.toLowerCase() !== node.Node.toLowerCase() ||
    req.Address !== node.Address ||
    req.Datacenter !== node.Datacenter ||
    !sameMap(req.TaggedAddresses, node.TaggedAddresses) ||
    !sameMap(req.NodeMeta, node.Meta)
  );
}

/** servicePreApply + vetRegisterWithACL. */
export function vetRegister(acl: RequestAcl, store: StateStore, req: RegisterRequest): void {
  if (!acl.enabled) return;
  const a = acl.authz;
  const svc = req.Service;
  if (svc) {
    // The agent's own 'consul' service is exempt from the pre-apply check (Consul manages it).
    if (svc.Service !== 'consul') acl.require(a.serviceWrite(svc.Service), 'service', 'write', svc.Service);
    if (svc.Kind === 'connect-proxy') {
      const dest = svc.Proxy?.DestinationServiceName ?? '';
      acl.require(a.serviceWrite(dest), 'service', 'write', dest);
    }
  }
  const node = getNode(store, req.Node);
  if (changesNode(req, node)) acl.require(a.nodeWrite(req.Node), 'node', 'write', req.Node);
  const existing = node ? new Map(nodeServices(store, node.Node).map((s) => [s.ID, s])) : undefined;
  if (svc) {
    acl.require(a.serviceWrite(svc.Service), 'service', 'write', svc.Service);
    const other = existing?.get(svc.ID);
    // Overwriting another service by ID is a delete of it: bare acl.ErrPermissionDenied.
    if (other && !a.serviceWrite(other.Service)) throw permissionDeniedBare();
  }
  for (const c of req.Checks) {
    if (c.Node.toLowerCase() !== req.Node.toLowerCase()) {
      throw new HttpError(500, `Node '${c.Node}' for check '${c.CheckID}' doesn't match register request node '${req.Node}'`);
    }
    if (c.ServiceID === '') {
      acl.require(a.nodeWrite(req.Node), 'node', 'write', req.Node);
      continue;
    }
    if (svc && svc.ID === c.ServiceID) continue;
    const other = existing?.get(c.ServiceID);
    if (!other) throw new HttpError(500, `Unknown service ID '${c.ServiceID}' for check ID '${c.CheckID}'`);
    acl.require(a.serviceWrite(other.Service), 'service', 'write', other.Service);
  }
}

/** vetDeregisterWithACL: node:write covers everything on the node; else the service's or check's owner. */
export function vetDeregister(acl: RequestAcl, store: StateStore, req: DeregisterRequest): void {
  if (!acl.enabled) return;
  const a = acl.authz;
  if (a.nodeWrite(req.Node)) return;
  if (req.ServiceID !== '') {
    const ns = nodeServices(store, req.Node).find((s) => s.ID === req.ServiceID);
    if (!ns) throw new HttpError(500, `Unknown service ID '${req.ServiceID}'`);
    acl.require(a.serviceWrite(ns.Service), 'service', 'write', ns.Service);
  } else if (req.CheckID !== '') {
    const nc = nodeChecks(store, req.Node).find((c) => c.CheckID === req.CheckID);
    if (!nc) throw new HttpError(500, `Unknown check ID '${req.CheckID}'`);
    if (nc.ServiceID !== '') acl.require(a.serviceWrite(nc.ServiceName), 'service', 'write', nc.ServiceName);
    else acl.require(false, 'node', 'write', req.Node);
  } else {
    acl.require(false, 'node', 'write', req.Node);
  }
}
