// The server RPC port's TLS settings from the agent's loaded TLS material (tls.internal_rpc).
import type { RuntimeConfig } from '../config/index.js';
import type { RpcServerOptions } from '../rpc/index.js';
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
