// What `consul debug` tells the user while it runs. Consul's command wraps its UI in a
// cli.PrefixedUi: Output lines get "==> ", Info lines "    ", Error lines "==> " on stderr, Warn
// lines go to stderr as they are. The live part (capture targets, elapsed / remaining) is a
// plain line per interval off a TTY (Consul's exact lines), an ink view on a TTY (progress-view.tsx).

export type TargetState = 'waiting' | 'capturing' | 'done' | 'failed';

export interface CaptureProgress {
  readonly targets: readonly string[];
  readonly startedAtMs: number;
  /** The whole capture, grace included. */
  readonly durationMs: number;
  readonly intervalMs: number;
}

export interface DebugReporter {
  output(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** The dynamic capture starts (Consul: "Beginning capture interval <time> (0)"). */
  captureStarted(p: CaptureProgress, at: Date): void;
  /** One interval was captured (Consul: "Capture successful <time> (n)"). */
  intervalCaptured(count: number, at: Date): void;
  targetState(target: string, state: TargetState): void;
  /** The dynamic capture is over; a live view is taken down before the closing lines. */
  captureEnded(): Promise<void>;
}

/** Go's time.Time.String() for a UTC time: `2026-12-04 07:55:00.123 +0000 UTC` (zeros trimmed). */
export function goTimeString(d: Date): string {
  const iso = d.toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

export interface LineSink {
  out(line: string): void;
  err(line: string): void;
}

/** Off a TTY: Consul's lines, nothing else. */
export class PlainReporter implements DebugReporter {
  constructor(protected readonly io: LineSink) {}

  output(line: string): void {
    this.io.out(`==> ${line}`);
  }
  info(line: string): void {
    this.io.out(`    ${line}`);
  }
  warn(line: string): void {
    this.io.err(line);
  }
  error(line: string): void {
    this.io.err(`==> ${line}`);
  }
  captureStarted(_p: CaptureProgress, at: Date): void {
    this.output(`Beginning capture interval ${goTimeString(at)} (0)`);
  }
  intervalCaptured(count: number, at: Date): void {
    this.output(`Capture successful ${goTimeString(at)} (${count})`);
  }
  targetState(_target: string, _state: TargetState): void {}
  async captureEnded(): Promise<void> {}
}
