// The shared runner of interval checks (script, http, tcp): Consul's CheckMonitor/CheckHTTP/
// CheckTCP loop. Consul waits a random stagger within the interval before the first run
// (lib.RandomStagger); we run the first probe at once by default (`firstRunStagger: false`) so
// an agent that reports ready already has real results (Consul's slower leader election hides
// the stagger; the conformance scenarios read check results right after start). Afterwards a
// run starts every interval.
//
// MUST: at most one probe per check is in flight; a probe slower than the interval delays the
// next one instead of overlapping it. MUST: nothing is reported after stop().
import { StatusHandler, type CheckStatus, type StatusThresholds } from './status-rules.js';
import type { TimerHandle, Timers } from './timers.js';

export interface ProbeResult {
  status: CheckStatus;
  output: string;
}

/** Where runners report (the agent's local state). Called on the event loop. */
export interface CheckNotifier {
  updateCheck(checkId: string, status: CheckStatus, output: string): void;
}

export interface CheckRunner {
  start(): void;
  stop(): void;
}

export type Probe = () => Promise<ProbeResult>;

export interface IntervalRunnerOptions {
  checkId: string;
  intervalMs: number;
  timers: Timers;
  notify: CheckNotifier;
  probe: Probe;
  thresholds?: StatusThresholds;
  /** Consul's random initial pause within the interval (default: run at once). */
  firstRunStagger?: boolean;
}

export class IntervalRunner implements CheckRunner {
  private timer: TimerHandle | undefined;
  private stopped = true;
  private inFlight = false;
  private readonly handler: StatusHandler | undefined;

  constructor(private readonly o: IntervalRunnerOptions) {
    const t = o.thresholds;
    if (t && (t.successBeforePassing > 0 || t.failuresBeforeCritical > 0 || t.failuresBeforeWarning > 0)) this.handler = new StatusHandler(t);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.o.firstRunStagger ? this.o.timers.random() * this.o.intervalMs : 0);
  }

  stop(): void {
    this.stopped = true;
    this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.inFlight;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.timers.setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    if (this.stopped || this.inFlight) return;
    this.inFlight = true;
    const started = this.o.timers.now();
    let result: ProbeResult;
    try {
      result = await this.o.probe();
    } catch (err) {
      result = { status: 'critical', output: (err as Error).message };
    } finally {
      this.inFlight = false;
    }
    if (this.stopped) return;
    const status = this.handler ? this.handler.next(result.status) : result.status;
    if (status !== undefined) this.o.notify.updateCheck(this.o.checkId, status, result.output);
    const elapsed = this.o.timers.now() - started;
    this.schedule(Math.max(0, this.o.intervalMs - elapsed));
  }
}
