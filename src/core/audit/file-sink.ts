// A best-effort, size- and age-rotated JSON-lines file, written off the request path.
//
// MUST: append() never blocks and never throws; lines wait in a bounded in-memory queue and are
// written by one async flush at a time. When the queue is full (a slow or stuck disk) or a write
// fails (ENOSPC, EIO, a removed directory), the lines are dropped and counted, the file is reopened
// on the next batch, and the agent carries on.
// SHOULD: one write(2) per batch; rotation splits a batch at line boundaries, never inside a line.
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** The file operations the sink uses, so tests can inject failures (a full disk, a stuck write). */
export interface SinkFs {
  open(path: string, mode: number): Promise<SinkHandle>;
  stat(path: string): Promise<{ size: number }>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
}

export interface SinkHandle {
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export const nodeSinkFs: SinkFs = {
  async open(path, mode) {
    const h = await fsp.open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, mode);
    return {
      async write(data) {
        let off = 0;
        while (off < data.length) off += (await h.write(data, off, data.length - off)).bytesWritten;
      },
      close: () => h.close(),
    };
  },
  stat: (path) => fsp.stat(path),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  readdir: (dir) => fsp.readdir(dir),
  mkdir: async (dir) => void (await fsp.mkdir(dir, { recursive: true })),
};

export interface FileSinkOptions {
  path: string;
  mode: number;
  rotateBytes: number;
  rotateDurationMs: number;
  /** Rotated files kept; older ones are removed. 0 keeps them all. */
  rotateMaxFiles: number;
  /** Lines queued in memory at most (bytes); beyond that new lines are dropped. */
  maxQueuedBytes?: number;
  /** How long lines wait to share a write (unless 256 KiB are queued); default 50 ms. */
  flushDelayMs?: number;
  fs?: SinkFs;
  now?: () => number;
  /** Called with each batch of dropped lines and the reason (for the counter and a warning). */
  onDrop?: (count: number, reason: string) => void;
}

export const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** A batch this large is written at once instead of waiting for the flush delay. */
const EAGER_FLUSH_BYTES = 256 * 1024;

export class FileSink {
  private queue: string[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  /** Ends the flush delay early (a large batch is waiting). */
  private wake: (() => void) | undefined;
  private handle: SinkHandle | undefined;
  private size = 0;
  private openedAt = 0;
  private closed = false;
  /** Lines dropped since the sink started. */
  dropped = 0;
  /** Lines written since the sink started. */
  written = 0;
  private readonly fs: SinkFs;
  private readonly now: () => number;
  private readonly maxQueued: number;

  constructor(private readonly opts: FileSinkOptions) {
    this.fs = opts.fs ?? nodeSinkFs;
    this.now = opts.now ?? Date.now;
    this.maxQueued = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  }

  /** Queue one line (without its newline). Never waits, never throws. */
  append(line: string): void {
    if (this.closed) return;
    const bytes = Buffer.byteLength(line) + 1;
    if (this.queuedBytes + bytes > this.maxQueued) {
      this.drop(1, 'queue full (the audit file is not keeping up)');
      return;
    }
    this.queue.push(line);
    this.queuedBytes += bytes;
    if (!this.flushing) this.flushing = this.flushLoop();
    else if (this.wake && this.queuedBytes >= EAGER_FLUSH_BYTES) this.wake();
  }

  /** Resolves once everything queued so far is written or dropped. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Write what is queued (bounded by `timeoutMs`), then close the file. */
  async close(timeoutMs = 2000): Promise<void> {
    this.closed = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.drain(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }

  private drop(count: number, reason: string): void {
    this.dropped += count;
    try {
      this.opts.onDrop?.(count, reason);
    } catch {
      // a reporting failure must not reach the request path
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.batchDelay();
        const lines = this.queue;
        this.queue = [];
        this.queuedBytes = 0;
        let done = 0;
        try {
          done = await this.writeLines(lines);
        } catch (e) {
          done = (e as { linesWritten?: number }).linesWritten ?? 0;
          this.drop(lines.length - done, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
          const h = this.handle;
          this.handle = undefined;
          await h?.close().catch(() => undefined);
        }
        this.written += done;
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /**
   * Wait a little before each write so many requests share it: one write per request would cost
   * more CPU than the rest of the audit path at tens of thousands of requests per second. A batch
   * of 256 KiB (or closing) ends the wait early.
   */
  private batchDelay(): Promise<void> {
    const delay = this.closed ? 0 : (this.opts.flushDelayMs ?? 50);
    return new Promise<void>((resolve) => {
      if (delay <= 0 || this.queuedBytes >= EAGER_FLUSH_BYTES) return void setImmediate(resolve);
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.wake = done;
    });
  }

  /**
   * Write a batch as few writes as rotation allows: lines go to the live file while it stays
   * within rotate_bytes (a line longer than that gets a file of its own). Returns the lines
   * written; a failure carries how many made it before it (`linesWritten`).
   */
  private async writeLines(lines: readonly string[]): Promise<number> {
    const o = this.opts;
    let i = 0;
    try {
      while (i < lines.length) {
        if (this.handle && o.rotateDurationMs > 0 && this.now() - this.openedAt >= o.rotateDurationMs) await this.rotate();
        if (!this.handle) await this.open();
        const chunk: string[] = [];
        let bytes = 0;
        while (i + chunk.length < lines.length) {
          const b = Buffer.byteLength(lines[i + chunk.length]!) + 1;
          if (o.rotateBytes > 0 && this.size + bytes > 0 && this.size + bytes + b > o.rotateBytes) break;
          chunk.push(lines[i + chunk.length]!);
          bytes += b;
        }
        if (chunk.length === 0) {
          await this.rotate(); // the live file is full: the next line starts a new one
          continue;
        }
        await this.handle!.write(Buffer.from(`${chunk.join('\n')}\n`));
        this.size += bytes;
        i += chunk.length;
      }
      return i;
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { linesWritten: i });
    }
  }

  private async open(): Promise<void> {
    await this.fs.mkdir(dirname(this.opts.path));
    this.handle = await this.fs.open(this.opts.path, this.opts.mode);
    this.openedAt = this.now();
    try {
      this.size = (await this.fs.stat(this.opts.path)).size;
    } catch {
      this.size = 0;
    }
  }

  /** Move the live file aside as `<name>-<unix ms>.<ext>` and keep only the newest rotate_max_files. */
  private async rotate(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
    const { path, rotateMaxFiles } = this.opts;
    const ext = extname(path);
    const stem = basename(path, ext);
    let stamp = this.now();
    const dir = dirname(path);
    const existing = new Set(await this.fs.readdir(dir));
    while (existing.has(`${stem}-${stamp}${ext}`)) stamp++;
    await this.fs.rename(path, join(dir, `${stem}-${stamp}${ext}`));
    this.size = 0;
    if (rotateMaxFiles <= 0) return;
    const rotated = (await this.fs.readdir(dir))
      .map((f) => ({ f, m: new RegExp(`^${escapeRegExp(stem)}-(\\d+)${escapeRegExp(ext)}$`).exec(f) }))
      .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => Number(a.m[1]) - Number(b.m[1]));
    for (const old of rotated.slice(0, Math.max(0, rotated.length - rotateMaxFiles))) {
      await this.fs.unlink(join(dir, old.f)).catch(() => undefined);
    }
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
