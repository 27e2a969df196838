// The in-memory sink behind GET /v1/agent/metrics (go-metrics InmemSink, as Consul configures it:
// 10 s intervals kept for 1 minute). Each interval aggregates gauges (last value), counters and
// samples (count, sum, sum of squares, min, max); the endpoint shows the last finished interval.
//
// MUST: bounded: at most RETAIN_INTERVALS intervals are kept; metric names come from code, never
// from requests, so the number of series per interval is bounded by the instrumentation.

export const INTERVAL_MS = 10_000;
export const RETAIN_INTERVALS = 6;

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** go-metrics AggregateSample, in the order its JSON has the fields. */
interface Aggregate {
  count: number;
  sum: number;
  sumSq: number;
  min: number;
  max: number;
}

interface SampledSeries {
  name: string;
  labels: readonly Label[];
  agg: Aggregate;
}

interface GaugeSeries {
  name: string;
  labels: readonly Label[];
  value: number;
}

interface Interval {
  startMs: number;
  gauges: Map<string, GaugeSeries>;
  counters: Map<string, SampledSeries>;
  samples: Map<string, SampledSeries>;
}

/** api.MetricsInfo / go-metrics MetricsSummary as JSON. */
export interface MetricsSummary {
  Timestamp: string;
  Gauges: { Name: string; Value: number; Labels: Record<string, string> }[];
  Points: { Name: string; Points: number[] }[];
  Counters: SampledValue[];
  Samples: SampledValue[];
}

export interface SampledValue {
  Name: string;
  Count: number;
  Rate: number;
  Sum: number;
  Min: number;
  Max: number;
  Mean: number;
  Stddev: number;
  Labels: Record<string, string>;
}

/** go-metrics' series key: name, then `;label=value` for each label. */
function seriesKey(name: string, labels: readonly Label[]): string {
  let key = name;
  for (const l of labels) key += `;${l.name}=${l.value}`;
  return key;
}

/** Go's time.Time.String() for a UTC time rounded to the second: `2026-12-04 07:40:10 +0000 UTC`. */
export function goUtcString(ms: number): string {
  const iso = new Date(Math.round(ms / 1000) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

export class InmemSink {
  private readonly intervals: Interval[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  setGauge(name: string, labels: readonly Label[], value: number): void {
    const key = seriesKey(name, labels);
    this.current().gauges.set(key, { name, labels, value: Math.fround(value) });
  }

  incrCounter(name: string, labels: readonly Label[], value: number): void {
    this.ingest(this.current().counters, name, labels, value);
  }

  addSample(name: string, labels: readonly Label[], value: number): void {
    this.ingest(this.current().samples, name, labels, value);
  }

  /** DisplayMetrics: the most recent finished interval, or the current one if it is the only one. */
  summary(): MetricsSummary | undefined {
    this.current();
    const n = this.intervals.length;
    const iv = n === 1 ? this.intervals[0] : this.intervals[n - 2];
    return iv ? summarize(iv) : undefined;
  }

  /** The interval under way; its summary is streamed when it ends (/v1/agent/metrics/stream). */
  currentStartMs(): number {
    return this.current().startMs;
  }

  /** The summary of the interval that started at `startMs`, if it is still retained. */
  summaryOf(startMs: number): MetricsSummary | undefined {
    const iv = this.intervals.find((i) => i.startMs === startMs);
    return iv ? summarize(iv) : undefined;
  }

  private current(): Interval {
    const start = Math.floor(this.now() / INTERVAL_MS) * INTERVAL_MS;
    const last = this.intervals[this.intervals.length - 1];
    if (last && last.startMs === start) return last;
    const iv: Interval = { startMs: start, gauges: new Map(), counters: new Map(), samples: new Map() };
    this.intervals.push(iv);
    while (this.intervals.length > RETAIN_INTERVALS) this.intervals.shift();
    return iv;
  }

  private ingest(into: Map<string, SampledSeries>, name: string, labels: readonly Label[], value: number): void {
    const key = seriesKey(name, labels);
    const v = Math.fround(value);
    let s = into.get(key);
    if (!s) {
      s = { name, labels, agg: { count: 0, sum: 0, sumSq: 0, min: v, max: v } };
      into.set(key, s);
    }
    const a = s.agg;
    a.count++;
    a.sum += v;
    a.sumSq += v * v;
    if (v < a.min || a.count === 1) a.min = v;
    if (v > a.max || a.count === 1) a.max = v;
  }
}

function labelMap(labels: readonly Label[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) out[l.name] = l.value;
  return out;
}

function sampled(map: Map<string, SampledSeries>): SampledValue[] {
  return [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, s]) => {
      const a = s.agg;
      const mean = a.count === 0 ? 0 : a.sum / a.count;
      const div = a.count * (a.count - 1);
      const stddev = div === 0 ? 0 : Math.sqrt((a.count * a.sumSq - a.sum * a.sum) / div);
      return {
        Name: s.name,
        Count: a.count,
        // go-metrics: the rate per second over the interval.
        Rate: a.sum / (INTERVAL_MS / 1000),
        Sum: a.sum,
        Min: a.min,
        Max: a.max,
        Mean: mean,
        Stddev: Number.isFinite(stddev) ? stddev : 0,
        Labels: labelMap(s.labels),
      };
    });
}

function summarize(iv: Interval): MetricsSummary {
  const gauges = [...iv.gauges.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    Timestamp: goUtcString(iv.startMs),
    Gauges: gauges.map(([, g]) => ({ Name: g.name, Value: g.value, Labels: labelMap(g.labels) })),
    Points: [],
    Counters: sampled(iv.counters),
    Samples: sampled(iv.samples),
  };
}
