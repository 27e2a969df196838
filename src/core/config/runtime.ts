// RuntimeConfig: the merged, validated configuration the agent runs with (Consul: agent/config/runtime.go).
import os from 'node:os';
import { isLogLevel, type LogLevel } from '../support/logger.js';
import { parseAgentWatches, type AgentWatch } from '../watch/agent-watches.js';
import { applyDeprecatedConfig } from './deprecated.js';
import { applyDeprecatedAcl, buildAclRuntime, type AclRuntime } from './acl.js';
import { ConfigError, mergeConfigs, parseConfigText, readConfigPath, type ConfigFormat } from './load.js';
import { configDurationMs } from './durations.js';
import { buildGossipRuntime, type GossipRuntime } from './gossip.js';
import { buildTelemetryRuntime, type TelemetryRuntime } from './telemetry.js';
import { buildAuditRuntime, type AuditRuntime } from './audit.js';
import { applyDeprecatedTlsConfig, buildTlsRuntime, type TlsRuntime } from './tls.js';

export { configDurationMs };
import type { FileConfig } from './schema.js';
import { buildLimits, type LimitsRuntime } from './limits.js';

export interface Ports {
  dns: number;
  http: number;
  https: number;
  grpc: number;
  serfLan: number;
  serfWan: number;
  server: number;
}

export interface RuntimeConfig {
  devMode: boolean;
  nodeName: string;
  /** From config; otherwise the agent reads or creates `<data-dir>/node-id`. */
  nodeId: string;
  nodeMeta: Record<string, string>;
  datacenter: string;
  primaryDatacenter: string;
  dataDir: string;
  server: boolean;
  bootstrap: boolean;
  bootstrapExpect: number;
  bindAddr: string;
  advertiseAddr: string;
  clientAddrs: string[];
  ports: Ports;
  /** Where the HTTPS API listens (addresses.https, else the client addresses) when ports.https > 0. */
  httpsAddrs: string[];
  /** The `tls` block with the deprecated top-level keys folded in (config/tls.ts). */
  tls: TlsRuntime;
  domain: string;
  logLevel: LogLevel;
  pidFile: string;
  uiEnabled: boolean;
  /** ui_config (Consul: RuntimeConfig.UIConfig); the deprecated ui/ui_dir/ui_content_path land here. */
  uiConfig: UIConfigRuntime;
  /** enable_syslog / -syslog: agent logs also go to the local syslog (agent/syslog-sink.ts). */
  enableSyslog: boolean;
  /** syslog_facility, Consul's default LOCAL0. */
  syslogFacility: string;
  /** Consul's config warnings (deprecated keys, skipped files): logged by the agent at startup. */
  warnings: string[];
  kvMaxValueSize: number;
  /** limits { http_max_conns_per_client, rpc_max_conns_per_client, request_limits ... }. */
  limits: LimitsRuntime;
  txnMaxReqLen: number;
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
  /** Agents report their LAN coordinate at least this far apart (sync_coordinate_interval_min, 15 s)... */
  syncCoordinateIntervalMinMs: number;
  /** ...and slower in large clusters: the whole cluster aims at this many reports per second. */
  syncCoordinateRateTarget: number;
  raftMultiplier: number;
  raftSnapshotThreshold: number;
  raftSnapshotIntervalMs: number;
  raftTrailingLogs: number;
  rpcHoldTimeoutMs: number;
  leaveOnTerminate: boolean;
  skipLeaveOnInterrupt: boolean;
  enableScriptChecks: boolean;
  enableLocalScriptChecks: boolean;
  /** Serf/memberlist settings: encryption, joins, reconnect, timing (config/gossip.ts). */
  gossip: GossipRuntime;
  /** The `autopilot` block (Consul's defaults when absent). */
  autopilot: AutopilotRuntime;
  /** The `telemetry` block (config/telemetry.ts). */
  telemetry: TelemetryRuntime;
  /** The `audit` block (config/audit.ts). */
  audit: AuditRuntime;
  /** The `acl` block, deprecated ACL keys applied (config/acl.ts). */
  acl: AclRuntime;
  /** `watches`, validated as Consul validates them (a bad one fails loading). */
  watches: AgentWatch[];
  /** The merged file config, for the parts later features read (services, checks, watches...). */
  file: FileConfig;
  /** Where the config came from, for reload. */
  sources: SourceSpec;
}

export interface AutopilotRuntime {
  cleanupDeadServers: boolean;
  lastContactThresholdMs: number;
  maxTrailingLogs: number;
  serverStabilizationTimeMs: number;
}

