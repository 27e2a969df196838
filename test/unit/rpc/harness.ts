// Small helpers for the RPC socket tests: a listening server on 127.0.0.1:0, a log capture, raw
// connections that write arbitrary bytes, and bounded waits.
import net from 'node:net';
import type { RpcLogger } from '../../../src/core/rpc/log.js';
import { RpcServer, type RpcServerOptions } from '../../../src/core/rpc/server.js';

export class CaptureLogger implements RpcLogger {
  readonly lines: string[] = [];
  debug(msg: string): void {
    this.lines.push(`debug ${msg}`);
  }
  warn(msg: string): void {
    this.lines.push(`warn ${msg}`);
  }
  error(msg: string): void {
    this.lines.push(`error ${msg}`);
  }
}

export async function startServer(opts: RpcServerOptions = {}, host = '127.0.0.1', port = 0): Promise<RpcServer> {
  const server = new RpcServer(opts);
  server.handle('echo', (b) => b);
  await server.listen(host, port);
  return server;
}

/** Polls `cond` every 5 ms; rejects after `ms`. */
export async function waitFor(cond: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Connects, writes `bytes`, and reports whether the peer closed the connection within `ms`. */
export function rawSession(port: number, bytes: Uint8Array, ms = 1000): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.on('error', () => {});
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('open');
    }, ms);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    sock.write(bytes);
  });
}

/** A port that was free a moment ago (nothing listens on it). */
export async function unusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open = (): void => {};
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
