// One multiplexed client connection to an RPC server address: writes the protocol byte, tags each
// request with a per-connection id and settles the matching pending call when its answer arrives
// (in any order). When the socket closes for any reason every pending call fails with a 'conn'
// RpcError (or 'closed' when the client itself shut it down); the pool then dials afresh.
// MUST: never throw out of a socket callback; a bad frame from the server just closes this
// connection. The socket is unref'd while nothing is pending, so an idle pooled connection never
// keeps the process alive.
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import type { HostPort } from './addr.js';
import { errorText, RpcError, type RpcErrorKind } from './errors.js';
import { FrameReader } from './frame.js';
import type { RpcLogger } from './log.js';
import { decodeEnvelope, type Envelope, PROTOCOL_MULTIPLEXED_RPC, PROTOCOL_TLS } from './protocol.js';
import { writeCoalesced } from './socket-write.js';
import { monotonicMs } from '../support/clock.js';

export interface ClientConnectionOptions {
  maxFrameBytes: number;
  connectTimeoutMs: number;
  logger: RpcLogger;
  /** Dial over TLS with these options (verify_outgoing). */
  tls?: ConnectionOptions;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(err: RpcError): void;
  timer: NodeJS.Timeout | undefined;
}

const PROTOCOL_PREAMBLE = Buffer.from([PROTOCOL_MULTIPLEXED_RPC]);
const TLS_PREAMBLE = Buffer.from([PROTOCOL_TLS]);

/**
 * The socket calls are written to: plain TCP, or TLS after Consul's RPCTLS byte. The byte is
 * queued on the TCP socket before the TLS layer takes it over, so it goes out first.
 */
function dial(target: HostPort, tlsOptions: ConnectionOptions | undefined): { socket: net.Socket; raw: net.Socket; ready: 'connect' | 'secureConnect' } {
  const raw = net.connect({ host: target.host, port: target.port, noDelay: true });
  raw.setKeepAlive(true, 30_000);
  if (!tlsOptions) return { socket: raw, raw, ready: 'connect' };
  raw.write(TLS_PREAMBLE);
  const socket = tls.connect({ ...tlsOptions, socket: raw });
  // A refused dial is reported on the TCP socket: it ends the TLS one with the same error, and
  // the TCP socket never outlives the TLS one.
  raw.on('error', (err) => socket.destroy(err));
  socket.once('close', () => raw.destroy());
  return { socket, raw, ready: 'secureConnect' };
}

export class ClientConnection {
  private readonly socket: net.Socket;
  /** The TCP socket under `socket` (the same one without TLS): ref'd while calls are pending. */
  private readonly raw: net.Socket;
  private readonly reader: FrameReader;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private connectTimer: NodeJS.Timeout | undefined;
  private connected = false;
  /** Why the socket went down, for the error every pending call receives. */
  private downReason = 'connection lost';
  private downKind: RpcErrorKind = 'conn';
  /** Last time a call started, an answer arrived or a message was sent (ms, monotonicMs()). */
  lastActive = monotonicMs();
  closed = false;

