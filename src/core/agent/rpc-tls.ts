// The server RPC port's TLS settings from the agent's loaded TLS material (tls.internal_rpc), and
// which datacenter a dialled server belongs to (its TLS name is server.<dc>.<domain>).
import type { RuntimeConfig } from '../config/index.js';
import type { RpcServerOptions } from '../rpc/index.js';
import { serverInfo } from '../server/cluster.js';
import type { AgentMember } from '../structs/agent.js';
import { incomingTlsOptions, type AgentTls } from '../tls/index.js';

/** Raft's methods on the RPC port (raft/rpc-transport.ts: Raft.Message, Raft.SnapshotChunk). */
const isRaftMethod = (m: string): boolean => m.startsWith('Raft.');

/** The RPC port's TLS; none without a certificate. */
export function rpcServerTls(tls: AgentTls, c: RuntimeConfig): RpcServerOptions['tls'] {
  if (!tls.internalRpc.cert) return undefined;
  const verifyIncoming = tls.internalRpc.settings.verifyIncoming;
  return {
    options: incomingTlsOptions(tls.internalRpc),
    verifyIncoming,
    // Consul: tlsutil AuthorizeServerConn lets only servers of this datacenter speak Raft.
    ...(verifyIncoming && tls.internalRpc.verifyServerHostname ? { serverOnly: { name: `server.${c.datacenter}.${c.domain}`, isServerOnly: isRaftMethod } } : {}),
  };
}

/** The datacenter of the WAN-pool server whose RPC address is `addr` (undefined: not a WAN server). */
export function datacenterOfServer(addr: string, wanMembers: readonly AgentMember[]): string | undefined {
  for (const m of wanMembers) {
    if (!m.Tags.dc) continue;
    const s = serverInfo({ name: m.Name, addr: m.Addr, tags: m.Tags, status: 'alive' });
    if (s?.rpcAddr === addr) return m.Tags.dc;
  }
  return undefined;
}
