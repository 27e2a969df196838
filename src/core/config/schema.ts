// The agent's configuration file keys (JSON; Consul's snake_case names), validated with zod.
// Unknown keys are an error, as in Consul. Sections that later features consume (services,
// checks, watches, acl, connect, telemetry...) are accepted here as objects and validated where
// they are used.
import { z } from 'zod';
import { AuditSchema } from './audit-schema.js';
import { AclSchema, DeprecatedAclKeysSchema } from './acl-schema.js';
import { DeprecatedTlsKeysSchema, TlsSchema } from './tls-schema.js';

const port = z.number().int().min(-1).max(65535);
const section = z.record(z.string(), z.unknown());
const duration = z.union([z.string(), z.number()]);

export const PortsSchema = z
  .strictObject({
    dns: port,
    http: port,
    https: port,
    grpc: port,
    grpc_tls: port,
    serf_lan: port,
    serf_wan: port,
    server: port,
    sidecar_min_port: port,
    sidecar_max_port: port,
    expose_min_port: port,
    expose_max_port: port,
  })
  .partial();

// Consul's telemetry block (agent/config/config.go Telemetry). Sinks other than the in-memory
// one and Prometheus (statsd, statsite, dogstatsd, circonus) are accepted and not used.
export const TelemetrySchema = z
  .strictObject({
    prometheus_retention_time: duration,
    disable_hostname: z.boolean(),
    metrics_prefix: z.string(),
    filter_default: z.boolean(),
    prefix_filter: z.array(z.string()),
    enable_host_metrics: z.boolean(),
    disable_per_tenancy_usage_metrics: z.boolean(),
    retry_failed_connection: z.boolean(),
    statsd_address: z.string(),
    statsite_address: z.string(),
    dogstatsd_addr: z.string(),
    dogstatsd_tags: z.array(z.string()),
    circonus_api_app: z.string(),
    circonus_api_token: z.string(),
    circonus_api_url: z.string(),
    circonus_broker_id: z.string(),
    circonus_broker_select_tag: z.string(),
    circonus_check_display_name: z.string(),
    circonus_check_force_metric_activation: z.string(),
    circonus_check_id: z.string(),
    circonus_check_instance_id: z.string(),
    circonus_check_search_tag: z.string(),
    circonus_check_tags: z.string(),
    circonus_submission_interval: z.string(),
    circonus_submission_url: z.string(),
  })
  .partial();

export const LimitsSchema = z
  .strictObject({
    kv_max_value_size: z.number().int().positive(),
    txn_max_req_len: z.number().int().positive(),
    http_max_conns_per_client: z.number().int(),
    rpc_max_conns_per_client: z.number().int(),
    rpc_rate: z.number(),
    rpc_max_burst: z.number().int(),
    rpc_handshake_timeout: duration,
    rpc_client_timeout: duration,
    http_handshake_timeout: duration,
    request_limits: z
      .strictObject({
        mode: z.enum(['disabled', 'permissive', 'enforcing']),
        read_rate: z.number(),
        write_rate: z.number(),
      })
      .partial(),
  })
  .partial();

export const PerformanceSchema = z
  .strictObject({
    raft_multiplier: z.number().int().min(1).max(10),
    leave_drain_time: duration,
    rpc_hold_timeout: duration,
  })
  .partial();

/** gossip_lan / gossip_wan: memberlist timing overrides (Consul: GossipLANConfig). */
export const GossipSchema = z
  .strictObject({
    gossip_nodes: z.number().int().positive(),
    gossip_interval: duration,
    probe_interval: duration,
    probe_timeout: duration,
    suspicion_mult: z.number().int().positive(),
    retransmit_mult: z.number().int().positive(),
  })
  .partial();

