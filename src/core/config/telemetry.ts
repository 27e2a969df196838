// The `telemetry` block as the agent uses it (Consul: agent/config/builder.go, lib/telemetry.go).
import { configDurationMs } from './durations.js';
import type { FileConfig } from './schema.js';

export interface TelemetryRuntime {
  /** prometheus_retention_time; 0 = no Prometheus output (Consul's default). */
  prometheusRetentionMs: number;
  /** disable_hostname: gauges are not prefixed with the host name. */
  disableHostname: boolean;
  /** metrics_prefix, default `consul`. */
  metricsPrefix: string;
}

export function buildTelemetryRuntime(t: FileConfig['telemetry']): TelemetryRuntime {
  return {
    prometheusRetentionMs: configDurationMs(t?.prometheus_retention_time, 'telemetry.prometheus_retention_time', 0),
    disableHostname: t?.disable_hostname ?? false,
    metricsPrefix: t?.metrics_prefix ?? 'consul',
  };
}
