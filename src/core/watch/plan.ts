// A running watch: the blocking-query loop of one WatchSpec (Consul: api/watch/plan.go).
//
// MUST: the handler runs only when the result changed: a repeated index is skipped, and a new
//       index with a deep-equal result is skipped too.
// MUST: one handler call in flight per plan. The loop awaits the handler before it asks again, so
//       a newer result waits for the running call (and, as in Consul, the next answer then carries
//       everything that changed meanwhile). Handlers are asynchronous (child processes, HTTP), so
//       a slow or hanging one never stalls other plans or the agent.
// MUST: an ordered index that goes backwards resets to 0 (answer at once, then block again).
// SHOULD: errors back off as Consul's: 5s x failures^2, at most 180s.
import type { WatchSpec } from './params.js';
import type { WatchRequest, WatchResponse, WatchResult } from './types.js';

/** How a plan reaches the agent. Implementations must make get() reject once destroy() is called. */
export interface WatchTransport {
  get(req: WatchRequest): Promise<WatchResponse>;
  /** Abort the request in flight (a parked blocking query) and release the connection. */
  destroy(): Promise<void>;
}

/** Called with the index and value of each changed result; the plan waits for it to settle. */
export type WatchHandlerFn = (index: bigint, value: unknown) => Promise<void> | void;

export interface WatchPlanOptions {
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A failed query; the plan retries after `retryMs`. */
  onError?: (err: Error, retryMs: number) => void;
}

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 180_000;

export class WatchPlan {
  private stopped = false;
  private lastIndex: bigint | undefined;
  private lastResult: unknown;
  private hasResult = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    readonly spec: WatchSpec,
    private readonly transport: WatchTransport,
    private readonly handler: WatchHandlerFn,
    private readonly opts: WatchPlanOptions = {},
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Start the loop (once); resolves when the plan is stopped. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stop asking; a handler call already running is left to finish. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    void this.transport.destroy();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let r: WatchResult;
      try {
        const res = await this.transport.get(this.spec.query.request(this.lastIndex ?? 0n));
        if (this.stopped) break;
        r = this.spec.query.decode(res, this.lastIndex);
      } catch (err) {
        if (this.stopped) break;
        failures++;
        // Ask again without an index; the last result is kept, so an unchanged answer is skipped.
        this.lastIndex = undefined;
        const retryMs = Math.min((this.opts.retryBaseMs ?? RETRY_BASE_MS) * failures * failures, this.opts.retryMaxMs ?? RETRY_MAX_MS);
        this.opts.onError?.(err as Error, retryMs);
        await this.sleep(retryMs);
        continue;
      }
      failures = 0;
      if (this.lastIndex !== undefined && this.lastIndex === r.index) continue;
      this.lastIndex = nextIndex(r.index, this.lastIndex, this.spec.query.ordered);
      if (this.hasResult && deepEqual(this.lastResult, r.value)) continue;
      this.lastResult = r.value;
      this.hasResult = true;
      try {
        await this.handler(r.index, r.value);
      } catch (err) {
        // A handler reports its own failures; one that throws must not end the loop silently.
        this.opts.onError?.(err as Error, 0);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

/** Consul: WaitIndexVal.Next: an ordered index that went backwards starts over from 0. */
export function nextIndex(index: bigint, previous: bigint | undefined, ordered: boolean): bigint {
  if (previous !== undefined && ordered && previous > index) return 0n;
  return index;
}

/** Structural equality of decoded JSON values (Consul compares results with reflect.DeepEqual). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const bo = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual((a as Record<string, unknown>)[k], bo[k]));
}
