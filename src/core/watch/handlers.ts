// Watch handlers: a child process fed the result as JSON on stdin, or an HTTP request carrying it
// (Consul: agent/watch_handler.go makeWatchHandler / makeHTTPWatchHandler, command/watch).
//
// MUST: handlers never block the event loop: processes and requests are awaited asynchronously.
// MUST: stdin / the HTTP body is compact JSON plus a newline (Go's json.Encoder), HTML-escaped as Go
//       escapes it; CONSUL_INDEX (env) / X-Consul-Index (header) carry the index.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { HttpHandlerConfig } from './params.js';

/** Consul: WatchBufSize, the handler output the agent keeps. */
export const WATCH_OUTPUT_MAX_BYTES = 4 * 1024;

/** Go's json.Encoder output: compact, HTML-safe, newline-terminated. */
export function encodeForHandler(value: unknown): string {
  return JSON.stringify(value ?? null).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

export type ScriptCommand = { script: string } | { args: readonly string[] };

export interface ScriptRun {
  readonly child: ChildProcess;
  /** Resolves with undefined on exit status 0, else Go's error text (`exit status 2`, `signal: killed`). */
  readonly done: Promise<string | undefined>;
  /** What the handler wrote (last WATCH_OUTPUT_MAX_BYTES bytes) when output is captured. */
  output(): string;
}

/**
 * Start a handler process. `script` runs under $SHELL -c (default /bin/sh), `args` directly.
 * Output is inherited (the CLI) or captured in a ring of the last 4 KB (the agent).
 */
export function runScriptHandler(cmd: ScriptCommand, index: bigint, value: unknown, opts: { capture: boolean; env?: NodeJS.ProcessEnv }): ScriptRun {
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), CONSUL_INDEX: index.toString() };
  const stdio: ('pipe' | 'inherit')[] = ['pipe', opts.capture ? 'pipe' : 'inherit', opts.capture ? 'pipe' : 'inherit'];
  const child =
    'script' in cmd
      ? spawn(env.SHELL || '/bin/sh', ['-c', cmd.script], { env, stdio })
      : spawn(cmd.args[0] ?? '', cmd.args.slice(1), { env, stdio });
  const ring = new OutputRing(WATCH_OUTPUT_MAX_BYTES);
  child.stdout?.on('data', (b: Buffer) => ring.write(b));
  child.stderr?.on('data', (b: Buffer) => ring.write(b));
  child.stdin?.on('error', () => undefined); // a handler that exits without reading stdin
  child.stdin?.end(encodeForHandler(value));
  const done = new Promise<string | undefined>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve(spawnErrorText(cmd, err)));
    child.once('close', (code, signal) => {
      if (signal) resolve(`signal: ${goSignalName(signal)}`);
      else resolve(code === 0 ? undefined : `exit status ${code ?? 1}`);
    });
  });
  return { child, done, output: () => ring.text() };
}

function spawnErrorText(cmd: ScriptCommand, err: NodeJS.ErrnoException): string {
  const file = 'script' in cmd ? process.env.SHELL || '/bin/sh' : (cmd.args[0] ?? '');
  if (err.code === 'ENOENT' && !file.includes('/')) return `exec: "${file}": executable file not found in $PATH`;
  if (err.code === 'ENOENT') return `fork/exec ${file}: no such file or directory`;
  if (err.code === 'EACCES') return `fork/exec ${file}: permission denied`;
  return err.message;
}

const SIGNAL_NAMES: Record<string, string> = { SIGKILL: 'killed', SIGTERM: 'terminated', SIGINT: 'interrupt', SIGHUP: 'hangup', SIGPIPE: 'broken pipe', SIGABRT: 'aborted', SIGSEGV: 'segmentation fault' };

function goSignalName(signal: string): string {
  return SIGNAL_NAMES[signal] ?? signal;
}

/** The last `max` bytes written, and how many were written in all (Consul: circbuf). */
export class OutputRing {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly max: number) {}

  write(b: Buffer): void {
    this.total += b.length;
    this.chunks.push(b);
    this.kept += b.length;
    while (this.kept - (this.chunks[0]?.length ?? 0) >= this.max) this.kept -= (this.chunks.shift() as Buffer).length;
  }

  text(): string {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > this.max) buf = buf.subarray(buf.length - this.max);
    const s = buf.toString('utf8');
    return this.total > this.max ? `Captured ${this.max} of ${this.total} bytes\n...\n${s}` : s;
  }
}

export interface HttpHandlerResult {
  status: number;
  statusText: string;
  output: string;
}

/** POST (or the configured method) the result to the handler URL; rejects on transport errors and timeouts. */
export function runHttpHandler(config: HttpHandlerConfig, index: bigint, value: unknown): Promise<HttpHandlerResult> {
  const body = encodeForHandler(value);
  const url = new URL(config.path);
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'X-Consul-Index': index.toString() };
  for (const [k, v] of Object.entries(config.header)) headers[k] = v;
  headers['Content-Length'] = String(Buffer.byteLength(body));
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: config.method, headers, rejectUnauthorized: !config.tlsSkipVerify, timeout: config.timeoutMs }, (res) => {
      const ring = new OutputRing(WATCH_OUTPUT_MAX_BYTES);
      res.on('data', (b: Buffer) => ring.write(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: `${res.statusCode} ${res.statusMessage ?? ''}`.trim(), output: ring.text() }));
      res.on('error', reject);
    });
    // One deadline for the whole exchange, like Go's context.WithTimeout.
    const deadline = setTimeout(() => req.destroy(new Error('context deadline exceeded')), config.timeoutMs);
    req.once('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', reject);
    req.end(body);
  });
}
