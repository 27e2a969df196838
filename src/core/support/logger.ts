// Agent logging in Consul's (hclog) line format:
//   2026-11-21T23:30:00.123Z [INFO]  agent.server.raft: entering leader state
// Levels as Consul's -log-level: trace, debug, info, warn, error.
//
// Besides its sink (stdout, syslog), a Logger can feed a LogFanout (log-fanout.ts): the streaming
// clients of /v1/agent/monitor, each at its own level. A record below the agent's level is still
// built when a monitor asks for it (Consul: `consul monitor -log-level=debug` on an INFO agent).

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVEL_RANK: Readonly<Record<LogLevel, number>> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };
const LABEL: Record<LogLevel, string> = {
  trace: '[TRACE]',
  debug: '[DEBUG]',
  info: '[INFO] ',
  warn: '[WARN] ',
  error: '[ERROR]',
};

export function isLogLevel(s: string): s is LogLevel {
  return s in LOG_LEVEL_RANK;
}

export interface LogSink {
  write(line: string): void;
}

/** One log event, before formatting. */
export interface LogRecord {
  readonly timeMs: number;
  readonly level: LogLevel;
  /** The logger name (hclog's module), e.g. agent.server.raft. */
  readonly name: string;
  readonly msg: string;
}

/** Where records go besides the sink; `minRank` lets the logger skip work nobody wants. */
export interface LogTaps {
  readonly minRank: number;
  publish(rec: LogRecord): void;
}

/** hclog's text line for a record (the agent's stdout format). */
export function formatLogLine(rec: LogRecord): string {
  return `${new Date(rec.timeMs).toISOString()} ${LABEL[rec.level]} ${rec.name}: ${rec.msg}\n`;
}

export class Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly level: LogLevel,
    private readonly name = 'agent',
    private readonly taps?: LogTaps,
  ) {}

  named(sub: string): Logger {
    return new Logger(this.sink, this.level, `${this.name}.${sub}`, this.taps);
  }

  trace(msg: string): void {
    this.log('trace', msg);
  }
  debug(msg: string): void {
    this.log('debug', msg);
  }
  info(msg: string): void {
    this.log('info', msg);
  }
  warn(msg: string): void {
    this.log('warn', msg);
  }
  error(msg: string): void {
    this.log('error', msg);
  }

  private log(level: LogLevel, msg: string): void {
    const rank = LOG_LEVEL_RANK[level];
    const toSink = rank >= LOG_LEVEL_RANK[this.level];
    const taps = this.taps;
    const toTaps = taps !== undefined && rank >= taps.minRank;
    if (!toSink && !toTaps) return;
    const rec: LogRecord = { timeMs: Date.now(), level, name: this.name, msg };
    if (toSink) this.sink.write(formatLogLine(rec));
    if (toTaps) taps.publish(rec);
  }
}

export const stdoutSink: LogSink = { write: (line) => void process.stdout.write(line) };
