// The agent's metrics facade, go-metrics' global as Consul uses it: every metric goes to the
// in-memory sink (GET /v1/agent/metrics) and, with prometheus_retention_time set, to the
// Prometheus sink. Keys are given without the prefix (['kvs', 'apply']); the prefix (`consul`)
// is added here, and gauges also get the host name unless telemetry.disable_hostname, as
// go-metrics does (SetGaugeWithLabels inserts HostName when EnableHostname).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { InmemSink, type Label, type MetricsSummary } from './inmem.js';
// prom-client (and the @opentelemetry/api it loads) costs ~8 MiB of RSS: loaded only when
// prometheus_retention_time is set, as most agents never enable it.
import type { PrometheusSink } from './prometheus.js';

export interface MetricsOptions {
  metricsPrefix: string;
  disableHostname: boolean;
  prometheusRetentionMs: number;
  hostname?: string;
}

const PROM_QUEUE_MAX = 10_000;

export class Metrics {
  private inmem = new InmemSink();
  private prom: PrometheusSink | undefined;
  /** While prom-client loads: the updates to replay into the sink (bounded). */
  private promQueue: ((sink: PrometheusSink) => void)[] | undefined;
  private promLoading: Promise<void> | undefined;
  private generation = 0;
  private prefix = 'consul';
  private hostname = os.hostname();
  private enableHostname = true;

  /** Set up from the telemetry block (agent start); starts fresh intervals. */
  configure(opts: MetricsOptions): void {
    this.prefix = opts.metricsPrefix;
    this.hostname = opts.hostname ?? os.hostname();
    this.enableHostname = !opts.disableHostname;
    this.inmem = new InmemSink();
    this.prom = undefined;
    this.promQueue = undefined;
    this.promLoading = undefined;
    const generation = ++this.generation;
    const retentionMs = opts.prometheusRetentionMs;
    if (retentionMs < 1) return;
    this.promQueue = [];
    this.promLoading = import('./prometheus.js').then(({ PrometheusSink: Sink }) => {
      if (generation !== this.generation) return; // reconfigured meanwhile
      const sink = new Sink(retentionMs);
      for (const update of this.promQueue ?? []) update(sink);
      this.promQueue = undefined;
      this.prom = sink;
    });
  }

  get prometheusEnabled(): boolean {
    return this.prom !== undefined || this.promQueue !== undefined;
  }

  /** Until the Prometheus sink is loaded, its updates wait (at most PROM_QUEUE_MAX of them). */
  private queueProm(update: (sink: PrometheusSink) => void): void {
    if (this.promQueue && this.promQueue.length < PROM_QUEUE_MAX) this.promQueue.push(update);
  }

  setGauge(key: readonly string[], value: number, labels: readonly Label[] = []): void {
    const parts = this.enableHostname && this.hostname ? [this.hostname, ...key] : key;
    const name = this.name(parts);
    this.inmem.setGauge(name, labels, value);
    if (this.prom) this.prom.setGauge(name, labels, value);
    else if (this.promQueue) this.queueProm((p) => p.setGauge(name, labels, value));
  }

  incrCounter(key: readonly string[], value = 1, labels: readonly Label[] = []): void {
    const name = this.name(key);
    this.inmem.incrCounter(name, labels, value);
    if (this.prom) this.prom.incrCounter(name, labels, value);
    else if (this.promQueue) this.queueProm((p) => p.incrCounter(name, labels, value));
  }

  addSample(key: readonly string[], value: number, labels: readonly Label[] = []): void {
    const name = this.name(key);
    this.inmem.addSample(name, labels, value);
    if (this.prom) this.prom.addSample(name, labels, value);
    else if (this.promQueue) this.queueProm((p) => p.addSample(name, labels, value));
  }

  /** A timer in milliseconds since `startPerfMs` (a performance.now() reading), as MeasureSince. */
  measureSince(key: readonly string[], startPerfMs: number, labels: readonly Label[] = []): void {
    this.addSample(key, performance.now() - startPerfMs, labels);
  }

  summary(): MetricsSummary | undefined {
    return this.inmem.summary();
  }

  get sink(): InmemSink {
    return this.inmem;
  }

  async prometheus(): Promise<{ text: string; contentType: string } | undefined> {
    await this.promLoading;
    return this.prom?.scrape();
  }

  private name(key: readonly string[]): string {
    return this.prefix ? `${this.prefix}.${key.join('.')}` : key.join('.');
  }
}

/** The process-wide metrics, like go-metrics' global (one agent per process). */
export const metrics = new Metrics();

/** A start time for measureSince. */
export function metricsStart(): number {
  return performance.now();
}
