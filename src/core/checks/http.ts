// HTTP checks (Consul: checks.CheckHTTP): one request per interval; 2xx passing, 429 warning,
// anything else critical. Output: `HTTP GET <url>: 200 OK Output: <body>` with the body capped
// to its last output_max_size bytes. Headers: User-Agent `Consul Health Check`, Accept
// `text/plain, text/*, */*` unless the definition sets them.
import http, { STATUS_CODES, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Probe, ProbeResult } from './runner.js';
import { httpStatus, lastBytes } from './status-rules.js';
import { monotonicMs } from '../support/clock.js';

export interface HttpProbeOptions {
  url: string;
  method: string;
  header: Record<string, string[]>;
  body: string;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  disableRedirects: boolean;
  timeoutMs: number;
  outputMaxBytes: number;
}

/** Consul: the default timeout of HTTP and TCP checks. */
export const HTTP_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 10;

export function httpProbe(o: HttpProbeOptions): Probe {
  return () => runHttp(o);
}

async function runHttp(o: HttpProbeOptions): Promise<ProbeResult> {
  const method = (o.method || 'GET').toUpperCase();
  const deadline = monotonicMs() + o.timeoutMs;
  let url = o.url;
  for (let hop = 0; ; hop++) {
    let res: { status: number; statusText: string; body: Buffer; location: string | undefined };
    try {
      res = await request(url, method, o, Math.max(1, deadline - monotonicMs()));
    } catch (err) {
      return { status: 'critical', output: `${goMethod(method)} "${o.url}": ${(err as Error).message}` };
    }
    const redirect = res.status >= 300 && res.status < 400 && res.location !== undefined && !o.disableRedirects;
    if (redirect && hop < MAX_REDIRECTS) {
      url = new URL(res.location as string, url).toString();
      continue;
    }
    if (redirect) return { status: 'critical', output: `${goMethod(method)} "${o.url}": stopped after 10 redirects` };
    const output = `HTTP ${method} ${o.url}: ${res.status} ${res.statusText} Output: ${res.body.toString('utf8')}`;
    return { status: httpStatus(res.status), output };
  }
}

function request(
  target: string,
  method: string,
  o: HttpProbeOptions,
  timeoutMs: number,
): Promise<{ status: number; statusText: string; body: Buffer; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(target);
    } catch {
      return reject(new Error(`parse "${target}": invalid URL`));
    }
    const headers: Record<string, string | string[]> = { 'User-Agent': 'Consul Health Check', Accept: 'text/plain, text/*, */*' };
    for (const [k, v] of Object.entries(o.header)) {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
      headers[k] = v.length === 1 ? (v[0] as string) : v;
    }
    const isHttps = u.protocol === 'https:';
    const lib = isHttps ? https : http;
    const req = lib.request(
      u,
      {
        method,
        headers,
        timeout: timeoutMs,
        // Consul's check client disables keep-alives: every probe is a fresh connection.
        agent: false,
        ...(isHttps ? { rejectUnauthorized: !o.tlsSkipVerify, servername: o.tlsServerName || undefined } : {}),
      },
      (res: IncomingMessage) => readCapped(res, o.outputMaxBytes, resolve, reject),
    );
    const timer = setTimeout(() => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')), timeoutMs);
    req.once('close', () => clearTimeout(timer));
    req.once('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.once('error', (err: NodeJS.ErrnoException) => reject(new Error(describeNetError(err, u))));
    req.end(o.body === '' ? undefined : o.body);
  });
}

function readCapped(
  res: IncomingMessage,
  max: number,
  resolve: (v: { status: number; statusText: string; body: Buffer; location: string | undefined }) => void,
  reject: (e: Error) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (b: Buffer) => {
    chunks.push(b);
    size += b.length;
    while (chunks.length > 1 && size - (chunks[0] as Buffer).length >= max) size -= (chunks.shift() as Buffer).length;
  });
  res.once('end', () => {
    const status = res.statusCode ?? 0;
    resolve({
      status,
      statusText: res.statusMessage || STATUS_CODES[status] || '',
      body: lastBytes(Buffer.concat(chunks), max),
      location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
    });
  });
  res.once('error', reject);
}

/** Go's net/http client capitalizes the method in its errors: `Get "http://...": ...`. */
function goMethod(m: string): string {
  return m.charAt(0) + m.slice(1).toLowerCase();
}

export function describeNetError(err: NodeJS.ErrnoException, u: URL): string {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const addr = `${u.hostname}:${port}`;
  if (err.code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (err.code === 'ENOTFOUND') return `dial tcp: lookup ${u.hostname}: no such host`;
  if (err.code === 'ECONNRESET') return `read tcp ${addr}: read: connection reset by peer`;
  return err.message;
}
