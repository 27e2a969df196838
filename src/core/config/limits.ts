// The `limits` block's connection and request limits (Consul: agent/config/builder.go, the
// defaults from agent/config/default.go: 200 HTTP and 100 RPC connections per client IP, a 5 s
// handshake, request limits disabled with unlimited rates).
import type { FileConfig } from './schema.js';
import { configDurationMs } from './durations.js';

export type RequestLimitsMode = 'disabled' | 'permissive' | 'enforcing';

export interface LimitsRuntime {
  /** Concurrent HTTP connections one client IP may hold; 0 or less: no limit. */
  httpMaxConnsPerClient: number;
  /** Concurrent server RPC connections one client IP may hold; 0 or less: no limit. */
  rpcMaxConnsPerClient: number;
  /** How long a client may take to send its request headers. */
  httpHandshakeTimeoutMs: number;
  requestLimits: { mode: RequestLimitsMode; readRate: number; writeRate: number };
}

/** A negative rate is Consul's "no limit" (-1, the default). */
const rate = (v: number | undefined): number => (v === undefined || v < 0 ? Infinity : v);

export function buildLimits(l: FileConfig['limits']): LimitsRuntime {
  return {
    httpMaxConnsPerClient: l?.http_max_conns_per_client ?? 200,
    rpcMaxConnsPerClient: l?.rpc_max_conns_per_client ?? 100,
    httpHandshakeTimeoutMs: configDurationMs(l?.http_handshake_timeout, 'limits.http_handshake_timeout', 5_000),
    requestLimits: {
      mode: l?.request_limits?.mode ?? 'disabled',
      readRate: rate(l?.request_limits?.read_rate),
      writeRate: rate(l?.request_limits?.write_rate),
    },
  };
}
