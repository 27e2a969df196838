// enable_syslog: the agent's log lines also go to the local syslog daemon, as Consul's do
// (Consul: logging/logger.go and logging/syslog.go through go-syslog: tag "consul", facility from
// syslog_facility, each hclog level mapped to a syslog priority, the whole formatted line as the
// message, written to the first of /dev/log, /var/run/syslog, /var/run/log that exists).
//
// Node has no unix datagram sockets, and the npm packages that add them (unix-dgram...) are native
// addons that need a compiler at install time. util-linux's `logger` (Debian's bsdutils, present
// on every Debian system) does exactly this job: one long-lived `logger --prio-prefix` process reads
// our lines on stdin, takes each line's `<PRI>` prefix as its priority, frames it as RFC 3164 and
// writes it to the socket (datagram, or stream when the socket is one).
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import type { LogSink } from './logger.js';

/** Where go-syslog looks for the local daemon, in order. */
export const SYSLOG_SOCKETS: readonly string[] = ['/dev/log', '/var/run/syslog', '/var/run/log'];

/** go-syslog's facility names (case-insensitive) and their codes. */
const FACILITY: Record<string, number> = {
  KERN: 0,
  USER: 1,
  MAIL: 2,
  DAEMON: 3,
  AUTH: 4,
  SYSLOG: 5,
  LPR: 6,
  NEWS: 7,
  UUCP: 8,
  CRON: 9,
  AUTHPRIV: 10,
  FTP: 11,
  LOCAL0: 16,
  LOCAL1: 17,
  LOCAL2: 18,
  LOCAL3: 19,
  LOCAL4: 20,
  LOCAL5: 21,
  LOCAL6: 22,
  LOCAL7: 23,
};

/** Consul's logging/syslog.go levelPriority: each level one step less severe than its name. */
const SEVERITY: readonly [string, number][] = [
  ['[TRACE]', 7], // debug
  ['[DEBUG]', 6], // info
  ['[INFO]', 5], // notice
  ['[WARN]', 4], // warning
  ['[ERROR]', 3], // err
];

export function syslogFacility(name: string): number | undefined {
  return FACILITY[name.toUpperCase()];
}

/** The syslog priority of one formatted log line (facility * 8 + severity), or undefined to skip. */
export function linePriority(line: string, facility: number): number | undefined {
  for (const [label, severity] of SEVERITY) if (line.includes(` ${label}`)) return facility * 8 + severity;
  return undefined;
}

/** The first candidate path that is a socket. */
export function findSyslogSocket(candidates: readonly string[] = SYSLOG_SOCKETS): string | undefined {
  for (const p of candidates) {
    try {
      if (statSync(p).isSocket()) return p;
    } catch {
      // not there: try the next one
    }
  }
  return undefined;
}

export interface SyslogOptions {
  facility: string;
  /** Socket paths to try (tests pass their own). */
  sockets?: readonly string[];
  tag?: string;
  /** Called once if the syslog writer fails after it started (socket refused, logger gone). */
  onFailure?: (reason: string) => void;
}

export type SyslogOpen = { ok: true; sink: SyslogSink } | { ok: false; error: string };

/** A LogSink that hands every line to syslog through one `logger` process. */
export class SyslogSink implements LogSink {
  private failed = false;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly facility: number,
    onFailure: ((reason: string) => void) | undefined,
  ) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (this.stderr += d));
    const fail = (reason: string): void => {
      if (this.failed) return;
      this.failed = true;
      onFailure?.(reason);
    };
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) fail(this.stderr.trim() || `logger exited with status ${code}`);
    });
    child.stdin?.on('error', () => fail(this.stderr.trim() || 'logger closed its input'));
    // The agent's exit must not wait for the logger process.
    child.unref();
  }

  static open(opts: SyslogOptions): SyslogOpen {
    const facility = syslogFacility(opts.facility);
    if (facility === undefined) return { ok: false, error: `invalid syslog facility: ${opts.facility}` };
    const socket = findSyslogSocket(opts.sockets);
    if (!socket) return { ok: false, error: `no syslog socket found (tried ${(opts.sockets ?? SYSLOG_SOCKETS).join(', ')})` };
    const args = ['--prio-prefix', '--rfc3164', '--socket-errors=on', '-t', opts.tag ?? 'consul', `--id=${process.pid}`, '-u', socket];
    const child = spawn('logger', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    return { ok: true, sink: new SyslogSink(child, facility, opts.onFailure) };
  }

  write(line: string): void {
    if (this.failed || !this.child.stdin?.writable) return;
    const pri = linePriority(line, this.facility);
    if (pri === undefined) return;
    // One message per line: a multi-line log message becomes one syslog message per line.
    for (const part of line.split('\n')) if (part !== '') this.child.stdin.write(`<${pri}>${part}\n`);
  }

  /** Flush and let the logger process exit. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin?.end();
    });
  }
}

/** Lines go to every sink. */
export function teeSink(...sinks: LogSink[]): LogSink {
  return { write: (line) => sinks.forEach((s) => s.write(line)) };
}
