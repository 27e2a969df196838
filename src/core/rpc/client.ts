// RpcClient: a pool of multiplexed connections, one per server address, dialled lazily and reused
// by every call to that address (Consul's connection pool keeps them ~2 min when unused).
// call() is request/response with a deadline; send() is one-way fire-and-forget for Raft traffic.
// MUST: send() never throws and never queues without bound: when the socket already holds more
// than maxSendBacklogBytes of unsent data the message is dropped and counted (Raft retries).
import type { ConnectionOptions } from 'node:tls';
import { parseAddr } from './addr.js';
import { ClientConnection, type ClientConnectionOptions } from './client-connection.js';
import { errorText, RpcError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FrameError } from './frame.js';
import { type RpcLogger, silentLogger } from './log.js';
import { encodeEnvelope } from './protocol.js';
import { monotonicMs } from '../support/clock.js';

export interface RpcClientOptions {
  logger?: RpcLogger;
  /** Deadline for call() when the caller gives none (default 30 s). 0 or Infinity: no deadline. */
  timeoutMs?: number;
  /** Dial deadline (default 10 s, as Consul's pool). */
  connectTimeoutMs?: number;
  /** Close a connection unused for this long (default 2 min). */
  idleTimeoutMs?: number;
  /** Largest frame sent or accepted (default 64 MiB). */
  maxFrameBytes?: number;
  /** send() drops while a connection has more unsent bytes than this (default 8 MiB). */
  maxSendBacklogBytes?: number;
}

export interface CallOptions {
  timeoutMs?: number;
}

export interface RpcClientStats {
  /** Connections open (or dialling) now. */
  connections: number;
  /** Connections dialled since the client was created. */
  dials: number;
  /** One-way messages dropped (backlog full, bad address, unencodable body, client closed). */
  dropped: number;
}

export class RpcClient {
  private readonly conns = new Map<string, ClientConnection>();
  private readonly logger: RpcLogger;
  private readonly defaultTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxFrameBytes: number;
  private readonly maxSendBacklogBytes: number;
  private readonly connOptions: ClientConnectionOptions;
  private tlsFor: ((addr: string) => ConnectionOptions) | undefined;
  private idleSweep: NodeJS.Timeout | undefined;
  private isClosed = false;
  private dials = 0;
  private dropped = 0;

  constructor(opts: RpcClientOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.defaultTimeoutMs = opts.timeoutMs ?? 30_000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 120_000;
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxSendBacklogBytes = opts.maxSendBacklogBytes ?? 8 * 1024 * 1024;
    this.connOptions = { maxFrameBytes: this.maxFrameBytes, connectTimeoutMs: opts.connectTimeoutMs ?? 10_000, logger: this.logger };
  }

  /**
   * Calls `method` on the server at `addr` ("host:port", "[v6]:port"). Rejects with RpcError:
   * 'remote' (handler's text), 'timeout', 'conn' (dial failed / connection lost), 'closed', 'encode'.
   */
  call(addr: string, method: string, body?: unknown, opts: CallOptions = {}): Promise<unknown> {
    if (this.isClosed) return Promise.reject(new RpcError('closed', 'rpc: client closed'));
    const conn = this.connectionFor(addr);
    if (conn instanceof RpcError) return Promise.reject(conn);
    const id = conn.allocateId();
    let frame: Buffer;
    try {
      frame = encodeEnvelope({ t: 'req', id, m: method, b: body }, this.maxFrameBytes);
    } catch (err) {
      const what = err instanceof FrameError ? 'request too large' : 'cannot encode request';
      return Promise.reject(new RpcError('encode', `rpc: ${method}: ${what}: ${errorText(err)}`));
    }
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return conn.call(id, frame, timeoutMs, () => `call ${method} to ${addr}`);
  }

  /** One-way message; true when queued, false when dropped. Never throws. */
  send(addr: string, method: string, body?: unknown): boolean {
    if (this.isClosed) return this.drop();
    const conn = this.connectionFor(addr);
    if (conn instanceof RpcError) return this.drop();
    if (conn.backlogBytes > this.maxSendBacklogBytes) return this.drop();
    let frame: Buffer;
    try {
      frame = encodeEnvelope({ t: 'msg', m: method, b: body }, this.maxFrameBytes);
    } catch (err) {
      this.logger.warn(`rpc: dropping message ${method} to ${addr}: ${errorText(err)}`);
      return this.drop();
    }
    conn.send(frame);
    return true;
  }

  /**
   * Dial servers over TLS from now on (Consul's RPCTLS byte, then the handshake with the options
   * `tlsFor` gives for the address, e.g. its datacenter's server name); undefined goes back to
   * plain TCP. Open connections keep what they were dialled with.
   */
  useTls(tlsFor: ((addr: string) => ConnectionOptions) | undefined): void {
    this.tlsFor = tlsFor;
  }

  get stats(): RpcClientStats {
    return { connections: this.conns.size, dials: this.dials, dropped: this.dropped };
  }

  /** Destroys every connection; pending calls reject with kind 'closed'; later calls too. */
  close(): void {
    this.isClosed = true;
    this.stopSweep();
    for (const conn of [...this.conns.values()]) conn.destroy('closed', 'client closed');
    this.conns.clear();
  }

  private drop(): false {
    this.dropped++;
    return false;
  }

  private connectionFor(addr: string): ClientConnection | RpcError {
    const existing = this.conns.get(addr);
    if (existing) return existing;
    const target = parseAddr(addr);
    if (!target) return new RpcError('conn', `rpc: invalid address "${addr}"`);
    const options = this.tlsFor ? { ...this.connOptions, tls: this.tlsFor(addr) } : this.connOptions;
    const conn = new ClientConnection(addr, target, options, (c) => this.forget(c));
    this.conns.set(addr, conn);
    this.dials++;
    this.startSweep();
    return conn;
  }

  private forget(conn: ClientConnection): void {
    if (this.conns.get(conn.addr) === conn) this.conns.delete(conn.addr);
    if (this.conns.size === 0) this.stopSweep();
  }

  // One timer for the whole pool rather than one per connection re-armed on every call.
  private startSweep(): void {
    if (this.idleSweep || !(this.idleTimeoutMs > 0 && Number.isFinite(this.idleTimeoutMs))) return;
    const every = Math.min(30_000, Math.max(10, Math.floor(this.idleTimeoutMs / 2)));
    this.idleSweep = setInterval(() => this.sweepIdle(), every);
    this.idleSweep.unref();
  }

  private stopSweep(): void {
    clearInterval(this.idleSweep);
    this.idleSweep = undefined;
  }

  private sweepIdle(): void {
    const now = monotonicMs();
    for (const conn of [...this.conns.values()]) {
      if (conn.pendingCount === 0 && now - conn.lastActive >= this.idleTimeoutMs) {
        this.logger.debug(`rpc: closing idle connection to ${conn.addr}`);
        conn.end();
      }
    }
  }
}
