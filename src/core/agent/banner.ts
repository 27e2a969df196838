// The startup banner, laid out as Consul's (`==> Starting Consul agent...` and aligned lines).
import type { RuntimeConfig } from '../config/index.js';
import { BUILD_DATE, CONSUL_API_VERSION, CONSUL_TS_VERSION } from '../version.js';

/**
 * Ports of listeners this agent does not have yet (gRPC, gRPC-TLS): the banner shows -1 for them,
 * as Consul does for a disabled listener, whatever the config asks, so that it describes what runs.
 */
const NOT_LISTENING = -1;

export function banner(c: RuntimeConfig, nodeId: string): string {
  const p = c.ports;
  const off = NOT_LISTENING;
  const t = c.tls;
  const rows: [string, string][] = [
    ['Version', `'${CONSUL_API_VERSION}' (consul-ts ${CONSUL_TS_VERSION})`],
    ['Build Date', `'${BUILD_DATE}'`],
    ['Node ID', `'${nodeId}'`],
    ['Node name', `'${c.nodeName}'`],
    ['Datacenter', `'${c.datacenter}' (Segment: '${c.server ? '<all>' : ''}')`],
    ['Server', `${c.server} (Bootstrap: ${c.bootstrap || c.bootstrapExpect === 1})`],
    ['Client Addr', `[${c.clientAddrs.join(' ')}] (HTTP: ${p.http}, HTTPS: ${p.https}, gRPC: ${off}, gRPC-TLS: ${off}, DNS: ${p.dns})`],
    ['Cluster Addr', `${c.advertiseAddr} (LAN: ${p.serfLan}, WAN: ${p.serfWan})`],
    // Consul: config.EncryptKey != "" (the -encrypt flag or the encrypt key).
    ['Gossip Encryption', String(c.gossip.encryptKey !== undefined)],
    ['Auto-Encrypt-TLS', 'false'],
    ['ACL Enabled', String(c.acl.enabled)],
    ['Reporting Enabled', 'false'],
    ['ACL Default Policy', c.acl.defaultPolicy],
    ['HTTPS TLS', `Verify Incoming: ${t.https.verifyIncoming}, Verify Outgoing: ${t.https.verifyOutgoing}, Min Version: ${t.https.tlsMinVersion}`],
    ['gRPC TLS', `Verify Incoming: ${t.grpc.verifyIncoming}, Min Version: ${t.grpc.tlsMinVersion}`],
    [
      'Internal RPC TLS',
      `Verify Incoming: ${t.internalRpc.verifyIncoming}, Verify Outgoing: ${t.internalRpc.verifyOutgoing} (Verify Hostname: ${t.internalRpc.verifyServerHostname}), Min Version: ${t.internalRpc.tlsMinVersion}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${' '.repeat(width - k.length + 11)}${k}: ${v}`);
  return ['==> Starting Consul agent...', ...lines, '', '==> Log data will now stream in as it occurs:', '', ''].join('\n');
}
