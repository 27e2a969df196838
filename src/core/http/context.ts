// One HTTP request as handlers see it: method, key path, query flags, body, and the reply they build.
// Query parameters follow Consul's rules: presence-only flags count with any value (`?recurse`,
// `?recurse=false`), numbers parse like Go's strconv.ParseUint, durations like time.ParseDuration.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Errors, HttpError } from '../errors.js';
import { DurationError, parseGoDuration } from '../support/duration.js';
import type { Consistency } from '../server/index.js';
import { ACL_DISABLED, type RequestAcl } from '../acl/index.js';

export interface Reply {
  status: number;
  /** A JSON value, or raw bytes/text when `raw` is set, or JSON already serialized in `json`. */
  body?: unknown;
  json?: string;
  raw?: Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Present on reads that went to the state store: becomes the X-Consul-* meta headers. */
  meta?: QueryMeta;
  /** A streaming answer (/v1/agent/monitor): it owns the response from here on. */
  stream?: (res: ServerResponse) => void;
}

export interface QueryMeta {
  index: number;
  knownLeader: boolean;
  lastContactMs: number;
  consistency: Consistency;
}

export interface BlockingParams {
  minIndex: number;
  waitMs: number | undefined;
}

const U64 = /^\d+$/;

export class RequestContext {
  readonly path: string;
  readonly query: URLSearchParams;
  /** Set by the route table: the part of the path after the route's prefix, URL-decoded. */
  tail = '';
  /** Indented JSON answers (?pretty, or always in dev mode as Consul does). */
  pretty = false;
  private closed = false;
  private closeListeners: (() => void)[] | undefined;
  /** The response whose 'close' ends the request (set by the server; watched only on demand). */
  closeSource: { once(event: 'close', fn: () => void): unknown } | undefined;

  /** Set on a forwarded request: the client agent that received it (its node name). */
  originNode: string | undefined;

  /** The request token's identity, set by the server before the handler runs (ACLs off: allow all). */
  acl: RequestAcl = ACL_DISABLED;

  constructor(
    readonly req: { readonly headers: IncomingHttpHeaders },
    readonly method: string,
    url: string,
    readonly body: Buffer,
  ) {
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  }

  has(flag: string): boolean {
    return this.query.has(flag);
  }

  get(name: string): string | null {
    return this.query.get(name);
  }

  /** Go's strconv.ParseUint semantics; an absent parameter gives `absent`. */
  uint(name: string, absent: number, onError: () => HttpError): number {
    const v = this.query.get(name);
    if (v === null || v === '') return absent;
    if (!U64.test(v)) throw onError();
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw onError();
    return n;
  }

  consistency(): Consistency {
    const stale = this.has('stale');
    const consistent = this.has('consistent');
    if (stale && consistent) throw Errors.staleAndConsistent();
    const maxStale = this.get('max_stale');
    if (maxStale !== null && maxStale !== '') {
      try {
        if (parseGoDuration(maxStale) > 0) return 'stale';
      } catch (err) {
        if (err instanceof DurationError) throw Errors.invalidMaxStale(maxStale);
        throw err;
      }
    }
    return stale ? 'stale' : consistent ? 'consistent' : 'default';
  }

  blocking(): BlockingParams {
    const wait = this.get('wait');
    let waitMs: number | undefined;
    if (wait !== null && wait !== '') {
      try {
        waitMs = parseGoDuration(wait);
      } catch {
        throw Errors.invalidWait();
      }
    }
    return { minIndex: this.uint('index', 0, Errors.invalidIndex), waitMs };
  }

  /** The token from ?token, X-Consul-Token or Authorization: Bearer (Consul's order). */
  token(): string {
    const q = this.get('token');
    if (q) return q;
    const h = this.req.headers['x-consul-token'];
    if (typeof h === 'string' && h !== '') return h;
    const auth = this.req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim().split(/\s+/)[0] ?? '';
    return '';
  }

  /** Called when the client goes away (a parked blocking query stops waiting). */
  onClose(fn: () => void): void {
    if (this.closed) return fn();
    if (!this.closeListeners) {
      this.closeListeners = [];
      this.closeSource?.once('close', () => this.markClosed());
    }
    this.closeListeners.push(fn);
  }

  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeListeners?.splice(0) ?? []) fn();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

export const ok = (body: unknown, meta?: QueryMeta): Reply => ({ status: 200, body, meta });
export const empty = (): Reply => ({ status: 200, raw: '' });
