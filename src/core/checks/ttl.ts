// TTL checks (Consul: checks.CheckTTL): the application reports with pass/warn/fail/update;
// if no report arrives within the TTL the check goes critical with `TTL expired`.
//
// MUST: every report restarts the TTL. MUST: nothing is reported after stop().
import type { CheckNotifier, CheckRunner } from './runner.js';
import { ttlExpiredOutput, type CheckStatus } from './status-rules.js';
import type { TimerHandle, Timers } from './timers.js';

export class TtlCheck implements CheckRunner {
  private timer: TimerHandle | undefined;
  private stopped = true;
  private lastOutput = '';

  constructor(
    readonly checkId: string,
    private readonly ttlMs: number,
    private readonly outputMaxBytes: number,
    private readonly timers: Timers,
    private readonly notify: CheckNotifier,
  ) {}

  start(): void {
    this.stopped = false;
    this.reset();
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A report from the application; returns the output as stored (possibly truncated). */
  setStatus(status: CheckStatus, output: string): string {
    // Consul truncates TTL output at the front (CheckTTL.SetStatus), unlike script output.
    const bytes = Buffer.from(output, 'utf8');
    if (bytes.length > this.outputMaxBytes) {
      output = `${bytes.subarray(0, this.outputMaxBytes).toString('utf8')} ... (captured ${this.outputMaxBytes} of ${bytes.length} bytes)`;
    }
    this.notify.updateCheck(this.checkId, status, output);
    this.lastOutput = output;
    this.reset();
    return output;
  }

  private reset(): void {
    this.timers.clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      if (this.stopped) return;
      this.timer = undefined;
      this.notify.updateCheck(this.checkId, 'critical', ttlExpiredOutput(this.lastOutput));
    }, this.ttlMs);
  }
}
