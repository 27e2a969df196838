// Consul's check status rules, as pure functions (Consul: agent/checks/check.go).
//
// MUST: script exit 0 = passing, 1 = warning, anything else (or no exit code) = critical.
// MUST: HTTP 2xx = passing, 429 = warning, anything else = critical.
// MUST: output is capped at output_max_size bytes (default 4096), keeping the LAST bytes.
import type { HealthStatus } from '../structs/catalog.js';

/** Consul: checks.DefaultBufSize / check_output_max_size. */
export const DEFAULT_OUTPUT_MAX_BYTES = 4096;

export type CheckStatus = Exclude<HealthStatus, 'maintenance'>;

export function isCheckStatus(s: string): s is CheckStatus {
  return s === 'passing' || s === 'warning' || s === 'critical';
}

export function scriptStatus(exitCode: number | null): CheckStatus {
  if (exitCode === 0) return 'passing';
  if (exitCode === 1) return 'warning';
  return 'critical';
}

export function httpStatus(code: number): CheckStatus {
  if (code >= 200 && code <= 299) return 'passing';
  if (code === 429) return 'warning';
  return 'critical';
}

/** The last `max` bytes of `data` (a circular buffer's view; cut on a byte boundary like Go). */
export function lastBytes(data: Buffer, max: number): Buffer {
  return data.length <= max ? data : data.subarray(data.length - max);
}

/**
 * A script check's output (Consul: CheckMonitor.check): combined stdout+stderr, the last `max`
 * bytes, prefixed with a note when some were dropped.
 */
export function scriptOutput(data: Buffer, max: number): string {
  const kept = lastBytes(data, max).toString('utf8');
  if (data.length <= max) return kept;
  return `Captured ${max} of ${data.length} bytes\n...\n${kept}`;
}

/** An output string capped to its last `max` bytes (HTTP bodies, API updates). */
export function capOutput(output: string, max: number): string {
  const buf = Buffer.from(output, 'utf8');
  return buf.length <= max ? output : lastBytes(buf, max).toString('utf8');
}

/** TTL expiry output (Consul: CheckTTL.getExpiredOutput). */
export function ttlExpiredOutput(lastOutput: string): string {
  return lastOutput === '' ? 'TTL expired' : `TTL expired (last output before timeout follows): ${lastOutput}`;
}

export interface StatusThresholds {
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
}

/**
 * Debounces raw results (Consul: checks.StatusHandler). With all thresholds 0 every result goes
 * through. Returns the status to report, or undefined to keep the current one.
 */
export class StatusHandler {
  private successes = 0;
  private failures = 0;

  constructor(private readonly t: StatusThresholds) {}

  next(status: CheckStatus): CheckStatus | undefined {
    if (status === 'passing' || status === 'warning') {
      this.successes++;
      this.failures = 0;
      return this.successes >= this.t.successBeforePassing ? status : undefined;
    }
    this.failures++;
    this.successes = 0;
    if (this.failures >= this.t.failuresBeforeCritical) return 'critical';
    // Consul: failures_before_warning defaults to failures_before_critical.
    const warnAt = this.t.failuresBeforeWarning > 0 ? this.t.failuresBeforeWarning : this.t.failuresBeforeCritical;
    if (this.failures >= warnAt) return 'warning';
    return undefined;
  }
}
