// Remote execution on this agent (Consul: agent/remote_exec.go), driven by `_rexec` user events.
//
// The event payload names a KV directory (`<prefix>/<session>`); the job spec lives at `.../job`.
// This node answers under `.../<node>/`: `ack` first, then output chunks `out/<seq>` (5 hex
// digits; an empty chunk is a heartbeat), then `exit` with the decimal exit code. Every write is
// a KV acquire with the job's session, so once the CLI destroys the session nothing more lands.
//
// MUST: the command runs in a child process; nothing here blocks the event loop.
// MUST: output is uploaded in chunks of at most REXEC_OUTPUT_SIZE bytes.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../support/logger.js';
import type { UserEvent } from '../structs/event.js';

/** Consul: remoteExecName. */
export const REMOTE_EXEC_EVENT = '_rexec';
/** Consul: remoteExecOutputSize / remoteExecOutputDeadline. */
export const REXEC_OUTPUT_SIZE = 4 * 1024;
export const REXEC_OUTPUT_IDLE_MS = 500;
const DEFAULT_HEARTBEAT_MS = 2_000;

/** What the event carries (JSON). */
export interface RemoteExecEvent {
  Prefix: string;
  Session: string;
}

/** The job spec in KV (JSON as Go's encoder writes it: Script base64, Wait in nanoseconds). */
export interface RemoteExecSpec {
  Command?: string;
  Args?: string[];
  Script?: string;
  Wait?: number;
}

/** The KV access remote exec needs: local state on a server, forwarded calls on a client. */
export interface RemoteExecKv {
  get(key: string): Promise<Uint8Array | undefined>;
  /** A KV acquire with `session`; false when the lock is refused. */
  lock(key: string, value: Uint8Array, session: string): Promise<boolean>;
}

export interface RemoteExecOptions {
  nodeName: () => string;
  /** How to reach KV now; undefined while no server is known. */
  kv: () => RemoteExecKv | undefined;
  logger: Logger;
}

