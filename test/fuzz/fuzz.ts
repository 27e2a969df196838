// Runs one fuzz target for a number of inputs or seconds and reports what it found.
// MUST: a finding names the seed and the path that replay it (fast-check's counterexample),
// so it can become a unit test.
import fc from 'fast-check';
import type { FuzzTarget } from './target.js';

/** Wall time an input may take per unit of its CPU limit (I/O, a loaded machine). */
const WALL_FACTOR = 30;

export interface FuzzOptions {
  runs: number;
  seconds: number;
  seed: number;
  /** An input that spends more CPU than this is a finding (a hang). */
  maxInputMs: number;
  /** Resident memory above this after the run is a finding (memory not bounded). */
  maxRssBytes: number;
}

export interface FuzzReport {
  target: string;
  inputs: number;
  refusals: number;
  slowestMs: number;
  rssBytes: number;
  seed: number;
  finding?: string;
}

export async function fuzzTarget(target: FuzzTarget<unknown>, o: FuzzOptions): Promise<FuzzReport> {
  let inputs = 0;
  let refusals = 0;
  let slowestMs = 0;
  const deadline = Date.now() + o.seconds * 1000;
  await target.setup?.();
  let finding: string | undefined;
  try {
    const property = fc.asyncProperty(target.arbitrary, async (input) => {
      // A hang is judged on CPU time (this process spinning on one input), so a loaded machine
      // that deschedules us is not a finding; an input that waits on I/O gets a wall-clock bound.
      const cpu = process.cpuUsage();
      const started = performance.now();
      inputs++;
      try {
        await target.run(input);
      } catch (err) {
        if (!target.refusals.some((cls) => err instanceof cls)) throw err;
        refusals++;
      }
      const used = process.cpuUsage(cpu);
      const ms = (used.user + used.system) / 1000;
      const wallMs = performance.now() - started;
      slowestMs = Math.max(slowestMs, ms);
      if (ms > o.maxInputMs) throw new Error(`one input took ${ms.toFixed(0)} ms of CPU (limit ${o.maxInputMs} ms)`);
      if (wallMs > o.maxInputMs * WALL_FACTOR) throw new Error(`one input took ${wallMs.toFixed(0)} ms (limit ${o.maxInputMs * WALL_FACTOR} ms of wall time)`);
    });
    const result = await fc.check(property, { numRuns: o.runs, seed: o.seed, interruptAfterTimeLimit: o.seconds * 1000, markInterruptAsFailure: false, endOnFailure: true });
    if (result.failed) {
      const cause = result.errorInstance instanceof Error ? `${result.errorInstance.name}: ${result.errorInstance.message}\n${result.errorInstance.stack ?? ''}` : String(result.errorInstance);
      finding = `seed ${result.seed}, path "${result.counterexamplePath ?? ''}"\ninput: ${fc.stringify(result.counterexample?.[0])}\n${cause}`;
    }
  } finally {
    await target.teardown?.();
  }
  void deadline;
  const rssBytes = process.memoryUsage().rss;
  if (!finding && rssBytes > o.maxRssBytes) finding = `resident memory ${rssBytes} bytes after the run (limit ${o.maxRssBytes})`;
  return { target: target.name, inputs, refusals, slowestMs, rssBytes, seed: o.seed, finding };
}

export function formatReport(r: FuzzReport): string {
  const head = `fuzz ${r.target}: ${r.inputs} inputs (${r.refusals} refused), slowest ${r.slowestMs.toFixed(1)} ms CPU, rss ${(r.rssBytes / 2 ** 20).toFixed(0)} MiB, seed ${r.seed}`;
  return r.finding ? `${head}\n  FINDING: ${r.finding.replace(/\n/g, '\n  ')}` : `${head}: no finding`;
}
