// Prometheus text output for GET /v1/agent/metrics?format=prometheus, through prom-client (the
// maintained Prometheus client for Node) rather than a hand-written exposition format.
// Consul feeds a go-metrics prometheus sink only when telemetry.prometheus_retention_time is
// positive; series not updated within the retention time are dropped at scrape time.
// Names follow go-metrics' prometheus sink: the dotted key with ` .=-/` replaced by `_`.
import { Counter, Gauge, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import type { Label } from './inmem.js';

type Kind = 'gauge' | 'counter' | 'summary';
type PromMetric = Gauge | Counter | Summary;

interface Entry {
  kind: Kind;
  metric: PromMetric;
  labelNames: string[];
  /** Last update per series (label values joined), for the retention time. */
  touched: Map<string, { atMs: number; labels: Record<string, string> }>;
}

const FORBIDDEN = /[ .=\-/]/g;

export function prometheusName(key: string): string {
  return key.replace(FORBIDDEN, '_');
}

export class PrometheusSink {
  readonly registry = new Registry();
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // The process collectors stand in for Go's process_* and go_* families Consul exposes.
    collectDefaultMetrics({ register: this.registry });
  }

  setGauge(key: string, labels: readonly Label[], value: number): void {
    const e = this.entry('gauge', key, labels);
    if (e) (e.metric as Gauge).set(this.touch(e, labels), value);
  }

  incrCounter(key: string, labels: readonly Label[], value: number): void {
    const e = this.entry('counter', key, labels);
    if (e && value >= 0) (e.metric as Counter).inc(this.touch(e, labels), value);
  }

  addSample(key: string, labels: readonly Label[], value: number): void {
    const e = this.entry('summary', key, labels);
    if (e) (e.metric as Summary).observe(this.touch(e, labels), value);
  }

  /** The text exposition format (version 0.0.4) and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    this.expire();
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  private entry(kind: Kind, key: string, labels: readonly Label[]): Entry | undefined {
    const name = prometheusName(key);
    const labelNames = labels.map((l) => l.name).sort();
    const existing = this.entries.get(name);
    if (existing) return existing.kind === kind && existing.labelNames.join(',') === labelNames.join(',') ? existing : undefined;
    const opts = { name, help: name, labelNames, registers: [this.registry] };
    let metric: PromMetric;
    try {
      if (kind === 'gauge') metric = new Gauge(opts);
      else if (kind === 'counter') metric = new Counter(opts);
      else metric = new Summary({ ...opts, percentiles: [0.5, 0.9, 0.99], maxAgeSeconds: Math.max(1, this.retentionMs / 1000), ageBuckets: 5 });
    } catch {
      return undefined; // a name prom-client refuses (or one taken by a default collector)
    }
    const e: Entry = { kind, metric, labelNames, touched: new Map() };
    this.entries.set(name, e);
    return e;
  }

  private touch(e: Entry, labels: readonly Label[]): Record<string, string> {
    const values: Record<string, string> = {};
    for (const l of labels) values[l.name] = l.value;
    const id = e.labelNames.map((n) => values[n] ?? '').join('\u0000');
    e.touched.set(id, { atMs: this.now(), labels: values });
    return values;
  }

  private expire(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [name, e] of this.entries) {
      for (const [id, t] of e.touched) {
        if (t.atMs >= cutoff) continue;
        e.touched.delete(id);
        if (e.labelNames.length > 0) e.metric.remove(t.labels);
      }
      if (e.touched.size === 0) {
        this.registry.removeSingleMetric(name);
        this.entries.delete(name);
      }
    }
  }
}
