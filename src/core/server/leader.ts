// Leader duties. For now: the leader registers its own node, the `consul` service and the
// serfHealth check in the catalog, as Consul's leader does when it reconciles its own member
// (Consul: agent/consul/leader.go handleAliveMember). Gossip-driven reconciliation of other
// members arrives with the gossip work.
import type { RuntimeConfig } from '../config/index.js';
import { CONSUL_API_VERSION } from '../version.js';
import type { Server } from './server.js';

export async function registerSelf(server: Server, config: RuntimeConfig, nodeId: string): Promise<void> {
  const addr = config.advertiseAddr;
  await server.apply({
    t: 'register',
    v: 1,
    req: {
      ID: nodeId,
      Node: config.nodeName,
      Address: addr,
      Datacenter: config.datacenter,
      TaggedAddresses: { lan: addr, lan_ipv4: addr, wan: addr, wan_ipv4: addr },
      NodeMeta: { 'consul-network-segment': '', 'consul-version': CONSUL_API_VERSION, ...config.nodeMeta },
      Service: {
        Kind: '',
        ID: 'consul',
        Service: 'consul',
        Tags: [],
        Address: '',
        TaggedAddresses: {},
        Meta: { raft_version: '3', serf_protocol_current: '2', serf_protocol_max: '5', serf_protocol_min: '1', version: CONSUL_API_VERSION },
        Port: config.ports.server,
        Weights: { Passing: 1, Warning: 1 },
        EnableTagOverride: false,
      },
      Checks: [
        {
          Node: config.nodeName,
          CheckID: 'serfHealth',
          Name: 'Serf Health Status',
          Status: 'passing',
          Notes: '',
          Output: 'Agent alive and reachable',
          ServiceID: '',
          ServiceName: '',
          ServiceTags: [],
          Type: '',
          Interval: '',
          Timeout: '',
          ExposedPort: 0,
          Definition: {},
        },
      ],
      SkipNodeUpdate: false,
    },
  });
}