export const FileConfigSchema = z
  .strictObject({
    node_name: z.string(),
    node_id: z.string(),
    node_meta: z.record(z.string(), z.string()),
    datacenter: z.string(),
    primary_datacenter: z.string(),
    data_dir: z.string(),
    server: z.boolean(),
    bootstrap: z.boolean(),
    bootstrap_expect: z.number().int().min(0),
    bind_addr: z.string(),
    client_addr: z.string(),
    advertise_addr: z.string(),
    advertise_addr_wan: z.string(),
    serf_lan: z.string(),
    serf_wan: z.string(),
    addresses: z.strictObject({ dns: z.string(), http: z.string(), https: z.string(), grpc: z.string(), grpc_tls: z.string() }).partial(),
    ports: PortsSchema,
    domain: z.string(),
    alt_domain: z.string(),
    recursors: z.array(z.string()),
    dns_config: section,
    log_level: z.string(),
    log_json: z.boolean(),
    log_file: z.string(),
    enable_syslog: z.boolean(),
    syslog_facility: z.string(),
    pid_file: z.string(),
    // Deprecated (moved to ui_config.*) but accepted with a warning: config/deprecated.ts.
    ui: z.boolean(),
    ui_dir: z.string(),
    ui_content_path: z.string(),
    ui_config: section,
    enable_script_checks: z.boolean(),
    enable_local_script_checks: z.boolean(),
    disable_remote_exec: z.boolean(),
    disable_update_check: z.boolean(),
    disable_host_node_id: z.boolean(),
    encrypt: z.string(),
    encrypt_verify_incoming: z.boolean(),
    encrypt_verify_outgoing: z.boolean(),
    start_join: z.array(z.string()),
    start_join_wan: z.array(z.string()),
    retry_join: z.array(z.string()),
    retry_join_wan: z.array(z.string()),
    retry_interval: duration,
    retry_interval_wan: duration,
    retry_max: z.number().int().min(0),
    retry_max_wan: z.number().int().min(0),
    rejoin_after_leave: z.boolean(),
    leave_on_terminate: z.boolean(),
    skip_leave_on_interrupt: z.boolean(),
    limits: LimitsSchema,
    performance: PerformanceSchema,
    raft_protocol: z.number().int(),
    raft_snapshot_threshold: z.number().int().positive(),
    raft_snapshot_interval: duration,
    raft_trailing_logs: z.number().int().min(0),
    default_query_time: duration,
    max_query_time: duration,
    reconnect_timeout: duration,
    reconnect_timeout_wan: duration,
    advertise_reconnect_timeout: duration,
    gossip_lan: GossipSchema,
    gossip_wan: GossipSchema,
    check_output_max_size: z.number().int().positive(),
    // Consul's internal tuning of how often agents report their coordinate (agent/config).
    sync_coordinate_interval_min: duration,
    sync_coordinate_rate_target: z.number().positive(),
    translate_wan_addrs: z.boolean(),
    http_config: section,
    telemetry: TelemetrySchema,
    audit: AuditSchema,
    tls: TlsSchema,
    // Deprecated top-level TLS keys, moved into `tls` with a warning (config/tls.ts).
    ...DeprecatedTlsKeysSchema,
    auto_encrypt: section,
    acl: AclSchema,
    // Deprecated top-level ACL keys, moved into `acl` with Consul's warnings (config/acl.ts).
    ...DeprecatedAclKeysSchema,
    connect: section,
    autopilot: section,
    service: section,
    services: z.array(section),
    check: section,
    checks: z.array(section),
    watches: z.array(section),
  })
  .partial();

export type FileConfig = z.infer<typeof FileConfigSchema>;

/** Keys whose list values accumulate across files instead of replacing (Consul's merge rules). */
export const APPEND_KEYS = new Set<keyof FileConfig>([
  'services',
  'checks',
  'watches',
  'retry_join',
  'retry_join_wan',
  'start_join',
  'start_join_wan',
  'recursors',
]);

/** Object-valued keys merged key by key across files. */
export const MERGE_KEYS = new Set<keyof FileConfig>(['ports', 'limits', 'performance', 'node_meta', 'addresses', 'dns_config', 'ui_config', 'http_config', 'telemetry', 'audit', 'tls', 'acl', 'connect', 'autopilot', 'gossip_lan', 'gossip_wan']);
