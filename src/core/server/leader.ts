// The leader registers its own node, the `consul` service and the serfHealth check at once on
// taking leadership (Consul: agent/consul/leader.go handleAliveMember for itself); every other
// member is reconciled from gossip (reconcile.ts).
import type { RuntimeConfig } from '../config/index.js';
import { CONSUL_API_VERSION } from '../version.js';
import { SERF_CHECK_ALIVE_OUTPUT, serfCheck } from './reconcile.js';
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
      Checks: [serfCheck(config.nodeName, 'passing', SERF_CHECK_ALIVE_OUTPUT)],
      SkipNodeUpdate: false,
    },
  });
}
