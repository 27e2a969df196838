// Client agents hold no replicated state: the API calls that read or write it are forwarded to a
// server over the server RPC port and answered there by the same handlers (Consul forwards each
// endpoint's RPC; forwarding the API call whole gives the same answers with one seam).
//
// MUST: only state-backed paths are forwarded; /v1/agent/* and /v1/event/* are the local
//       agent's own and are always answered locally.
// MUST: the origin agent's node name travels with the request, so that defaults which mean
//       "this agent" (a session's Node) name the client, not the server that answers.
import { parseGoDuration } from '../support/duration.js';

/** A request as it crosses the RPC hop. Headers are lower-cased. */
export interface ForwardRequest {
  readonly method: string;
  /** Path and query, exactly as the client sent them. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The node name of the agent that received the call. */
  readonly originNode: string;
  /** Server-to-server hops so far (a follower forwards to the leader at most once more). */
  readonly hops?: number;
}

export interface ForwardReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Sends a request to some server and returns its answer (the agent's router implements it). */
export type Forwarder = (req: ForwardRequest, timeoutMs: number) => Promise<ForwardReply>;

const SERVER_PREFIXES = ['/v1/kv/', '/v1/txn', '/v1/status/', '/v1/snapshot', '/v1/catalog/', '/v1/health/', '/v1/session/', '/v1/operator/', '/v1/coordinate/', '/v1/query', '/v1/internal/', '/v1/connect/', '/v1/config', '/v1/acl/'];

export function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some((p) => path.startsWith(p));
}

/**
 * On a server that is not the leader: must this call be answered by the leader? Everything
 * state-backed is, except `?stale` reads (any server answers them from its own state), the
 * status endpoints (each server answers for itself) and the gossip keyring (a server-local op).
 */
export function needsLeader(path: string, query: URLSearchParams, lastContactMs: number): boolean {
  if (!isServerPath(path) || path.startsWith('/v1/status/') || path === '/v1/operator/keyring') return false;
  const stale = query.has('stale');
  const maxStale = query.get('max_stale');
  if (maxStale === null || maxStale === '') return !stale;
  // Consul (agent/http.go parseConsistency): max_stale sets the same bound with or without
  // ?stale. A stale read is served here unless this server has not heard from the leader for
  // longer than max_stale; then it goes to the leader after all.
  let maxMs: number;
  try {
    maxMs = parseGoDuration(maxStale);
  } catch {
    return false; // the handler answers the parse error
  }
  if (maxMs <= 0) return !stale;
  return lastContactMs > maxMs;
}

/** Headers worth carrying: the token and what content negotiation needs. */
export function forwardedHeaders(h: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['x-consul-token', 'authorization', 'accept', 'content-type']) {
    const v = h[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/**
 * How long the RPC may take: a blocking query waits up to its `wait` (bounded by max_query_time,
 * plus Consul's jitter of wait/16), so the hop must outlive it.
 */
export function forwardTimeoutMs(url: string, maxQueryTimeMs: number): number {
  return url.includes('index=') ? maxQueryTimeMs + maxQueryTimeMs / 16 + 30_000 : 60_000 + 7_000;
}

/**
 * How long a follower keeps retrying a forwarded call through elections. Consul's HasTimedOut:
 * rpc_hold_timeout, plus the blocking timeout for a blocking query (index > 0), so a blocking
 * read whose leader vanished mid-wait is retried against the next leader instead of failing.
 * The blocking part here is the call's own timeout (forwardTimeoutMs), an upper bound of it.
 */
export function forwardHoldMs(url: string, rpcHoldTimeoutMs: number, callTimeoutMs: number): number {
  const m = /[?&]index=(\d+)/.exec(url);
  const blocking = m !== null && Number(m[1]) > 0;
  return rpcHoldTimeoutMs + (blocking ? callTimeoutMs : 0);
}
