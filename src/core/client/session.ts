// Session endpoints (/v1/session/...), as Consul's api/session.go exposes them.
import { StatusError } from './errors.js';
import { type HttpTransport, parseJson } from './http.js';
import { parseGoDuration } from '../support/duration.js';

/** api.SessionEntry. LockDelay is in nanoseconds on the wire. */
export interface SessionEntry {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: 'release' | 'delete';
  TTL: string;
  NodeChecks: string[] | null;
  ServiceChecks: { ID: string; Namespace?: string }[] | null;
  Checks?: string[];
  CreateIndex: number;
  ModifyIndex: number;
}

/** What a create sends; like Go's client, empty fields are left out so the agent's defaults apply. */
export interface SessionCreate {
  Name?: string;
  Node?: string;
  /** Milliseconds; sent as "<n>ms" (Go: durToMsec). */
  LockDelayMs?: number;
  Behavior?: 'release' | 'delete';
  TTL?: string;
  Checks?: string[];
  NodeChecks?: string[];
}

export class SessionApi {
  constructor(private readonly http: HttpTransport) {}

  async create(se: SessionCreate): Promise<string> {
    const body: Record<string, unknown> = {};
    if (se.Name) body.Name = se.Name;
    if (se.Node) body.Node = se.Node;
    if (se.LockDelayMs) body.LockDelay = `${se.LockDelayMs}ms`;
    if (se.Checks && se.Checks.length > 0) body.Checks = se.Checks;
    if (se.NodeChecks && se.NodeChecks.length > 0) body.NodeChecks = se.NodeChecks;
    if (se.Behavior) body.Behavior = se.Behavior;
    if (se.TTL) body.TTL = se.TTL;
    const res = await this.http.sendOk({ method: 'PUT', path: '/v1/session/create', body: JSON.stringify(body) });
    return parseJson<{ ID: string }>(res).ID;
  }

  async destroy(id: string): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: `/v1/session/destroy/${id}` });
  }

  /** The renewed session, or null when the agent no longer knows it (404). */
  async renew(id: string): Promise<SessionEntry | null> {
    const res = await this.http.send({ method: 'PUT', path: `/v1/session/renew/${id}` });
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return parseJson<SessionEntry[] | null>(res)?.[0] ?? null;
  }

  async info(id: string): Promise<SessionEntry | null> {
    const res = await this.http.sendOk({ method: 'GET', path: `/v1/session/info/${id}` });
    return parseJson<SessionEntry[] | null>(res)?.[0] ?? null;
  }

  async list(): Promise<SessionEntry[]> {
    return parseJson<SessionEntry[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/session/list' })) ?? [];
  }

  async node(node: string): Promise<SessionEntry[]> {
    return parseJson<SessionEntry[] | null>(await this.http.sendOk({ method: 'GET', path: `/v1/session/node/${node}` })) ?? [];
  }
}

/**
 * Keep a session alive: renew every TTL/2 (following a TTL the server changes), retry every
 * second after an error, give up once a whole TTL passed without a successful renew or when the
 * agent no longer knows the session; stop() destroys it (Go: Session.RenewPeriodic).
 */
export class SessionRenewer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRenewMs = Date.now();
  private ttlMs: number;
  private readonly expiry = new AbortController();
  private expiryTimer: NodeJS.Timeout | undefined;
  /**
   * Aborts when no renewal went through for a whole TTL (counted from when the last good one
   * was sent): the servers may have destroyed the session by now. Not in Consul's api (its
   * RenewPeriodic just returns); `consul lock` promises to stop its child when "communication
   * is disrupted", and a lock-delay no shorter than the TTL then keeps two holders apart.
   */
  readonly expired: AbortSignal = this.expiry.signal;

  constructor(
    private readonly api: SessionApi,
    private readonly id: string,
    ttlMs: number,
  ) {
    this.ttlMs = ttlMs;
    this.armExpiry(this.lastRenewMs);
    this.schedule(ttlMs / 2);
  }

  private armExpiry(sentAtMs: number): void {
    clearTimeout(this.expiryTimer);
    if (this.stopped) return;
    this.expiryTimer = setTimeout(() => this.expiry.abort(), Math.max(0, sentAtMs + this.ttlMs - Date.now()));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renew(), ms);
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    if (Date.now() - this.lastRenewMs > this.ttlMs) return;
    let entry: SessionEntry | null;
    const sentAtMs = Date.now();
    try {
      entry = await this.api.renew(this.id);
    } catch {
      this.schedule(1000);
      return;
    }
    if (!entry) return;
    const ttl = parseTtlMs(entry.TTL);
    if (ttl > 0) this.ttlMs = ttl;
    this.lastRenewMs = sentAtMs;
    this.armExpiry(sentAtMs);
    this.schedule(this.ttlMs / 2);
  }

  /** Stop renewing and destroy the session (errors ignored, as Go's client does). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.expiryTimer);
    await this.api.destroy(this.id).catch(() => undefined);
  }
}

/** A Go duration in ms, 0 when it does not parse. */
export function parseTtlMs(ttl: string): number {
  try {
    return ttl === '' ? 0 : parseGoDuration(ttl);
  } catch {
    return 0;
  }
}
