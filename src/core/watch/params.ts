// Watch parameters: the map a watch is described with (CLI flags or one entry of the agent's
// `watches` config) turned into a typed WatchSpec, with Consul's validation messages
// (Consul: api/watch/watch.go Parse/ParseExempt and the assign* helpers).
//
// MUST: every parameter is consumed; a leftover one is `Invalid parameters: [name ...]`.
// MUST: pure (no I/O), so config loading can validate watches without starting anything.
import { parseGoDuration } from '../support/duration.js';
import { takeString, WatchParamError, type WatchParams } from './assign.js';
import { WATCH_TYPES, type WatchQuery } from './types.js';

export { WatchParamError, type WatchParams };

/** Consul: watch.HttpHandlerConfig (api/watch/watch.go). */
export interface HttpHandlerConfig {
  path: string;
  method: string;
  timeoutMs: number;
  header: Record<string, string[]>;
  tlsSkipVerify: boolean;
}

export interface WatchSpec {
  type: string;
  datacenter: string;
  token: string;
  handlerType: string;
  query: WatchQuery;
  /** Parameters set aside for the caller (`handler`, `args`), and the parsed http_handler_config. */
  exempt: Record<string, unknown>;
  httpHandler?: HttpHandlerConfig;
}

/** Consul's default http handler timeout (watch.DefaultTimeout). */
export const DEFAULT_HTTP_HANDLER_TIMEOUT_MS = 10_000;

/** Parse a watch; the names in `exempt` are moved to spec.exempt instead of being rejected. */
export function parseWatch(input: WatchParams, exempt: readonly string[] = []): WatchSpec {
  const params: WatchParams = { ...input };
  const datacenter = takeString(params, 'datacenter');
  const token = takeString(params, 'token');
  const type = takeString(params, 'type');
  if (type === '') throw new WatchParamError('Watch type must be specified');
  const handlerType = takeString(params, 'handler_type');
  let httpHandler: HttpHandlerConfig | undefined;
  if (handlerType === 'http') {
    if (!('http_handler_config' in params)) throw new WatchParamError("Handler type 'http' requires 'http_handler_config' to be set");
    try {
      httpHandler = parseHttpHandlerConfig(params.http_handler_config);
    } catch (err) {
      throw new WatchParamError(`Failed to parse 'http_handler_config': ${(err as Error).message}`);
    }
    delete params.http_handler_config;
  }
  const factory = Object.prototype.hasOwnProperty.call(WATCH_TYPES, type) ? WATCH_TYPES[type] : undefined;
  if (!factory) throw new WatchParamError(`Unsupported watch type: ${type}`);
  const query = factory(params);
  const rest: Record<string, unknown> = {};
  for (const name of exempt) {
    if (name in params) {
      rest[name] = params[name];
      delete params[name];
    }
  }
  const leftover = Object.keys(params);
  if (leftover.length > 0) throw new WatchParamError(`Invalid parameters: [${leftover.join(' ')}]`);
  return { type, datacenter, token, handlerType, query, exempt: rest, ...(httpHandler ? { httpHandler } : {}) };
}

function parseHttpHandlerConfig(raw: unknown): HttpHandlerConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`'' expected a map, got '${Array.isArray(raw) ? 'slice' : typeof raw}'`);
  const c = raw as Record<string, unknown>;
  const str = (k: string): string => {
    const v = c[k];
    if (v === undefined) return '';
    if (typeof v !== 'string') throw new Error(`'${k}' expected type 'string', got '${typeof v}'`);
    return v;
  };
  const path = str('path');
  if (path === '') throw new Error("Requires 'path' to be set");
  const method = str('method') || 'POST';
  const timeoutRaw = str('timeout');
  let timeoutMs = DEFAULT_HTTP_HANDLER_TIMEOUT_MS;
  if (timeoutRaw !== '') {
    try {
      timeoutMs = parseGoDuration(timeoutRaw);
    } catch (err) {
      throw new Error(`Failed to parse timeout: ${(err as Error).message}`);
    }
  }
  const header: Record<string, string[]> = {};
  const rawHeader = c.header;
  if (rawHeader !== undefined) {
    if (rawHeader === null || typeof rawHeader !== 'object' || Array.isArray(rawHeader)) throw new Error("'header' expected a map");
    for (const [k, v] of Object.entries(rawHeader)) {
      const list = Array.isArray(v) ? v : [v];
      if (!list.every((x) => typeof x === 'string')) throw new Error(`'header[${k}]' expected type 'string'`);
      header[k] = list as string[];
    }
  }
  const skip = c.tls_skip_verify;
  if (skip !== undefined && typeof skip !== 'boolean') throw new Error("'tls_skip_verify' expected type 'bool'");
  return { path, method, timeoutMs, header, tlsSkipVerify: skip === true };
}
