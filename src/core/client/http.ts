// The HTTP transport of the API client: one undici Client per CLI invocation (keep-alive across the
// few requests a command makes), Consul's query/header conventions, Go-client-shaped errors.
import { setFlagsFromString } from 'node:v8';
import type { Readable } from 'node:stream';
import type { buildConnector, Client, Dispatcher } from 'undici';
import type { ClientConfig } from './config.js';
import { TransportError, describeDialError, StatusError } from './errors.js';
import { setupTlsMaterial } from './tls.js';
import { isTlsError } from './tls-errors.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/**
 * Query parameters; `''` sends a presence-only flag (`?recurse`), undefined/false omit it, and a
 * list repeats the parameter (`?node-meta=a:1&node-meta=b:2`).
 */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface ApiRequest {
  method: Method;
  path: string;
  query?: Query;
  body?: Uint8Array | string;
  /** Datacenter-scoped endpoints get `?dc=` from the client config. */
  dcScoped?: boolean;
  /** Abandons the request (a parked blocking query) when aborted; send() then rejects. */
  signal?: AbortSignal;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Read-side options that commands pass per call, like Go's api.QueryOptions. */
export interface QueryOptions {
  allowStale?: boolean;
}

export interface QueryMeta {
  lastIndex: number;
}

let clientCtor: Promise<typeof Client> | undefined;

/** Load only undici's HTTP/1 Client plus its `request` method (cheaper than the package root). */
async function loadClientCtor(): Promise<typeof Client> {
  clientCtor ??= (async () => {
    // undici parses HTTP with llhttp compiled to WebAssembly. V8 tiers hot wasm functions up with
    // TurboFan on background threads, and process exit waits for those jobs: ~100 ms (more under
    // load) added to every short CLI run. The baseline compiler alone is plenty for a CLI.
    setFlagsFromString('--liftoff-only');
    const [{ default: ClientCtor }, { default: DispatcherCtor }, { default: request }] = await Promise.all([
      import('undici/lib/dispatcher/client.js'),
      import('undici/lib/dispatcher/dispatcher.js'),
      import('undici/lib/api/api-request.js'),
    ]);
    const proto = DispatcherCtor.prototype as { request?: Dispatcher['request'] };
    proto.request ??= request;
    return ClientCtor;
  })();
  return clientCtor;
}

/** undici's TLS/TCP connector factory, loaded only for https:// agents. */
async function loadBuildConnector(): Promise<typeof buildConnector> {
  return (await import('undici/lib/core/connect.js')).default;
}

/** Encode a URL path like Go's url.URL.EscapedPath: keep '/', escape '?', '#', spaces, non-ASCII. */
export function escapePath(path: string): string {
  return encodeURI(path).replace(/\?/g, '%3F').replace(/#/g, '%23');
}

/** Go's url.Values.Encode: keys sorted, `key=` for presence-only flags. */
export function encodeQuery(query: Query): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const v = query[key];
    if (v === undefined || v === false) continue;
    if (Array.isArray(v)) {
      for (const item of v as readonly string[]) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
      continue;
    }
    const value = v === true ? '' : String(v);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

/** Go's http.Client gives up after 10 redirects. */
const MAX_REDIRECTS = 10;

/**
 * Where a redirect answer sends the client, as Go's http.Client follows it (the agent's HTTP
 * server redirects unclean paths such as /v1/kv//a, as Go's ServeMux does). Only same-origin
 * absolute paths are followed: this transport is bound to one agent.
 */
function redirectTarget(status: number, location: string | string[] | undefined): string | undefined {
  if (![301, 302, 303, 307, 308].includes(status) || typeof location !== 'string') return undefined;
  return location.startsWith('/') && !location.startsWith('//') ? location : undefined;
}

export class HttpTransport {
  private client: Client | undefined;
  private destroyed = false;
  /** The last TLS alert a connection of this transport received (see newClient). */
  private tlsAlert: Error | undefined;
  /** Connections of open streams (openStream), ended with the transport. */
  private readonly streamClients = new Set<Client>();

  constructor(readonly config: ClientConfig) {}

  /** The URL Go would print in an error, e.g. http://127.0.0.1:8500/v1/kv/foo?dc=dc1. */
  displayUrl(pathAndQuery: string): string {
    return `${this.config.scheme}://${this.config.address}${pathAndQuery}`;
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = await this.newClient();
    if (this.destroyed) throw new Error('client destroyed');
    this.client = client;
    return client;
  }

  private async newClient(): Promise<Client> {
    const ClientCtor = await loadClientCtor();
    const cfg = this.config;
    const origin = cfg.socketPath ? 'http://localhost' : `${cfg.scheme}://${cfg.address}`;
    const opts: Client.Options = { headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000 };
    if (cfg.socketPath) opts.socketPath = cfg.socketPath;
    if (cfg.scheme === 'https') {
      const m = cfg.tlsMaterial ?? setupTlsMaterial(cfg.tls);
      const connector = (await loadBuildConnector())({
        ...(m.ca ? { ca: m.ca } : {}),
        ...(m.cert !== undefined ? { cert: m.cert, key: m.key } : {}),
        ...(m.servername ? { servername: m.servername } : {}),
        rejectUnauthorized: !cfg.tls.insecureSkipVerify,
      });
      // A server that refuses our certificate (verify_incoming) says so in a TLS alert after the
      // handshake; undici then reports only "other side closed". Keep the alert to report it.
      opts.connect = (o, cb) =>
        connector(o, (...args) => {
          args[1]?.on('error', (e: Error) => {
            if (isTlsError(e)) this.tlsAlert = e;
          });
          cb(...args);
        });
    }
    return new ClientCtor(origin, opts);
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': 'consul-ts' };
    if (this.config.token) h['x-consul-token'] = this.config.token;
    if (this.config.basicAuth) {
      const { username, password } = this.config.basicAuth;
      h.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    return h;
  }

  /** Send a request; resolves with any HTTP answer, rejects with TransportError otherwise. */
  async send(req: ApiRequest): Promise<ApiResponse> {
    const query: Query = { ...req.query };
    if (req.dcScoped !== false && this.config.datacenter) query.dc = this.config.datacenter;
    const qs = encodeQuery(query);
    const pathAndQuery = `${this.config.pathPrefix}${escapePath(req.path)}${qs ? `?${qs}` : ''}`;
    const cfg = this.config;
    try {
      const client = await this.connect();
      let method: string = req.method;
      let path = pathAndQuery;
      let body = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : Buffer.from(req.body);
      for (let redirects = 0; ; redirects++) {
        const res = await client.request({ method, path, headers: this.headers(), body, ...(req.signal ? { signal: req.signal } : {}) });
        const next = redirectTarget(res.statusCode, res.headers.location);
        if (next === undefined || redirects === MAX_REDIRECTS) {
          return { statusCode: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
        }
        await res.body.dump();
        // Go's http.Client: 301/302/303 turn any method but GET/HEAD into a GET without a body.
        if (res.statusCode <= 303 && method !== 'GET' && method !== 'HEAD') {
          method = 'GET';
          body = undefined;
        }
        path = next;
      }
    } catch (err) {
      const host = cfg.address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      const target = cfg.socketPath
        ? { network: 'unix' as const, address: cfg.socketPath, host: cfg.socketPath }
        : { network: 'tcp' as const, address: cfg.address, host };
      const { detail, code } = describeDialError(this.tlsCause(err), target);
      throw new TransportError(req.method, this.displayUrl(pathAndQuery), detail, code);
    }
  }

  /** The TLS alert behind a closed socket, when there was one: Go reports the alert. */
  private tlsCause(err: unknown): unknown {
    return this.tlsAlert && !isTlsError(err) ? this.tlsAlert : err;
  }

  /**
   * Open a streaming request (/v1/agent/monitor, /v1/agent/metrics/stream): resolves with the
   * status once the headers are in; the caller reads (and destroys) the body. A non-2xx answer
   * is read whole and rejected as StatusError, as Go's requireOK does.
   */
  async openStream(req: ApiRequest): Promise<{ statusCode: number; body: Readable }> {
    const qs = encodeQuery({ ...req.query });
    const pathAndQuery = `${this.config.pathPrefix}${escapePath(req.path)}${qs ? `?${qs}` : ''}`;
    // A stream holds its connection for as long as it runs: it gets its own, so the command's
    // other requests (and other streams) are not queued behind it.
    let res: Dispatcher.ResponseData;
    const client = await this.newClient();
    this.streamClients.add(client);
    const release = (): void => {
      this.streamClients.delete(client);
      void client.destroy().catch(() => undefined);
    };
    try {
      res = await client.request({ method: req.method, path: pathAndQuery, headers: this.headers(), ...(req.signal ? { signal: req.signal } : {}) });
      res.body.once('close', release);
      req.signal?.addEventListener('abort', release, { once: true });
    } catch (err) {
      release();
      const host = this.config.address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      const target = this.config.socketPath
        ? { network: 'unix' as const, address: this.config.socketPath, host: this.config.socketPath }
        : { network: 'tcp' as const, address: this.config.address, host };
      const { detail, code } = describeDialError(this.tlsCause(err), target);
      throw new TransportError(req.method, this.displayUrl(pathAndQuery), detail, code);
    }
    if (res.statusCode < 200 || res.statusCode > 299) throw new StatusError(res.statusCode, await res.body.text());
    return { statusCode: res.statusCode, body: res.body };
  }

  /** Send and require a 2xx answer (Go: requireOK). */
  async sendOk(req: ApiRequest): Promise<ApiResponse> {
    const res = await this.send(req);
    if (res.statusCode < 200 || res.statusCode > 299) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return res;
  }

  /** Abort what is in flight (a parked blocking query) and refuse further requests. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const c of this.streamClients) void c.destroy().catch(() => undefined);
    this.streamClients.clear();
    const c = this.client;
    this.client = undefined;
    if (c) await c.destroy().catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const s of this.streamClients) void s.destroy().catch(() => undefined);
    this.streamClients.clear();
    const c = this.client;
    this.client = undefined;
    if (c) await c.close().catch(() => c.destroy());
  }
}

export function parseQueryMeta(res: ApiResponse): QueryMeta {
  const raw = res.headers['x-consul-index'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const n = value === undefined ? 0 : Number.parseInt(value, 10);
  return { lastIndex: Number.isFinite(n) ? n : 0 };
}

export function parseJson<T>(res: ApiResponse): T {
  return JSON.parse(res.body.toString('utf8')) as T;
}
