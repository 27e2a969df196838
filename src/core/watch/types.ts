// The watch types in one table (Consul: api/watch/funcs.go): each factory validates and consumes
// its parameters and returns the blocking query it runs against the agent's HTTP API. The value
// handed to handlers is the JSON the endpoint answers, shaped as Consul's Go client returns it
// (a missing key is null, a missing prefix is null, an event list is pruned to the new events).
import { eventIdToIndex } from '../structs/event.js';
import { takeBool, takeString, takeStringList, WatchParamError, type WatchParams } from './assign.js';

export type QueryValue = string | boolean | readonly string[] | undefined;

export interface WatchRequest {
  path: string;
  query: Record<string, QueryValue>;
}

export interface WatchResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface WatchResult {
  index: bigint;
  value: unknown;
}

export interface WatchQuery {
  /** The request for a call blocking past `index` (0n answers at once). */
  request(index: bigint): WatchRequest;
  /** The index and the value for handlers; throws on an error answer. `last` is the index waited on. */
  decode(res: WatchResponse, last: bigint | undefined): WatchResult;
  /** false when the index is not ordered (event lists): a smaller index is not a reset. */
  readonly ordered: boolean;
}

/** Go's api client answer for a non-2xx status. */
export class WatchStatusError extends Error {
  constructor(
    readonly statusCode: number,
    body: string,
  ) {
    super(`Unexpected response code: ${statusCode} (${body})`);
  }
}

export function indexOf(res: WatchResponse): bigint {
  const raw = res.headers['x-consul-index'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || !/^\d+$/.test(v)) return 0n;
  return BigInt(v);
}

function json(res: WatchResponse): unknown {
  if (res.statusCode < 200 || res.statusCode > 299) throw new WatchStatusError(res.statusCode, res.body.toString('utf8'));
  return JSON.parse(res.body.toString('utf8')) as unknown;
}

function blocking(index: bigint, stale: boolean, extra: Record<string, QueryValue> = {}): Record<string, QueryValue> {
  return { ...extra, ...(index > 0n ? { index: index.toString() } : {}), ...(stale ? { stale: true } : {}) };
}

/** A query whose value is the decoded JSON body (404 = `missing`). */
function simple(path: string, stale: boolean, extra: Record<string, QueryValue>, opts: { missing?: 'null'; first?: boolean } = {}): WatchQuery {
  return {
    ordered: true,
    request: (index) => ({ path, query: blocking(index, stale, extra) }),
    decode: (res) => {
      if (res.statusCode === 404 && opts.missing === 'null') return { index: indexOf(res), value: null };
      const body = json(res);
      const value = opts.first ? ((body as unknown[] | null)?.[0] ?? null) : body;
      return { index: indexOf(res), value };
    },
  };
}

function key(p: WatchParams): WatchQuery {
  const stale = takeBool(p, 'stale');
  const k = takeString(p, 'key');
  if (k === '') throw new WatchParamError('Must specify a single key to watch');
  return simple(`/v1/kv/${k}`, stale, {}, { missing: 'null', first: true });
}

function keyprefix(p: WatchParams): WatchQuery {
  const stale = takeBool(p, 'stale');
  const prefix = takeString(p, 'prefix');
  if (prefix === '') throw new WatchParamError('Must specify a single prefix to watch');
  return simple(`/v1/kv/${prefix}`, stale, { recurse: true }, { missing: 'null' });
}

function services(p: WatchParams): WatchQuery {
  return simple('/v1/catalog/services', takeBool(p, 'stale'), {});
}

function nodes(p: WatchParams): WatchQuery {
  return simple('/v1/catalog/nodes', takeBool(p, 'stale'), {});
}

function service(p: WatchParams): WatchQuery {
  const stale = takeBool(p, 'stale');
  const name = takeString(p, 'service');
  if (name === '') throw new WatchParamError('Must specify a single service to watch');
  const tags = takeStringList(p, 'tag');
  const passingOnly = takeBool(p, 'passingonly');
  const extra: Record<string, QueryValue> = {};
  if (tags.length > 0) extra.tag = tags;
  if (passingOnly) extra.passing = '1';
  return simple(`/v1/health/service/${name}`, stale, extra);
}

const CHECK_STATES = new Set(['any', 'passing', 'warning', 'critical']);

function checks(p: WatchParams): WatchQuery {
  const stale = takeBool(p, 'stale');
  const svc = takeString(p, 'service');
  let state = takeString(p, 'state');
  if (svc !== '' && state !== '') throw new WatchParamError('Cannot specify service and state');
  if (svc === '' && state === '') state = 'any';
  if (state === '') return simple(`/v1/health/checks/${svc}`, stale, {});
  const q = simple(`/v1/health/state/${state}`, stale, {});
  return {
    ...q,
    // Consul's client refuses an unknown state at call time (so the watch retries, as Consul's does).
    request: (index) => {
      if (!CHECK_STATES.has(state)) throw new Error(`Unsupported state: ${state}`);
      return q.request(index);
    },
  };
}

function event(p: WatchParams): WatchQuery {
  // Consul: the stale setting does not apply to events (and is not accepted).
  const name = takeString(p, 'name');
  return {
    ordered: false,
    request: (index) => ({ path: '/v1/event/list', query: blocking(index, false, name ? { name } : {}) }),
    decode: (res, last) => {
      let events = (json(res) as { ID: string }[] | null) ?? [];
      // Only the events after the one the last answer ended with.
      const at = last === undefined ? -1 : events.findIndex((e) => eventIdToIndex(e.ID) === last);
      if (at >= 0) events = events.slice(at + 1);
      return { index: indexOf(res), value: events };
    },
  };
}

export type WatchFactory = (params: WatchParams) => WatchQuery;

export const WATCH_TYPES: Readonly<Record<string, WatchFactory>> = { key, keyprefix, services, nodes, service, checks, event };
