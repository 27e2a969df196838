// `consul agent` command-line flags as a config source (Consul: agent/config/flags.go): flags are
// the last layer, so they override every file.
import type { FileConfig } from './schema.js';

export interface AgentFlags {
  dev?: boolean;
  server?: boolean;
  bootstrap?: boolean;
  'bootstrap-expect'?: number;
  'data-dir'?: string;
  node?: string;
  'node-id'?: string;
  'node-meta'?: string[];
  bind?: string;
  client?: string;
  advertise?: string;
  'advertise-wan'?: string;
  datacenter?: string;
  domain?: string;
  'http-port'?: number;
  'https-port'?: number;
  'dns-port'?: number;
  'grpc-port'?: number;
  'serf-lan-port'?: number;
  'serf-wan-port'?: number;
  'server-port'?: number;
  'log-level'?: string;
  'pid-file'?: string;
  ui?: boolean;
  'ui-dir'?: string;
  'ui-content-path'?: string;
  syslog?: boolean;
  'enable-script-checks'?: boolean;
  'enable-local-script-checks'?: boolean;
  'retry-join'?: string[];
  join?: string[];
  'retry-join-wan'?: string[];
  'join-wan'?: string[];
  'retry-interval'?: string;
  'retry-interval-wan'?: string;
  'retry-max'?: number;
  'retry-max-wan'?: number;
  rejoin?: boolean;
  'serf-lan-bind'?: string;
  'serf-wan-bind'?: string;
  encrypt?: string;
  'raft-protocol'?: number;
  recursor?: string[];
  'config-format'?: string;
}

export function flagsToFileConfig(f: AgentFlags): FileConfig {
  const out: FileConfig = {};
  const ports: NonNullable<FileConfig['ports']> = {};
  const set = <K extends keyof FileConfig>(k: K, v: FileConfig[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('server', f.server);
  set('bootstrap', f.bootstrap);
  set('bootstrap_expect', f['bootstrap-expect']);
  set('data_dir', f['data-dir']);
  set('node_name', f.node);
  set('node_id', f['node-id']);
  set('bind_addr', f.bind);
  set('client_addr', f.client);
  set('advertise_addr', f.advertise);
  set('advertise_addr_wan', f['advertise-wan']);
  set('datacenter', f.datacenter);
  set('domain', f.domain);
  set('log_level', f['log-level']);
  set('pid_file', f['pid-file']);
  set('enable_syslog', f.syslog);
  set('enable_script_checks', f['enable-script-checks']);
  set('enable_local_script_checks', f['enable-local-script-checks']);
  set('retry_join', f['retry-join']);
  set('start_join', f.join);
  set('retry_join_wan', f['retry-join-wan']);
  set('start_join_wan', f['join-wan']);
  set('retry_interval', f['retry-interval']);
  set('retry_interval_wan', f['retry-interval-wan']);
  set('retry_max', f['retry-max']);
  set('retry_max_wan', f['retry-max-wan']);
  set('rejoin_after_leave', f.rejoin);
  set('serf_lan', f['serf-lan-bind']);
  set('serf_wan', f['serf-wan-bind']);
  set('encrypt', f.encrypt);
  set('raft_protocol', f['raft-protocol']);
  set('recursors', f.recursor);
  if (f['node-meta']) {
    const meta: Record<string, string> = {};
    for (const kv of f['node-meta']) {
      const at = kv.indexOf(':');
      meta[at < 0 ? kv : kv.slice(0, at)] = at < 0 ? '' : kv.slice(at + 1);
    }
    out.node_meta = meta;
  }
  if (f['http-port'] !== undefined) ports.http = f['http-port'];
  if (f['https-port'] !== undefined) ports.https = f['https-port'];
  if (f['dns-port'] !== undefined) ports.dns = f['dns-port'];
  if (f['grpc-port'] !== undefined) ports.grpc = f['grpc-port'];
  if (f['serf-lan-port'] !== undefined) ports.serf_lan = f['serf-lan-port'];
  if (f['serf-wan-port'] !== undefined) ports.serf_wan = f['serf-wan-port'];
  if (f['server-port'] !== undefined) ports.server = f['server-port'];
  if (Object.keys(ports).length > 0) out.ports = ports;
  // Consul's flags set ui_config directly (agent/config/flags.go), so they carry no deprecation warning.
  const ui: Record<string, unknown> = {};
  if (f.ui !== undefined) ui['enabled'] = f.ui;
  if (f['ui-dir'] !== undefined) ui['dir'] = f['ui-dir'];
  if (f['ui-content-path'] !== undefined) ui['content_path'] = f['ui-content-path'];
  if (Object.keys(ui).length > 0) out.ui_config = ui;
  return out;
}
