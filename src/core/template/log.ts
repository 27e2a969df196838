// consul-template's log lines: "<RFC3339 time> [LEVEL] (component) message" on stderr, filtered by
// log_level (trace, debug, info, warn, err; default warn).
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'err';

const ORDER: Level[] = ['trace', 'debug', 'info', 'warn', 'err'];

export function parseLevel(s: string): Level | undefined {
  const l = s.trim().toLowerCase();
  if (l === 'error') return 'err';
  if (l === 'warning') return 'warn';
  return (ORDER as string[]).includes(l) ? (l as Level) : undefined;
}

export class Logger {
  constructor(private level: Level = 'warn', private readonly write: (line: string) => void = (l) => process.stderr.write(l)) {}

  setLevel(level: Level): void {
    this.level = level;
  }

  private emit(level: Level, msg: string): void {
    if (ORDER.indexOf(level) < ORDER.indexOf(this.level)) return;
    this.write(`${new Date().toISOString()} [${level.toUpperCase()}] ${msg}\n`);
  }

  trace(msg: string): void {
    this.emit('trace', msg);
  }
  debug(msg: string): void {
    this.emit('debug', msg);
  }
  info(msg: string): void {
    this.emit('info', msg);
  }
  warn(msg: string): void {
    this.emit('warn', msg);
  }
  error(msg: string): void {
    this.emit('err', msg);
  }
}