/** Join KV path segments as Go's path.Join does for these (no empty parts, no doubled slashes). */
function joinKey(...parts: string[]): string {
  return parts
    .join('/')
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

export class RemoteExec {
  /** Jobs still running, so shutdown can wait for their exit writes. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: RemoteExecOptions) {}

  /** Handle a received `_rexec` event in the background. */
  handle(e: UserEvent): void {
    const job = this.run(e).catch((err: unknown) => this.o.logger.error(`remote exec failed: ${(err as Error).message}`));
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }

  /** Wait for running jobs (for tests and shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private async run(msg: UserEvent): Promise<void> {
    const log = this.o.logger;
    log.debug(`received remote exec event: id=${msg.ID}`);
    let event: RemoteExecEvent;
    try {
      const raw = JSON.parse(Buffer.from(msg.Payload ?? '', 'base64').toString('utf8')) as Partial<RemoteExecEvent>;
      if (typeof raw.Prefix !== 'string' || typeof raw.Session !== 'string') throw new Error('missing Prefix or Session');
      event = { Prefix: raw.Prefix, Session: raw.Session };
    } catch (err) {
      log.error(`failed to decode remote exec event: error="${(err as Error).message}"`);
      return;
    }
    const server = this.o.kv();
    if (!server) {
      log.error('failed to get remote exec job: no known Consul servers');
      return;
    }
    const spec = await this.getSpec(server, event);
    if (!spec) return;
    try {
      await this.writeKey(server, event, 'ack', new Uint8Array(0));
    } catch (err) {
      log.error(`failed to ack remote exec job: error="${(err as Error).message}"`);
      return;
    }
    let exitCode = 255;
    try {
      exitCode = await this.execute(server, event, spec);
    } finally {
      try {
        await this.writeKey(server, event, 'exit', Buffer.from(String(exitCode)));
      } catch (err) {
        log.error(`failed to write exit code for remote exec job: error="${(err as Error).message}"`);
      }
    }
  }

  private async getSpec(kv: RemoteExecKv, event: RemoteExecEvent): Promise<RemoteExecSpec | undefined> {
    const key = joinKey(event.Prefix, event.Session, 'job');
    let value: Uint8Array | undefined;
    try {
      value = await kv.get(key);
    } catch (err) {
      this.o.logger.error(`failed to get remote exec job: error="${(err as Error).message}"`);
      return undefined;
    }
    if (!value) {
      this.o.logger.debug('remote exec aborted, job spec missing');
      return undefined;
    }
    try {
      return JSON.parse(Buffer.from(value).toString('utf8')) as RemoteExecSpec;
    } catch (err) {
      this.o.logger.error(`failed to decode remote exec spec: error="${(err as Error).message}"`);
      return undefined;
    }
  }

  /** Consul: remoteExecWriteKey; a KV lock with the job's session. */
  private async writeKey(kv: RemoteExecKv, event: RemoteExecEvent, suffix: string, value: Uint8Array): Promise<void> {
    const key = joinKey(event.Prefix, event.Session, this.o.nodeName(), suffix);
    const ok = await kv.lock(key, value, event.Session);
    if (!ok) throw new Error('write failed');
  }

  /** Run the job, streaming its output; resolves with the exit code (255 when it cannot start). */
  private async execute(server: RemoteExecKv, event: RemoteExecEvent, spec: RemoteExecSpec): Promise<number> {
    const log = this.o.logger;
    let scriptFile: string | undefined;
    let tmpDir: string | undefined;
    let command = spec.Command ?? '';
    if (spec.Script) {
      tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rexec'));
      scriptFile = path.join(tmpDir, 'script');
      await fs.writeFile(scriptFile, Buffer.from(spec.Script, 'base64'), { mode: 0o750 });
      command = scriptFile;
    }
    try {
      log.info(`remote exec: script="${spec.Args && spec.Args.length > 0 ? spec.Args.join(' ') : command}"`);
      const [file, args] = spec.Args && spec.Args.length > 0 ? [spec.Args[0]!, spec.Args.slice(1)] : ['/bin/sh', ['-c', command]];
      const heartbeatMs = spec.Wait && spec.Wait > 0 ? Math.max(50, spec.Wait / 1e6) : DEFAULT_HEARTBEAT_MS;
      return await this.spawnAndStream(server, event, file, args, heartbeatMs);
    } finally {
      if (tmpDir) await fs.rm(tmpDir, { recursive: true, force: true });
    }
  }

  private spawnAndStream(server: RemoteExecKv, event: RemoteExecEvent, file: string, args: string[], heartbeatMs: number): Promise<number> {
    return new Promise<number>((resolve) => {
      let seq = 0;
      let failed = false;
      let buf: Buffer[] = [];
      let bufLen = 0;
      let idle: NodeJS.Timeout | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      // Uploads run one after another, in order.
      let chain: Promise<void> = Promise.resolve();
      const upload = (chunk: Buffer): void => {
        const num = seq++;
        chain = chain.then(async () => {
          if (failed) return;
          try {
            await this.writeKey(server, event, `out/${num.toString(16).padStart(5, '0')}`, chunk);
          } catch (err) {
            failed = true;
            this.o.logger.error(`failed to write output for remote exec job: error="${(err as Error).message}"`);
            child.kill('SIGKILL');
          }
        });
        armHeartbeat();
      };
      let closed = false;
      const armHeartbeat = (): void => {
        clearTimeout(heartbeat);
        if (closed) return;
        heartbeat = setTimeout(() => upload(Buffer.alloc(0)), heartbeatMs);
      };
      const flush = (): void => {
        clearTimeout(idle);
        idle = undefined;
        if (bufLen === 0) return;
        const all = Buffer.concat(buf, bufLen);
        buf = [];
        bufLen = 0;
        upload(all);
      };
      const onData = (b: Buffer): void => {
        clearTimeout(idle);
        while (b.length > 0) {
          const take = Math.min(REXEC_OUTPUT_SIZE - bufLen, b.length);
          buf.push(b.subarray(0, take));
          bufLen += take;
          b = b.subarray(take);
          if (bufLen >= REXEC_OUTPUT_SIZE) flush();
        }
        if (bufLen > 0) idle = setTimeout(flush, REXEC_OUTPUT_IDLE_MS);
      };

      const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      armHeartbeat();
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      let spawnFailed = false;
      child.once('error', (err) => {
        spawnFailed = true;
        this.o.logger.debug(`failed to start remote exec: error="${err.message}"`);
      });
      child.once('close', (code, signal) => {
        closed = true;
        flush();
        clearTimeout(heartbeat);
        void chain.then(() => {
          if (failed || spawnFailed) resolve(255);
          else resolve(code ?? (signal ? -1 : 1));
        });
      });
    });
  }
}
