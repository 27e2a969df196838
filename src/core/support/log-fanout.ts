// The agent logger's fan-out to streaming clients (/v1/agent/monitor, `consul monitor`,
// `consul debug`). Consul: logging/monitor/monitor.go.
//
// MUST: the agent never waits for a client. Each subscription holds at most `capacityLines`
// formatted lines; what arrives while it is full is dropped and counted, and the client is told
// how many ("[WARN] Monitor dropped N logs during monitor request") once there is room again.
// A subscription's memory is therefore bounded by its capacity (lines, and bytes: 4 MiB),
// whatever the client does.
// SHOULD: publish() is O(subscribers) with no I/O; the consumer drains on its own schedule.
import { LOG_LEVEL_RANK, formatLogLine, type LogLevel, type LogRecord, type LogTaps } from './logger.js';

/** Consul's monitor buffer (agent_endpoint.go: BufferSize 512). */
export const MONITOR_BUFFER_LINES = 512;

/** Our own cap on top of Consul's line count, so a few huge lines cannot hold much memory either. */
export const MONITOR_BUFFER_BYTES = 4 * 1024 * 1024;

/** Consul checks for dropped lines every 3 s (monitor.go dropCheckInterval). */
export const DROP_CHECK_INTERVAL_MS = 3_000;

export type MonitorLevel = LogLevel | 'off';

/** hclog.LevelFromString: case-insensitive, trimmed; undefined for an unknown level. */
export function parseMonitorLevel(s: string): MonitorLevel | undefined {
  const l = s.trim().toLowerCase();
  if (l === 'off') return 'off';
  return l in LOG_LEVEL_RANK ? (l as LogLevel) : undefined;
}

export class LogFanout implements LogTaps {
  private readonly subs = new Set<LogSubscription>();
  minRank = Number.POSITIVE_INFINITY;

  publish(rec: LogRecord): void {
    for (const s of this.subs) s.offer(rec);
  }

  subscribe(opts: { level: MonitorLevel; json: boolean; capacityLines?: number }): LogSubscription {
    const sub = new LogSubscription(opts.level, opts.json, opts.capacityLines ?? MONITOR_BUFFER_LINES, () => {
      this.subs.delete(sub);
      this.recompute();
    });
    this.subs.add(sub);
    this.recompute();
    return sub;
  }

  get subscriberCount(): number {
    return this.subs.size;
  }

  private recompute(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const s of this.subs) min = Math.min(min, s.rank);
    this.minRank = min;
  }
}

/** One streaming client's bounded queue of formatted lines. */
export class LogSubscription {
  readonly rank: number;
  private queue: string[] = [];
  private queuedBytes = 0;
  /** Dropped since the client was last told. */
  private droppedSinceNotice = 0;
  /** Dropped over the whole subscription (logged by the agent when the client goes). */
  droppedTotal = 0;
  private listener: (() => void) | undefined;
  private closed = false;

  constructor(
    level: MonitorLevel,
    private readonly json: boolean,
    readonly capacityLines: number,
    private readonly onClose: () => void,
  ) {
    this.rank = level === 'off' ? Number.POSITIVE_INFINITY : LOG_LEVEL_RANK[level];
  }

  offer(rec: LogRecord): void {
    if (this.closed || LOG_LEVEL_RANK[rec.level] < this.rank) return;
    if (this.queue.length >= this.capacityLines || this.queuedBytes >= MONITOR_BUFFER_BYTES) {
      this.droppedSinceNotice++;
      this.droppedTotal++;
      return;
    }
    const line = this.json ? formatLogJson(rec) : formatLogLine(rec);
    this.queue.push(line);
    this.queuedBytes += line.length;
    this.listener?.();
  }

  /** Called (synchronously, from the logging call) when lines arrive; schedule a drain. */
  onReadable(fn: () => void): void {
    this.listener = fn;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Take every queued line (the consumer writes them, then asks again when it can). */
  take(): string[] {
    const out = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return out;
  }

  /** Queue the dropped-lines notice if anything was dropped and there is room for it. */
  noticeDropped(): void {
    if (this.droppedSinceNotice === 0 || this.queue.length >= this.capacityLines) return;
    this.queue.push(`[WARN] Monitor dropped ${this.droppedSinceNotice} logs during monitor request\n`);
    this.droppedSinceNotice = 0;
    this.listener?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.listener = undefined;
    this.onClose();
  }
}

/** hclog's JSON timestamp: microseconds, `Z` for UTC (2006-01-02T15:04:05.000000Z07:00). */
function jsonTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const KV_TAIL = /^[A-Za-z_][\w.-]*=(?:"(?:[^"\\]|\\.)*"|\S*)(?: [A-Za-z_][\w.-]*=(?:"(?:[^"\\]|\\.)*"|\S*))*$/;
const KV_PAIR = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;

/**
 * Our log calls write hclog's text form, `message: key=value key2="two words"`. For JSON the
 * trailing pairs become fields as hclog's JSON format has them; the rest is @message.
 */
export function splitKeyValues(msg: string): { message: string; fields: Record<string, string> } {
  for (let at = msg.indexOf(': '); at >= 0; at = msg.indexOf(': ', at + 1)) {
    const tail = msg.slice(at + 2);
    if (!KV_TAIL.test(tail)) continue;
    const fields: Record<string, string> = {};
    for (const m of tail.matchAll(KV_PAIR)) {
      const raw = m[2] ?? '';
      let value = raw;
      if (raw.startsWith('"')) {
        try {
          value = JSON.parse(raw) as string;
        } catch {
          value = raw.slice(1, -1);
        }
      }
      fields[m[1] ?? ''] = value;
    }
    return { message: msg.slice(0, at), fields };
  }
  return { message: msg, fields: {} };
}

/** hclog's JSON line: @level, @message, @module, @timestamp, then the pairs (keys sorted, as Go maps encode). */
export function formatLogJson(rec: LogRecord): string {
  const { message, fields } = splitKeyValues(rec.msg);
  const obj: Record<string, string> = {
    '@level': rec.level,
    '@message': message,
    '@module': rec.name,
    '@timestamp': jsonTimestamp(rec.timeMs),
  };
  for (const k of Object.keys(fields).sort()) if (!(k in obj)) obj[k] = fields[k] ?? '';
  return JSON.stringify(obj) + '\n';
}
