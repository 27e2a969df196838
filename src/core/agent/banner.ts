// The startup banner, laid out as Consul's (`==> Starting Consul agent...` and aligned lines).
import type { RuntimeConfig } from '../config/index.js';
import { BUILD_DATE, CONSUL_API_VERSION, CONSUL_TS_VERSION } from '../version.js';

export function banner(c: RuntimeConfig, nodeId: string): string {
  const p = c.ports;
  const rows: [string, string][] = [
    ['Version', `'${CONSUL_API_VERSION}' (consul-ts ${CONSUL_TS_VERSION})`],
    ['Build Date', `'${BUILD_DATE}'`],
    ['Node ID', `'${nodeId}'`],
    ['Node name', `'${c.nodeName}'`],
    ['Datacenter', `'${c.datacenter}' (Segment: '${c.server ? '<all>' : ''}')`],
    ['Server', `${c.server} (Bootstrap: ${c.bootstrap || c.bootstrapExpect === 1})`],
    ['Client Addr', `[${c.clientAddrs.join(' ')}] (HTTP: ${p.http}, HTTPS: ${p.https}, gRPC: ${p.grpc}, gRPC-TLS: -1, DNS: ${p.dns})`],
    ['Cluster Addr', `${c.advertiseAddr} (LAN: ${p.serfLan}, WAN: ${p.serfWan})`],
    ['Gossip Encryption', 'false'],
    ['Auto-Encrypt-TLS', 'false'],
    ['ACL Enabled', 'false'],
    ['Reporting Enabled', 'false'],
    ['ACL Default Policy', 'allow'],
    ['HTTPS TLS', 'Verify Incoming: false, Verify Outgoing: false, Min Version: TLSv1_2'],
    ['gRPC TLS', 'Verify Incoming: false, Min Version: TLSv1_2'],
    ['Internal RPC TLS', 'Verify Incoming: false, Verify Outgoing: false (Verify Hostname: false), Min Version: TLSv1_2'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${' '.repeat(width - k.length + 11)}${k}: ${v}`);
  return ['==> Starting Consul agent...', ...lines, '', '==> Log data will now stream in as it occurs:', '', ''].join('\n');
}
