// memberlist's three stock timing profiles (config.go: DefaultLANConfig, DefaultWANConfig,
// DefaultLocalConfig). Consul uses LAN for serf_lan and WAN for serf_wan; LOCAL is for loopback
// tests. Values are milliseconds; keep them equal to the Go defaults so that timings measured
// against a real serf agent (PROTOCOLS.md §2, §5) hold for us too.
import type { MemberlistTiming } from './types.js';

export const LAN_TIMING: MemberlistTiming = Object.freeze({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  retransmitMult: 4,
  pushPullIntervalMs: 30_000,
  tcpTimeoutMs: 10_000,
  awarenessMaxMultiplier: 8,
  udpBufferSize: 1400,
  deadNodeReclaimMs: 0,
});

export const WAN_TIMING: MemberlistTiming = Object.freeze({
  ...LAN_TIMING,
  tcpTimeoutMs: 30_000,
  suspicionMult: 6,
  pushPullIntervalMs: 60_000,
  probeTimeoutMs: 3000,
  probeIntervalMs: 5000,
  gossipNodes: 4,
  gossipIntervalMs: 500,
  gossipToTheDeadMs: 60_000,
});

export const LOCAL_TIMING: MemberlistTiming = Object.freeze({
  ...LAN_TIMING,
  tcpTimeoutMs: 1000,
  indirectChecks: 1,
  retransmitMult: 2,
  suspicionMult: 3,
  pushPullIntervalMs: 15_000,
  probeTimeoutMs: 200,
  probeIntervalMs: 1000,
  gossipIntervalMs: 100,
  gossipToTheDeadMs: 15_000,
});

export type TimingProfileName = 'lan' | 'wan' | 'local';

export function timingProfile(name: TimingProfileName): MemberlistTiming {
  return name === 'wan' ? WAN_TIMING : name === 'local' ? LOCAL_TIMING : LAN_TIMING;
}
