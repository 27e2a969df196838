// Telemetry: what the agent measures and how it is shown (Consul: lib/telemetry.go, go-metrics).
// Owns the metrics facade (`metrics`, one per process like go-metrics' global), the in-memory
// sink behind GET /v1/agent/metrics, the Prometheus sink (prom-client) behind
// ?format=prometheus, and the runtime collector. Instrumented code imports only `metrics` and
// `metricsStart` from here, one line per measured place.
// MUST NOT be called from the pure cores (raft core, gossip core, state, fsm internals' clocks):
// instrument their drivers instead, since a timer reads the clock.
export { Metrics, metrics, metricsStart, type MetricsOptions } from './metrics.js';
export { InmemSink, INTERVAL_MS, goUtcString, type Label, type MetricsSummary, type SampledValue } from './inmem.js';
// The Prometheus sink is imported by path (telemetry/prometheus.js): importing it here would load
// prom-client in every agent.
export type { PrometheusSink } from './prometheus.js';
export { startRuntimeMetrics } from './runtime.js';
export { countSerfMemberEvent, measured, measuredApply } from './instrument.js';
