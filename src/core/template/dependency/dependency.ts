// What a dependency is (consul-template dependency/dependency.go): something a template reads,
// named by its String() form ("health.service(web@dc1|passing)"), fetched with a blocking query
// and kept as a long-lived watch. The fetch side reaches the agent only through the API client's
// transport.
import type { HttpTransport } from '../../client/index.js';

export interface QueryOptions {
  waitIndex: number;
  /** Blocking wait in milliseconds (consul-template: block_query_wait, 60s). */
  waitTimeMs: number;
  allowStale: boolean;
}

export interface FetchResult {
  data: unknown;
  lastIndex: number;
  /** X-Consul-LastContact in ms (0 when absent). */
  lastContactMs: number;
  /** Keep blocking while the data is nil (key with blocking semantics). */
  blockOnNil?: boolean;
}

export interface Dependency {
  /** consul-template's String(): identity in the brain, the watcher and the logs. */
  readonly id: string;
  /** Non-Consul dependencies (files) poll instead of blocking. */
  readonly kind: 'consul' | 'local';
  fetch(http: HttpTransport, opts: QueryOptions, signal: AbortSignal): Promise<FetchResult>;
}

/** A dependency string that does not parse ("health.service: invalid format: ..."). */
export class DependencyParseError extends Error {
  override name = 'DependencyParseError';
}

/** An API answer other than 2xx or 404. */
export class FetchError extends Error {
  override name = 'FetchError';
}

// The pieces of consul-template's dependency string grammar ([[:word:]] is [0-9A-Za-z_]).
export const dcRe = String.raw`(@(?<dc>[\w.\-]+))?`;
export const filterRe = String.raw`(\|(?<filter>[\w,]+))?`;
export const serviceNameRe = String.raw`(?<name>[\w\-]+)`;
export const queryRe = String.raw`(\?(?<query>[\w\-=&]+))?`;
export const nodeNameRe = String.raw`(?<name>[\w.\-]+)`;
export const nearRe = String.raw`(~(?<near>[\w.\-]+))?`;
export const prefixRe = String.raw`/?(?<prefix>[^@?]+)`;
export const keyRe = String.raw`/?(?<key>[^@?]+)`;
export const tagRe = String.raw`((?<tag>[\w=:.\-]+)\.)?`;

export function anchored(...parts: string[]): RegExp {
  return new RegExp(`^${parts.join('')}$`);
}

/** Run one query and return the parsed answer plus the blocking metadata. */
export async function getJson(
  http: HttpTransport,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  opts: QueryOptions,
  signal: AbortSignal,
): Promise<{ status: number; body: unknown; lastIndex: number; lastContactMs: number }> {
  const q: Record<string, string | number | boolean | undefined> = { ...query };
  if (opts.allowStale) q.stale = true;
  if (opts.waitIndex > 0) {
    q.index = opts.waitIndex;
    q.wait = `${Math.max(1, Math.round(opts.waitTimeMs / 1000))}s`;
  }
  const res = await http.send({ method: 'GET', path, query: q, signal, dcScoped: false });
  const header = (name: string): string | undefined => {
    const v = res.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const lastIndex = Number.parseInt(header('x-consul-index') ?? '0', 10) || 0;
  const lastContactMs = Number.parseInt(header('x-consul-lastcontact') ?? '0', 10) || 0;
  if (res.statusCode === 404) return { status: 404, body: null, lastIndex, lastContactMs };
  if (res.statusCode < 200 || res.statusCode > 299) {
    throw new FetchError(`Unexpected response code: ${res.statusCode} (${res.body.toString('utf8').trim()})`);
  }
  const text = res.body.toString('utf8');
  return { status: res.statusCode, body: text === '' ? null : (JSON.parse(text) as unknown), lastIndex, lastContactMs };
}
