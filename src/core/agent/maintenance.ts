// Node and service maintenance mode (Consul: agent/agent.go EnableNodeMaintenance,
// EnableServiceMaintenance): a critical check that takes the node or the service out of
// service discovery, persisted like API-registered checks so it survives a restart.
import { HttpError } from '../errors.js';
import type { LocalAgent } from './local-agent.js';

export const NODE_MAINT_CHECK_ID = '_node_maintenance';
export const SERVICE_MAINT_PREFIX = '_service_maintenance:';

const DEFAULT_NODE_REASON = 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.';
const DEFAULT_SERVICE_REASON = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.';

export const serviceMaintCheckId = (serviceId: string): string => SERVICE_MAINT_PREFIX + serviceId;

/** The critical check that puts a node (no service) or a service in maintenance. */
function maintenanceCheck(
  local: LocalAgent,
  checkId: string,
  name: string,
  notes: string,
  service?: { ID: string; Service: string; Tags: readonly string[] },
): Parameters<LocalAgent['addStaticCheck']>[0] {
  return {
    Node: local.nodeName,
    CheckID: checkId,
    Name: name,
    Status: 'critical',
    Notes: notes,
    Output: '',
    ServiceID: service?.ID ?? '',
    ServiceName: service?.Service ?? '',
    ServiceTags: service ? [...service.Tags] : [],
    Type: 'maintenance',
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
  };
}

export async function enableNodeMaintenance(local: LocalAgent, reason: string): Promise<void> {
  if (local.state.check(NODE_MAINT_CHECK_ID)) return;
  await local.addStaticCheck(maintenanceCheck(local, NODE_MAINT_CHECK_ID, 'Node Maintenance Mode', reason || DEFAULT_NODE_REASON), true);
}

export async function disableNodeMaintenance(local: LocalAgent): Promise<void> {
  if (!local.state.check(NODE_MAINT_CHECK_ID)) return;
  await local.removeCheck(NODE_MAINT_CHECK_ID, true);
}

export async function enableServiceMaintenance(local: LocalAgent, serviceId: string, reason: string): Promise<void> {
  const svc = local.state.service(serviceId);
  if (!svc) throw new HttpError(404, `No service registered with ID "${serviceId}"`);
  const id = serviceMaintCheckId(serviceId);
  if (local.state.check(id)) return;
  await local.addStaticCheck(maintenanceCheck(local, id, 'Service Maintenance Mode', reason || DEFAULT_SERVICE_REASON, svc.service), true);
}

export async function disableServiceMaintenance(local: LocalAgent, serviceId: string): Promise<void> {
  if (!local.state.service(serviceId)) throw new HttpError(404, `No service registered with ID "${serviceId}"`);
  const id = serviceMaintCheckId(serviceId);
  if (!local.state.check(id)) return;
  await local.removeCheck(id, true);
}
