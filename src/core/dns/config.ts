// DNS settings from the runtime config: `domain`, `alt_domain`, `recursors` and the `dns_config`
// section (Consul: agent/config/runtime.go DNS*, defaults in agent/config/default.go).
// The config loader accepts `dns_config` as an opaque object; it is validated here, and a bad
// value becomes a ConfigError naming the key, as the loader reports other keys.
import { z } from 'zod';
import { ConfigError, configDurationMs, type RuntimeConfig } from '../config/index.js';

/** Service TTL rules: an exact name beats the longest `prefix*` rule (Consul: TTLStrict + TTLRadix). */
export interface ServiceTtlRules {
  readonly exact: ReadonlyMap<string, number>;
  /** [prefix, ttl seconds], longest prefix first; `*` is the empty prefix. */
  readonly prefixes: readonly (readonly [string, number])[];
}

export interface SoaConfig {
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minTtl: number;
}

export type RecursorStrategy = 'sequential' | 'random';

export interface DnsOptions {
  /** Lower case, no trailing dot (`consul`). */
  readonly domain: string;
  /** Lower case, no trailing dot; '' when not configured. */
  readonly altDomain: string;
  readonly datacenter: string;
  readonly nodeTtlS: number;
  readonly serviceTtl: ServiceTtlRules;
  readonly allowStale: boolean;
  readonly maxStaleMs: number;
  readonly onlyPassing: boolean;
  readonly udpAnswerLimit: number;
  /** 0 = unlimited. */
  readonly aRecordLimit: number;
  readonly enableTruncate: boolean;
  readonly disableCompression: boolean;
  readonly nodeMetaTxt: boolean;
  readonly soa: SoaConfig;
  /** `host:port` (port 53 added when missing). */
  readonly recursors: readonly string[];
  readonly recursorTimeoutMs: number;
  readonly recursorStrategy: RecursorStrategy;
}

const duration = z.union([z.string(), z.number()]);
const u32 = z.number().int().min(0).max(0xffffffff);

const DnsConfigSchema = z
  .strictObject({
    allow_stale: z.boolean(),
    max_stale: duration,
    node_ttl: duration,
    service_ttl: z.record(z.string(), duration),
    udp_answer_limit: z.number().int().min(0),
    a_record_limit: z.number().int().min(0),
    enable_truncate: z.boolean(),
    only_passing: z.boolean(),
    disable_compression: z.boolean(),
    enable_additional_node_meta_txt: z.boolean(),
    recursor_strategy: z.enum(['sequential', 'random']),
    recursor_timeout: duration,
    use_cache: z.boolean(),
    cache_max_age: duration,
    prefer_namespace: z.boolean(),
    soa: z.strictObject({ refresh: u32, retry: u32, expire: u32, min_ttl: u32 }).partial(),
  })
  .partial();

type DnsConfigFile = z.infer<typeof DnsConfigSchema>;

export const DNS_DEFAULTS: DnsOptions = {
  domain: 'consul',
  altDomain: '',
  datacenter: 'dc1',
  nodeTtlS: 0,
  serviceTtl: { exact: new Map(), prefixes: [] },
  allowStale: true,
  maxStaleMs: 87600 * 3_600_000,
  onlyPassing: false,
  udpAnswerLimit: 3,
  aRecordLimit: 0,
  enableTruncate: false,
  disableCompression: false,
  nodeMetaTxt: true,
  soa: { refresh: 3600, retry: 600, expire: 86400, minTtl: 0 },
  recursors: [],
  recursorTimeoutMs: 2000,
  recursorStrategy: 'sequential',
};

const seconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

export function serviceTtlRules(raw: Record<string, string | number> | undefined): ServiceTtlRules {
  const exact = new Map<string, number>();
  const prefixes: [string, number][] = [];
  for (const [key, v] of Object.entries(raw ?? {})) {
    const ttl = seconds(configDurationMs(v, `dns_config.service_ttl.${key}`, 0));
    const name = key.toLowerCase();
    if (name.endsWith('*')) prefixes.push([name.slice(0, -1), ttl]);
    else exact.set(name, ttl);
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);
  return { exact, prefixes };
}

/** TTL (seconds) for a service name: exact rule, else the longest matching prefix rule, else 0. */
export function serviceTtlFor(rules: ServiceTtlRules, service: string): number {
  const name = service.toLowerCase();
  const exact = rules.exact.get(name);
  if (exact !== undefined) return exact;
  for (const [prefix, ttl] of rules.prefixes) if (name.startsWith(prefix)) return ttl;
  return 0;
}

/** `1.2.3.4` -> `1.2.3.4:53`, `[::1]:5353` kept, `::1` -> `[::1]:53` (Consul: formatRecursorAddress). */
export function recursorAddress(r: string): string {
  const s = r.trim();
  if (s === '') throw new ConfigError(`Invalid recursor address: empty`);
  if (s.startsWith('[')) return /\]:\d+$/.test(s) ? s : `${s}:53`;
  const colons = (s.match(/:/g) ?? []).length;
  if (colons === 0) return `${s}:53`;
  if (colons === 1) return s;
  return `[${s}]:53`;
}

function describe(issue: z.core.$ZodIssue): string {
  const key = ['dns_config', ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `invalid config key ${key}.${k}`).join(', ');
  return `${key}: ${issue.message}`;
}

export function parseDnsConfig(raw: unknown): DnsConfigFile {
  const parsed = DnsConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(describe).join('; '));
  return parsed.data;
}

export function dnsOptionsFromConfig(c: RuntimeConfig): DnsOptions {
  const d = parseDnsConfig(c.file.dns_config);
  const norm = (s: string): string => s.toLowerCase().replace(/^\.+|\.+$/g, '');
  const soa = d.soa ?? {};
  const D = DNS_DEFAULTS;
  return {
    domain: norm(c.domain),
    altDomain: norm(c.file.alt_domain ?? ''),
    datacenter: c.datacenter.toLowerCase(),
    nodeTtlS: seconds(configDurationMs(d.node_ttl, 'dns_config.node_ttl', 0)),
    serviceTtl: serviceTtlRules(d.service_ttl),
    allowStale: d.allow_stale ?? D.allowStale,
    maxStaleMs: configDurationMs(d.max_stale, 'dns_config.max_stale', D.maxStaleMs),
    onlyPassing: d.only_passing ?? D.onlyPassing,
    udpAnswerLimit: d.udp_answer_limit ?? D.udpAnswerLimit,
    aRecordLimit: d.a_record_limit ?? D.aRecordLimit,
    enableTruncate: d.enable_truncate ?? D.enableTruncate,
    disableCompression: d.disable_compression ?? D.disableCompression,
    nodeMetaTxt: d.enable_additional_node_meta_txt ?? D.nodeMetaTxt,
    soa: {
      refresh: soa.refresh ?? D.soa.refresh,
      retry: soa.retry ?? D.soa.retry,
      expire: soa.expire ?? D.soa.expire,
      minTtl: soa.min_ttl ?? D.soa.minTtl,
    },
    recursors: (c.file.recursors ?? []).map(recursorAddress),
    recursorTimeoutMs: configDurationMs(d.recursor_timeout, 'dns_config.recursor_timeout', D.recursorTimeoutMs),
    recursorStrategy: d.recursor_strategy ?? D.recursorStrategy,
  };
}