function buildAutopilot(a: Record<string, unknown> | undefined): AutopilotRuntime {
  const bool = (k: string, d: boolean): boolean => {
    const v = a?.[k];
    if (v === undefined) return d;
    if (typeof v !== 'boolean') throw new ConfigError(`autopilot.${k}: must be a boolean`);
    return v;
  };
  const int = (k: string, d: number): number => {
    const v = a?.[k];
    if (v === undefined) return d;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(`autopilot.${k}: must be a non-negative integer`);
    return v;
  };
  const dur = (k: string, d: number): number => {
    const v = a?.[k];
    if (v !== undefined && typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(`autopilot.${k}: must be a duration`);
    return configDurationMs(v as string | number | undefined, `autopilot.${k}`, d);
  };
  return {
    cleanupDeadServers: bool('cleanup_dead_servers', true),
    lastContactThresholdMs: dur('last_contact_threshold', 200),
    maxTrailingLogs: int('max_trailing_logs', 250),
    serverStabilizationTimeMs: dur('server_stabilization_time', 10_000),
  };
}

export interface UIConfigRuntime {
  enabled: boolean;
  dir: string;
  contentPath: string;
}

export interface SourceSpec {
  dev: boolean;
  paths: string[];
  flags: FileConfig;
  /** -hcl fragments, applied after the flags as sources named flags-0.hcl, flags-1.hcl... */
  hcl?: string[];
  /** -config-format: read every config file as this format. */
  format?: ConfigFormat;
}

/** Consul's built-in defaults (agent/config/default.go). */
function defaults(): FileConfig {
  return {
    datacenter: 'dc1',
    domain: 'consul',
    bind_addr: '0.0.0.0',
    client_addr: '127.0.0.1',
    log_level: 'info',
    ports: { dns: 8600, http: 8500, https: -1, grpc: -1, serf_lan: 8301, serf_wan: 8302, server: 8300 },
    default_query_time: '300s',
    max_query_time: '600s',
    raft_snapshot_threshold: 16384,
    raft_snapshot_interval: '30s',
    raft_trailing_logs: 10240,
  };
}

/** What -dev adds (Consul: agent/config/default.go DevSource). */
function devDefaults(): FileConfig {
  return {
    server: true,
    bootstrap: true,
    bind_addr: '127.0.0.1',
    client_addr: '127.0.0.1',
    ui_config: { enabled: true },
    log_level: 'debug',
    ports: { grpc: 8502 },
    performance: { raft_multiplier: 1 },
    // Consul's DevConsulSource: fast gossip so a dev cluster on one machine converges quickly.
    gossip_lan: { gossip_interval: '100ms', probe_interval: '100ms', probe_timeout: '100ms', suspicion_mult: 3 },
    gossip_wan: { gossip_interval: '100ms', probe_interval: '100ms', probe_timeout: '100ms', suspicion_mult: 3 },
    disable_update_check: true,
  };
}

export async function loadRuntimeConfig(spec: SourceSpec): Promise<RuntimeConfig> {
  const layers: FileConfig[] = [defaults()];
  const warnings: string[] = [];
  if (spec.dev) layers.push(devDefaults());
  for (const p of spec.paths) layers.push(...(await readConfigPath(p, { format: spec.format, warn: (w) => warnings.push(w) })));
  layers.push(spec.flags);
  // Consul: builder.go newBuilder puts each -hcl fragment after the flag values.
  for (const [i, text] of (spec.hcl ?? []).entries()) {
    const fragment = await parseConfigText(`flags-${i}.hcl`, text, 'hcl');
    if (fragment) layers.push(fragment);
  }
  // Consul moves the deprecated TLS keys inside each source before merging (source.go Parse calls
  // applyDeprecatedConfig), so a later file's old key beats an earlier file's new one.
  const undeprecated = layers.map((l) => {
    const r = applyDeprecatedTlsConfig(l);
    warnings.push(...r.warnings);
    return r.config;
  });
  return buildRuntime(mergeConfigs(undeprecated), spec, warnings);
}

const UI_BOTH_SET =
  'Both the ui_config.enabled and ui_config.dir (or -ui and -ui-dir) were specified, please provide only one.\n' +
  'If trying to use your own web UI resources, use ui_config.dir or the -ui-dir flag.\n' +
  'The web UI is included in the binary so use ui_config.enabled or the -ui flag to enable it';

function buildUIConfig(u: Record<string, unknown> | undefined): UIConfigRuntime {
  const typed = <T>(k: string, kind: 'boolean' | 'string', d: T): T => {
    const v = u?.[k];
    if (v === undefined) return d;
    if (typeof v !== kind) throw new ConfigError(`ui_config.${k}: must be a ${kind}`);
    return v as T;
  };
  return { enabled: typed('enabled', 'boolean', false), dir: typed('dir', 'string', ''), contentPath: typed('content_path', 'string', '/ui/') };
}

export function buildRuntime(merged: FileConfig, spec: SourceSpec, sourceWarnings: readonly string[] = []): RuntimeConfig {
  const { config: withAcl, warnings: aclDeprecations } = applyDeprecatedAcl(merged);
  const { config: undeprecated, warnings: uiDeprecations } = applyDeprecatedConfig(withAcl);
  const deprecations = [...aclDeprecations, ...uiDeprecations];
  // Consul appends the TLS deprecations after the others (deprecated.go applyDeprecatedTLSConfig).
  const { config: f, warnings: tlsDeprecations } = applyDeprecatedTlsConfig(undeprecated);
  const uiConfig = buildUIConfig(f.ui_config);
  // Consul: builder.go validate (dev mode turns the UI on by default, so it may also set a dir).
  if (!spec.dev && uiConfig.enabled && uiConfig.dir !== '') throw new ConfigError(UI_BOTH_SET);
  const logLevel = (f.log_level ?? 'info').toLowerCase();
  if (!isLogLevel(logLevel)) throw new ConfigError(`Invalid log level: ${f.log_level}`);
  const server = f.server ?? false;
  if (!spec.dev && !f.data_dir) throw new ConfigError('data_dir cannot be empty');
  if (!server && (f.bootstrap_expect ?? 0) > 0) throw new ConfigError("'bootstrap_expect' requires server mode");
  if (f.bootstrap && (f.bootstrap_expect ?? 0) > 1) throw new ConfigError("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
  const p = f.ports ?? {};
  const bind = f.bind_addr ?? '0.0.0.0';
  const mult = f.performance?.raft_multiplier ?? 5;
  const advertiseAddr = f.advertise_addr ?? (bind === '0.0.0.0' ? '127.0.0.1' : bind);
  let watches: AgentWatch[];
  try {
    watches = parseAgentWatches(f.watches);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const clientAddrs = (f.client_addr ?? '127.0.0.1').split(/\s+/).filter((a) => a !== '');
  const tls = buildTlsRuntime(f.tls);
  return {
    devMode: spec.dev,
    nodeName: f.node_name ?? os.hostname(),
    nodeId: f.node_id ?? '',
    nodeMeta: f.node_meta ?? {},
    datacenter: (f.datacenter ?? 'dc1').toLowerCase(),
    primaryDatacenter: (f.primary_datacenter ?? f.datacenter ?? 'dc1').toLowerCase(),
    dataDir: f.data_dir ?? '',
    server,
    bootstrap: f.bootstrap ?? false,
    bootstrapExpect: f.bootstrap_expect ?? 0,
    bindAddr: bind,
    advertiseAddr,
    clientAddrs,
    httpsAddrs: f.addresses?.https ? f.addresses.https.split(/\s+/).filter((a) => a !== '') : clientAddrs,
    tls,
    ports: {
      dns: p.dns ?? 8600,
      http: p.http ?? 8500,
      https: p.https ?? -1,
      grpc: p.grpc ?? -1,
      serfLan: p.serf_lan ?? 8301,
      serfWan: p.serf_wan ?? 8302,
      server: p.server ?? 8300,
    },
    domain: (f.domain ?? 'consul').replace(/\.$/, ''),
    logLevel,
    pidFile: f.pid_file ?? '',
    uiEnabled: uiConfig.enabled,
    uiConfig,
    enableSyslog: f.enable_syslog ?? false,
    syslogFacility: f.syslog_facility ?? 'LOCAL0',
    warnings: [...sourceWarnings, ...deprecations, ...tlsDeprecations],
    kvMaxValueSize: f.limits?.kv_max_value_size ?? 512 * 1024,
    limits: buildLimits(f.limits),
    txnMaxReqLen: f.limits?.txn_max_req_len ?? 512 * 1024,
    defaultQueryTimeMs: configDurationMs(f.default_query_time, 'default_query_time', 300_000),
    maxQueryTimeMs: configDurationMs(f.max_query_time, 'max_query_time', 600_000),
    syncCoordinateIntervalMinMs: configDurationMs(f.sync_coordinate_interval_min, 'sync_coordinate_interval_min', 15_000),
    syncCoordinateRateTarget: f.sync_coordinate_rate_target ?? 64,
    raftMultiplier: mult,
    raftSnapshotThreshold: f.raft_snapshot_threshold ?? 16384,
    raftSnapshotIntervalMs: configDurationMs(f.raft_snapshot_interval, 'raft_snapshot_interval', 30_000),
    raftTrailingLogs: f.raft_trailing_logs ?? 10240,
    rpcHoldTimeoutMs: configDurationMs(f.performance?.rpc_hold_timeout, 'performance.rpc_hold_timeout', 7000),
    leaveOnTerminate: f.leave_on_terminate ?? !server,
    skipLeaveOnInterrupt: f.skip_leave_on_interrupt ?? server,
    enableScriptChecks: f.enable_script_checks ?? false,
    enableLocalScriptChecks: f.enable_local_script_checks ?? false,
    gossip: buildGossipRuntime(f, bind, advertiseAddr),
    autopilot: buildAutopilot(f.autopilot),
    telemetry: buildTelemetryRuntime(f.telemetry),
    audit: buildAuditRuntime(f.audit),
    acl: buildAclRuntime(f.acl),
    watches,
    file: f,
    sources: spec,
  };
}
