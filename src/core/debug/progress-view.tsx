// On a TTY, `consul debug` shows a live view while it captures: each target and its state, the
// elapsed and remaining time, and the intervals done. Loaded only on a TTY (ink is never loaded
// for scripts); the lines before and after the capture are Consul's, as off a TTY.
import { Box, Text, render, type Instance } from 'ink';
import { formatGoDuration } from '../support/duration.js';
import { PlainReporter, type CaptureProgress, type LineSink, type TargetState } from './reporter.js';

const MARK: Record<TargetState, { sign: string; color: string }> = {
  waiting: { sign: '·', color: 'gray' },
  capturing: { sign: '●', color: 'yellow' },
  done: { sign: '✓', color: 'green' },
  failed: { sign: '✗', color: 'red' },
};

interface ViewState {
  progress: CaptureProgress;
  targets: Map<string, TargetState>;
  intervals: number;
  nowMs: number;
  finished: boolean;
}

/** Whole seconds, as Go prints a rounded duration ("7s", "1m5s"). */
const secs = (ms: number): string => formatGoDuration(Math.max(0, Math.round(ms / 1000) * 1000));

function View({ s }: { s: ViewState }) {
  const elapsed = Math.min(s.nowMs - s.progress.startedAtMs, s.progress.durationMs);
  const remaining = s.progress.durationMs - elapsed;
  const width = 30;
  const filled = Math.round((elapsed / s.progress.durationMs) * width);
  return (
    <Box flexDirection="column" marginLeft={4}>
      <Text>
        <Text color="cyan">{'█'.repeat(filled)}</Text>
        <Text color="gray">{'░'.repeat(width - filled)}</Text>
        {`  elapsed ${secs(elapsed)}  remaining ${secs(remaining)}  intervals ${s.intervals} (every ${formatGoDuration(s.progress.intervalMs)})`}
      </Text>
      <Box>
        {s.progress.targets.map((t) => {
          const state = s.targets.get(t) ?? 'waiting';
          return (
            <Box key={t} marginRight={2}>
              <Text color={MARK[state].color}>{`${MARK[state].sign} ${t}`}</Text>
            </Box>
          );
        })}
      </Box>
      {s.finished ? <Text color="gray">capture complete, writing the archive...</Text> : null}
    </Box>
  );
}

export class InkReporter extends PlainReporter {
  private state: ViewState | undefined;
  private instance: Instance | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private readonly targets = new Map<string, TargetState>();

  constructor(io: LineSink) {
    super(io);
  }

  override captureStarted(p: CaptureProgress): void {
    this.state = { progress: p, targets: this.targets, intervals: 0, nowMs: Date.now(), finished: false };
    this.instance = render(<View s={this.state} />, { exitOnCtrlC: false, patchConsole: false });
    this.ticker = setInterval(() => this.redraw(), 250);
  }

  override intervalCaptured(count: number): void {
    if (this.state) this.state.intervals = count;
    this.redraw();
  }

  override targetState(target: string, state: TargetState): void {
    this.targets.set(target, state);
    this.redraw();
  }

  override async captureEnded(): Promise<void> {
    clearInterval(this.ticker);
    if (!this.state || !this.instance) return;
    this.state.finished = true;
    this.redraw();
    this.instance.unmount();
    await this.instance.waitUntilExit();
    this.instance = undefined;
  }

  private redraw(): void {
    if (!this.state || !this.instance) return;
    this.state.nowMs = Date.now();
    this.instance.rerender(<View s={{ ...this.state, targets: new Map(this.targets) }} />);
  }
}
