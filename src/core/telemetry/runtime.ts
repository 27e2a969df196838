// Runtime metrics, go-metrics' runtime collection in Node terms, every second:
// runtime.alloc_bytes (V8 heap used), runtime.sys_bytes (resident set), runtime.heap_objects is
// not available from V8 and is left out; runtime.total_gc_pause_ns and runtime.total_gc_runs
// from GC performance entries, and a runtime.gc_pause_ns sample per collection.
// Plus the agent-level gauges the caller adds (member counts, autopilot health) in `extra`.
import { PerformanceObserver } from 'node:perf_hooks';
import type { Metrics } from './metrics.js';

export const RUNTIME_INTERVAL_MS = 1_000;

export function startRuntimeMetrics(m: Metrics, extra: () => void): () => void {
  let gcPauseNs = 0;
  let gcRuns = 0;
  let observer: PerformanceObserver | undefined;
  try {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const ns = Math.round(e.duration * 1e6);
        gcPauseNs += ns;
        gcRuns++;
        m.addSample(['runtime', 'gc_pause_ns'], ns);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  } catch {
    observer = undefined; // no GC entries on this runtime: the totals stay at 0
  }
  const tick = (): void => {
    const mem = process.memoryUsage();
    m.setGauge(['runtime', 'alloc_bytes'], mem.heapUsed);
    m.setGauge(['runtime', 'sys_bytes'], mem.rss);
    m.setGauge(['runtime', 'total_gc_pause_ns'], gcPauseNs);
    m.setGauge(['runtime', 'total_gc_runs'], gcRuns);
    extra();
  };
  tick();
  const timer = setInterval(tick, RUNTIME_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    observer?.disconnect();
  };
}
