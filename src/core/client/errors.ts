// Errors of the API client, worded like Consul's Go client (api/api.go) so that CLI messages
// match: `Unexpected response code: 500 (body)` and Go's *url.Error text for transport failures,
// e.g. `Get "http://127.0.0.1:1/v1/kv/foo": dial tcp 127.0.0.1:1: connect: connection refused`.
import { goPathError } from '../support/go-errors.js';
import { tlsErrorText } from './tls-errors.js';

/** The client could not be configured (bad address scheme, unreadable token file). */
export class ClientConfigError extends Error {
  override name = 'ClientConfigError';
}

/** The agent answered with a non-2xx status. */
export class StatusError extends Error {
  override name = 'StatusError';
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`Unexpected response code: ${statusCode} (${body})`);
  }
}

/** The request never got an HTTP answer. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly detail: string,
    readonly code?: string,
  ) {
    super(`${goMethod(method)} "${url}": ${detail}`);
  }
}

/** Go's url.Error prints the method with only its first letter upper-case. */
function goMethod(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

interface ErrnoLike {
  code?: string;
  syscall?: string;
  message?: string;
  cause?: unknown;
}

function errnoOf(err: unknown): ErrnoLike {
  let e: unknown = err;
  // undici wraps socket errors; the errno sits on the innermost cause.
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const cur = e as ErrnoLike;
    if (cur.code && cur.code.startsWith('E')) return cur;
    if (!cur.cause) return cur;
    e = cur.cause;
  }
  return (e && typeof e === 'object' ? e : { message: String(e) }) as ErrnoLike;
}

/** Describe a connection failure the way Go's net package does. */
export function describeDialError(err: unknown, target: { network: 'tcp' | 'unix'; address: string; host: string }): {
  detail: string;
  code?: string;
} {
  const tls = tlsErrorText(err) ?? tlsErrorText((err as ErrnoLike | undefined)?.cause);
  if (tls !== undefined) return { detail: tls, code: (err as ErrnoLike).code };
  const e = errnoOf(err);
  const dial = `dial ${target.network} ${target.address}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return { detail: `${dial}: connect: connection refused`, code: e.code };
    case 'ENOENT':
      return { detail: `${dial}: connect: no such file or directory`, code: e.code };
    case 'EACCES':
      return { detail: `${dial}: connect: permission denied`, code: e.code };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { detail: `dial ${target.network}: lookup ${target.host}: no such host`, code: e.code };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { detail: `${dial}: i/o timeout`, code: e.code };
    case 'EHOSTUNREACH':
      return { detail: `${dial}: connect: no route to host`, code: e.code };
    case 'ENETUNREACH':
      return { detail: `${dial}: connect: network is unreachable`, code: e.code };
    case 'ECONNRESET':
      return { detail: 'read: connection reset by peer', code: e.code };
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { detail: 'EOF', code: e.code };
    default:
      return { detail: e.message ?? String(err), code: e.code };
  }
}

/** `open <path>: no such file or directory`, as Go's os package words it. */
export function describeFsError(err: unknown, path: string): string {
  // Opening a directory succeeds in Go; reading it is what fails.
  return goPathError((err as ErrnoLike | undefined)?.code === 'EISDIR' ? 'read' : 'open', path, err);
}
