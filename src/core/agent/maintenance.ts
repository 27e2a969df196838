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

export async function enableNodeMaintenance(local: LocalAgent, reason: string): Promise<void> {
  if (local.state.check(NODE_MAINT_CHECK_ID)) return;
  await local.addStaticCheck(
    {
      Node: local.nodeName,
      CheckID: NODE_MAINT_CHECK_ID,
      Name: 'Node Maintenance Mode',
      Status: 'critical',
      Notes: reason || DEFAULT_NODE_REASON,
      Output: '',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: 'maintenance',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      Definition: {},
    },
    true,
  );
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
  await local.addStaticCheck(
    {
      Node: local.nodeName,
      CheckID: id,
      Name: 'Service Maintenance Mode',
      Status: 'critical',
      Notes: reason || DEFAULT_SERVICE_REASON,
      Output: '',
      ServiceID: svc.service.ID,
      ServiceName: svc.service.Service,
      ServiceTags: [...svc.service.Tags],
      Type: 'maintenance',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      Definition: {},
    },
    true,
  );
}

export async function disableServiceMaintenance(local: LocalAgent, serviceId: string): Promise<void> {
  if (!local.state.service(serviceId)) throw new HttpError(404, `No service registered with ID "${serviceId}"`);
  const id = serviceMaintCheckId(serviceId);
  if (!local.state.check(id)) return;
  await local.removeCheck(id, true);
}
