// Connection and request limits on the HTTP API (Consul: limits { ... }).
//
// Per client IP, at most `http_max_conns_per_client` open connections; one more is answered as
// hashicorp/go-connlimit answers it (a raw 429 with its text, then closed) and never reaches the
// parser. On servers, `request_limits` is one global token bucket for reads and one for writes
// (Consul: agent/consul/rate): in `enforcing` mode an exhausted bucket refuses the request, 503
// "try again later" for a write on the leader (no other server could take it) and 429 "try a
// different server" otherwise; in `permissive` mode the request is logged and served.
import type { Socket } from 'node:net';
import { HttpError } from '../errors.js';
import type { LimitsRuntime } from '../config/limits.js';
import { monotonicMs } from '../support/clock.js';

const TOO_MANY_CONNS = 'Your IP is issuing too many concurrent connections, please rate limit your calls\n';
const TOO_MANY_CONNS_RESPONSE =
  'HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\n' + `Content-Length: ${TOO_MANY_CONNS.length}\r\nConnection: close\r\n\r\n${TOO_MANY_CONNS}`;

export class ConnectionLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerClient: number) {}

  /** Count a new connection; false (and the socket answered and closed) when over the limit. */
  admit(socket: Socket): boolean {
    if (this.maxPerClient <= 0) return true;
    const ip = socket.remoteAddress ?? '';
    const n = this.open.get(ip) ?? 0;
    if (n >= this.maxPerClient) {
      // go-connlimit gives a slow reader 10 ms to take the answer, then closes.
      socket.setTimeout(10, () => socket.destroy());
      socket.end(TOO_MANY_CONNS_RESPONSE);
      return false;
    }
    this.open.set(ip, n + 1);
    socket.once('close', () => {
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left <= 0) this.open.delete(ip);
      else this.open.set(ip, left);
    });
    return true;
  }
}

class TokenBucket {
  private tokens: number;
  private at = monotonicMs();

  constructor(private readonly perSecond: number) {
    this.tokens = this.burst;
  }

  private get burst(): number {
    return Math.max(1, this.perSecond);
  }

  take(): boolean {
    if (this.perSecond === Infinity) return true;
    const now = monotonicMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export const RATE_LIMIT_RETRY_ELSEWHERE = 'rate limit exceeded, try a different server';
export const RATE_LIMIT_RETRY_LATER = 'rate limit exceeded, try again later';

export class RequestLimiter {
  private readonly read: TokenBucket;
  private readonly write: TokenBucket;

  constructor(
    private readonly cfg: LimitsRuntime['requestLimits'],
    private readonly warn: (msg: string) => void,
  ) {
    this.read = new TokenBucket(cfg.readRate);
    this.write = new TokenBucket(cfg.writeRate);
  }

  /** Throws the refusal for a request over the limit in enforcing mode; else lets it through. */
  check(method: string, path: string, source: string, isLeader: boolean): void {
    if (this.cfg.mode === 'disabled') return;
    const isWrite = method !== 'GET' && method !== 'HEAD';
    if ((isWrite ? this.write : this.read).take()) return;
    const enforced = this.cfg.mode === 'enforcing';
    this.warn(`RPC exceeded allowed rate limit: rpc="${method} ${path}" source_addr=${source} limit_type=global/${isWrite ? 'write' : 'read'} limit_enforced=${enforced}`);
    if (!enforced) return;
    if (isWrite && isLeader) throw new HttpError(503, RATE_LIMIT_RETRY_LATER);
    throw new HttpError(429, RATE_LIMIT_RETRY_ELSEWHERE);
  }
}
