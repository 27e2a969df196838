// The gossip part of the runtime config (Consul: agent/config/builder.go, the serf and memberlist
// settings): encryption key, join lists and retry, reconnect timeouts, timing overrides.
import { ConfigError } from './load.js';
import { configDurationMs } from './durations.js';
import type { FileConfig } from './schema.js';

/** Overrides of memberlist's LAN/WAN profile (`gossip_lan` / `gossip_wan`). */
export interface GossipTimingOverrides {
  gossipNodes?: number;
  gossipIntervalMs?: number;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  suspicionMult?: number;
  retransmitMult?: number;
}

export interface GossipRuntime {
  /** The decoded `encrypt` key, or undefined when gossip is not encrypted. */
  encryptKey: Uint8Array | undefined;
  encryptVerifyIncoming: boolean;
  encryptVerifyOutgoing: boolean;
  startJoin: string[];
  startJoinWan: string[];
  retryJoin: string[];
  retryJoinWan: string[];
  retryIntervalMs: number;
  retryIntervalWanMs: number;
  /** 0 = retry forever. */
  retryMax: number;
  retryMaxWan: number;
  rejoinAfterLeave: boolean;
  reconnectTimeoutMs: number;
  reconnectTimeoutWanMs: number;
  /** Where the LAN / WAN serf listeners bind (default: bind_addr). */
  serfLanBind: string;
  serfWanBind: string;
  advertiseAddrWan: string;
  lan: GossipTimingOverrides;
  wan: GossipTimingOverrides;
}

const HOUR = 3_600_000;

/** memberlist.ValidateKey and Consul's "encrypt has invalid key" check. */
export function decodeGossipKey(text: string): Uint8Array {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new ConfigError(`encrypt has invalid key: illegal base64 data at input byte ${firstBadByte(trimmed)}`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (![16, 24, 32].includes(key.length)) throw new ConfigError('encrypt has invalid key: key size must be 16, 24 or 32 bytes');
  return new Uint8Array(key);
}

function firstBadByte(s: string): number {
  const i = s.search(/[^A-Za-z0-9+/=]/);
  return i < 0 ? s.length - (s.length % 4) : i;
}

function timing(g: FileConfig['gossip_lan'], key: string): GossipTimingOverrides {
  if (!g) return {};
  const out: GossipTimingOverrides = {};
  if (g.gossip_nodes !== undefined) out.gossipNodes = g.gossip_nodes;
  if (g.gossip_interval !== undefined) out.gossipIntervalMs = configDurationMs(g.gossip_interval, `${key}.gossip_interval`, 0);
  if (g.probe_interval !== undefined) out.probeIntervalMs = configDurationMs(g.probe_interval, `${key}.probe_interval`, 0);
  if (g.probe_timeout !== undefined) out.probeTimeoutMs = configDurationMs(g.probe_timeout, `${key}.probe_timeout`, 0);
  if (g.suspicion_mult !== undefined) out.suspicionMult = g.suspicion_mult;
  if (g.retransmit_mult !== undefined) out.retransmitMult = g.retransmit_mult;
  return out;
}

export function buildGossipRuntime(f: FileConfig, bindAddr: string, advertiseAddr: string): GossipRuntime {
  const reconnect = configDurationMs(f.reconnect_timeout, 'reconnect_timeout', 72 * HOUR);
  const reconnectWan = configDurationMs(f.reconnect_timeout_wan, 'reconnect_timeout_wan', 72 * HOUR);
  if (f.reconnect_timeout !== undefined && reconnect < 8 * HOUR) throw new ConfigError('reconnect_timeout must be >= 8h');
  if (f.reconnect_timeout_wan !== undefined && reconnectWan < 8 * HOUR) throw new ConfigError('reconnect_timeout_wan must be >= 8h');
  return {
    encryptKey: f.encrypt ? decodeGossipKey(f.encrypt) : undefined,
    encryptVerifyIncoming: f.encrypt_verify_incoming ?? true,
    encryptVerifyOutgoing: f.encrypt_verify_outgoing ?? true,
    startJoin: f.start_join ?? [],
    startJoinWan: f.start_join_wan ?? [],
    retryJoin: f.retry_join ?? [],
    retryJoinWan: f.retry_join_wan ?? [],
    retryIntervalMs: configDurationMs(f.retry_interval, 'retry_interval', 30_000),
    retryIntervalWanMs: configDurationMs(f.retry_interval_wan, 'retry_interval_wan', 30_000),
    retryMax: f.retry_max ?? 0,
    retryMaxWan: f.retry_max_wan ?? 0,
    rejoinAfterLeave: f.rejoin_after_leave ?? false,
    reconnectTimeoutMs: reconnect,
    reconnectTimeoutWanMs: reconnectWan,
    serfLanBind: f.serf_lan ?? bindAddr,
    serfWanBind: f.serf_wan ?? bindAddr,
    advertiseAddrWan: f.advertise_addr_wan ?? advertiseAddr,
    lan: timing(f.gossip_lan, 'gossip_lan'),
    wan: timing(f.gossip_wan, 'gossip_wan'),
  };
}
