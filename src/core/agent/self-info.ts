// /v1/agent/self (Consul: agent/agent_endpoint.go AgentSelf): the agent's config digest, its LAN
// coordinate and member entry, and the `Stats` blocks `consul info` prints.
import os from 'node:os';
import type { RuntimeConfig } from '../config/index.js';
import type { Coordinate } from '../gossip/serf/coordinate.js';
import type { Server } from '../server/index.js';
import type { AgentMember } from '../structs/agent.js';
import { BUILD_DATE, CONSUL_API_VERSION, REVISION } from '../version.js';

export interface SelfSources {
  readonly config: RuntimeConfig;
  readonly nodeId: string;
  readonly server: Server | undefined;
  readonly localStats: { services: number; checks: number; checkMonitors: number; checkTtls: number };
  readonly coordinate: Coordinate;
  readonly member: AgentMember;
  readonly wanMembers: readonly AgentMember[];
  /** Client agents: servers the router knows. */
  readonly knownServers: number;
  readonly serfLan: Record<string, string> | undefined;
  readonly serfWan: Record<string, string> | undefined;
}

export function agentSelf(a: SelfSources): Record<string, unknown> {
  const c = a.config;
  return {
    Config: {
      Datacenter: c.datacenter,
      PrimaryDatacenter: c.primaryDatacenter,
      NodeName: c.nodeName,
      NodeID: a.nodeId,
      Partition: '',
      Revision: REVISION,
      Server: c.server,
      Version: CONSUL_API_VERSION,
      BuildDate: BUILD_DATE,
    },
    DebugConfig: {
      ACLsEnabled: c.acl.enabled,
      EnableDebug: false,
      Datacenter: c.datacenter,
      NodeName: c.nodeName,
      NodeID: a.nodeId,
      DataDir: c.dataDir,
      DevMode: c.devMode,
      ServerMode: c.server,
      Bootstrap: c.bootstrap,
      BootstrapExpect: c.bootstrapExpect,
      BindAddr: c.bindAddr,
      AdvertiseAddrLAN: c.advertiseAddr,
      ClientAddrs: c.clientAddrs,
      HTTPPort: c.ports.http,
      HTTPSPort: c.ports.https,
      DNSPort: c.ports.dns,
      SerfPortLAN: c.ports.serfLan,
      SerfPortWAN: c.ports.serfWan,
      ServerPort: c.ports.server,
      DNSDomain: c.domain,
      LogLevel: c.logLevel.toUpperCase(),
      PidFile: c.pidFile,
      KVMaxValueSize: c.kvMaxValueSize,
      TxnMaxReqLen: c.txnMaxReqLen,
      EnableScriptChecks: c.enableScriptChecks,
      EnableLocalScriptChecks: c.enableLocalScriptChecks,
    },
    Coord: a.coordinate,
    Member: a.member,
    Stats: agentStats(a),
    Meta: { 'consul-network-segment': '', 'consul-version': CONSUL_API_VERSION, ...c.nodeMeta },
    xDS: { SupportedProxies: {}, Port: -1, Ports: { Plaintext: -1, TLS: -1 } },
  };
}

function agentStats(a: SelfSources): Record<string, Record<string, string>> {
  const s = a.server;
  const c = a.config;
  const local = a.localStats;
  const acl = c.acl.enabled ? 'enabled' : 'disabled';
  const stats: Record<string, Record<string, string>> = {
    agent: {
      check_monitors: String(local.checkMonitors),
      check_ttls: String(local.checkTtls),
      checks: String(local.checks),
      services: String(local.services),
    },
    build: { prerelease: '', revision: REVISION, version: CONSUL_API_VERSION, version_metadata: '' },
    runtime: {
      arch: process.arch === 'x64' ? 'amd64' : process.arch,
      cpu_count: String(os.cpus().length),
      goroutines: '0',
      max_procs: String(os.cpus().length),
      os: process.platform,
      version: process.version,
    },
  };
  if (s) {
    stats.consul = {
      acl,
      bootstrap: String(c.bootstrap || c.bootstrapExpect === 1),
      known_datacenters: String(new Set(a.wanMembers.map((m) => m.Tags.dc).filter(Boolean)).size || 1),
      known_servers: String(Math.max(1, s.cluster.known().filter((k) => k.status === 'alive').length)),
      leader: String(s.isLeader()),
      leader_addr: s.leaderAddr(),
      server: 'true',
    };
    stats.raft = s.raftStats();
  } else {
    stats.consul = { acl, known_servers: String(a.knownServers), server: 'false' };
  }
  if (a.serfLan) stats.serf_lan = a.serfLan;
  if (a.serfWan) stats.serf_wan = a.serfWan;
  return stats;
}
