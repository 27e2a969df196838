// The audit log the HTTP server feeds: it watches each response, names the caller by AccessorID
// once the response is done, and hands one line per request to every configured sink.
//
// MUST: nothing here runs before the response is written, and nothing here throws into the HTTP
// server; a token the server did not resolve itself (a request forwarded by a client agent) is
// resolved after the answer went out, through the agent's cached resolver.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditRuntime } from '../config/audit.js';
import { requestToken, type AclResolver } from '../acl/index.js';
import { metrics } from '../telemetry/index.js';
import type { Logger } from '../support/logger.js';
import { FileSink, type SinkFs } from './file-sink.js';
import { auditLine, redactTokenParam, type AuditRecord } from './record.js';

/** The identity the HTTP server saw for a request (RequestAcl's public part). */
export interface AuditIdentity {
  readonly accessorId: string;
  readonly enabled: boolean;
}

const WARN_EVERY_MS = 10_000;

export class AuditLog {
  private readonly sinks: FileSink[];
  private readonly identities = new WeakMap<ServerResponse, string>();
  private unreported = 0;
  private lastWarn = 0;

  constructor(
    config: AuditRuntime,
    private readonly log: Logger,
    /** The agent's ACL resolver, read when needed (it may be set after the log starts). */
    private readonly resolver: () => AclResolver | undefined,
    fs?: SinkFs,
  ) {
    this.sinks = config.sinks.map(
      (s) =>
        new FileSink({
          path: s.path,
          mode: s.mode,
          rotateBytes: s.rotateBytes,
          rotateDurationMs: s.rotateDurationMs,
          rotateMaxFiles: s.rotateMaxFiles,
          ...(fs ? { fs } : {}),
          onDrop: (n, reason) => this.dropped(s.name, n, reason),
        }),
    );
  }

  /** Lines dropped by all sinks since start. */
  get droppedLines(): number {
    return this.sinks.reduce((n, s) => n + s.dropped, 0);
  }

  /** Start watching a request; its line is written when the response closes. */
  observe(req: IncomingMessage, res: ServerResponse): void {
    const started = Date.now();
    const t0 = performance.now();
    res.once('close', () => {
      try {
        this.complete(req, res, started, performance.now() - t0);
      } catch (e) {
        this.log.warn(`could not record a request: ${(e as Error).message}`);
      }
    });
  }

  /** The HTTP server tells who the caller was once its token resolved. */
  identify(res: ServerResponse, acl: AuditIdentity): void {
    if (acl.enabled) this.identities.set(res, acl.accessorId);
  }

  private complete(req: IncomingMessage, res: ServerResponse, started: number, durationMs: number): void {
    const sock = req.socket;
    const record: AuditRecord = {
      time: new Date(started).toISOString(),
      accessor_id: this.identities.get(res) ?? '',
      method: req.method ?? '',
      path: redactTokenParam(req.url ?? '/'),
      status: res.headersSent ? res.statusCode : 0,
      duration_ms: Math.round(durationMs * 1000) / 1000,
      remote_addr: sock.remoteAddress?.includes(':') ? `[${sock.remoteAddress}]:${sock.remotePort ?? 0}` : `${sock.remoteAddress ?? ''}:${sock.remotePort ?? 0}`,
    };
    const resolver = this.resolver();
    if (record.accessor_id !== '' || !resolver?.enabled) return this.write(record);
    // Not resolved here (forwarded to a server, or the token was refused): ask the resolver now.
    const q = (req.url ?? '').indexOf('?');
    const token = requestToken(req.headers, new URLSearchParams(q < 0 ? '' : (req.url ?? '').slice(q + 1)));
    Promise.resolve()
      .then(() => resolver.resolve(token))
      .then(
        (acl) => this.write({ ...record, accessor_id: acl.accessorId }),
        () => this.write(record),
      );
  }

  private write(record: AuditRecord): void {
    const line = auditLine(record);
    for (const s of this.sinks) s.append(line);
  }

  private dropped(sink: string, n: number, reason: string): void {
    metrics.incrCounter(['audit', 'dropped'], n);
    this.unreported += n;
    const now = Date.now();
    if (now - this.lastWarn < WARN_EVERY_MS) return;
    this.log.warn(`sink "${sink}" dropped ${this.unreported} line(s): ${reason}`);
    this.unreported = 0;
    this.lastWarn = now;
  }

  /** Write what is queued (bounded), then close the files. */
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
