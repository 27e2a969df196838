// Agent logging in Consul's (hclog) line format:
//   2026-11-21T23:30:00.123Z [INFO]  agent.server.raft: entering leader state
// Levels as Consul's -log-level: trace, debug, info, warn, error.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };
const LABEL: Record<LogLevel, string> = {
  trace: '[TRACE]',
  debug: '[DEBUG]',
  info: '[INFO] ',
  warn: '[WARN] ',
  error: '[ERROR]',
};

export function isLogLevel(s: string): s is LogLevel {
  return s in RANK;
}

export interface LogSink {
  write(line: string): void;
}

export class Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly level: LogLevel,
    private readonly name = 'agent',
  ) {}

  named(sub: string): Logger {
    return new Logger(this.sink, this.level, `${this.name}.${sub}`);
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
    if (RANK[level] < RANK[this.level]) return;
    this.sink.write(`${new Date().toISOString()} ${LABEL[level]} ${this.name}: ${msg}\n`);
  }
}

export const stdoutSink: LogSink = { write: (line) => void process.stdout.write(line) };