  constructor(
    readonly addr: string,
    target: HostPort,
    private readonly opts: ClientConnectionOptions,
    private readonly onClosed: (conn: ClientConnection) => void,
  ) {
    this.reader = new FrameReader(opts.maxFrameBytes);
    const { socket, raw, ready } = dial(target, opts.tls);
    this.socket = socket;
    this.raw = raw;
    socket.unref();
    raw.unref();
    // Node queues writes until the connect completes, so calls can be written right away.
    writeCoalesced(socket, PROTOCOL_PREAMBLE);
    this.connectTimer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${opts.connectTimeoutMs}ms`)), opts.connectTimeoutMs);
    this.connectTimer.unref();
    socket.once(ready, () => {
      this.connected = true;
      clearTimeout(this.connectTimer);
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (this.closed) return; // we tore it down ourselves and already know why
      this.downReason = this.connected ? `connection lost: ${err.message}` : `failed to connect: ${err.message}`;
    });
    // The server closed its side (it exited or shut the connection): no call written from now on
    // could reach it, so new calls must dial afresh (and fail as never sent if nothing listens)
    // rather than be written into this socket and lost with an ambiguous reset.
    socket.on('end', () => this.markClosed('conn', 'connection lost: closed by the server'));
    socket.on('close', () => this.onSocketClosed());
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Bytes queued in the socket and not yet handed to the kernel. */
  get backlogBytes(): number {
    return this.socket.writableLength;
  }

  /** A fresh request id (ids are only unique on this connection). */
  allocateId(): number {
    const id = this.nextId;
    this.nextId = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    return id;
  }

  /** Writes an encoded request frame and waits for its answer. */
  call(id: number, frame: Buffer, timeoutMs: number, describe: () => string): Promise<unknown> {
    if (this.closed) return Promise.reject(new RpcError(this.downKind, `rpc: ${this.addr}: ${this.downReason}`, !this.connected));
    return new Promise<unknown>((resolve, reject) => {
      const call: PendingCall = { resolve, reject, timer: undefined };
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        call.timer = setTimeout(() => {
          if (this.pending.get(id) !== call) return;
          this.settled(id);
          reject(new RpcError('timeout', `rpc: ${describe()} timed out after ${timeoutMs}ms`));
        }, timeoutMs);
      }
      if (this.pending.size === 0) {
        this.socket.ref();
        this.raw.ref();
      }
      this.pending.set(id, call);
      this.lastActive = monotonicMs();
      writeCoalesced(this.socket, frame);
    });
  }

  /** Writes a one-way frame. */
  send(frame: Buffer): void {
    this.lastActive = monotonicMs();
    writeCoalesced(this.socket, frame);
  }

  /** Closes gracefully: queued frames are still flushed. Used for idle connections (nothing pending). */
  end(): void {
    this.markClosed('closed', 'idle connection closed');
    this.socket.end();
    // A peer that never finishes the close must not keep the socket around forever.
    setTimeout(() => this.socket.destroy(), 5_000).unref();
  }

  /** Tears the connection down now; pending calls fail with `kind`. */
  destroy(kind: RpcErrorKind, reason: string): void {
    this.markClosed(kind, reason);
    this.socket.destroy();
  }

  private markClosed(kind: RpcErrorKind, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.downKind = kind;
    this.downReason = reason;
    this.onClosed(this);
  }

  private onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.protocolFailure(errorText(err));
      return;
    }
    for (const frame of frames) {
      let env: Envelope;
      try {
        env = decodeEnvelope(frame);
      } catch (err) {
        this.protocolFailure(errorText(err));
        return;
      }
      if (env.t !== 'res') {
        this.protocolFailure(`unexpected ${env.t} frame from the server`);
        return;
      }
      const call = this.pending.get(env.id);
      if (!call) continue; // answered after its timeout: nobody is waiting any more
      this.settled(env.id);
      this.lastActive = monotonicMs();
      if (env.e !== undefined) call.reject(new RpcError('remote', env.e));
      else call.resolve(env.b);
    }
  }

  private settled(id: number): void {
    const call = this.pending.get(id);
    if (!call) return;
    clearTimeout(call.timer);
    this.pending.delete(id);
    if (this.pending.size === 0) {
      this.socket.unref();
      this.raw.unref();
    }
  }

  private protocolFailure(reason: string): void {
    this.opts.logger.error(`rpc: closing connection to ${this.addr}: ${reason}`);
    this.destroy('conn', `protocol error: ${reason}`);
  }

  private onSocketClosed(): void {
    clearTimeout(this.connectTimer);
    this.markClosed(this.downKind, this.downReason);
    const calls = [...this.pending.values()];
    this.pending.clear();
    const message = this.downKind === 'closed' ? `rpc: client closed (${this.addr})` : `rpc: ${this.addr}: ${this.downReason}`;
    for (const call of calls) {
      clearTimeout(call.timer);
      // A call on a socket that never connected was never written to the network.
      call.reject(new RpcError(this.downKind, message, !this.connected));
    }
  }
}
