// One accepted connection on the RPC port: checks the protocol byte, reassembles frames,
// dispatches requests (concurrently, answered as each finishes) and one-way messages (invoked in
// arrival order). MUST never throw out of a socket callback: bad input from a peer destroys only
// that peer's connection, with a logged error.
// Flow control: reading pauses while too many requests are in flight or too many answer bytes
// wait in the socket, so a peer that floods requests without reading answers gets backpressure
// instead of growing our memory without bound.
import type { Socket } from 'node:net';
import { errorText } from './errors.js';
import { FrameReader } from './frame.js';
import { isThenable, type MessageHandler, type RpcContext, type RpcHandler } from './handlers.js';
import type { RpcLogger } from './log.js';
import { decodeEnvelope, encodeEnvelope, type Envelope, PROTOCOL_MULTIPLEXED_RPC, unknownMethodText } from './protocol.js';
import { writeCoalesced } from './socket-write.js';
import { metrics } from '../telemetry/index.js';

/** The answer to a server-only method from a peer that is not a server (Consul: acl.ErrPermissionDenied). */
export const SERVER_ONLY_TEXT = 'Permission denied';

export interface ConnectionLimits {
  maxFrameBytes: number;
  maxInflightPerConn: number;
  outboundHighWaterBytes: number;
}

/** Counters a server keeps across its connections. */
export interface RpcServerCounters {
  accepted: number;
  requests: number;
  messages: number;
  unknownMessages: number;
  protocolErrors: number;
}

/** What a connection needs from the server that accepted it. */
export interface ConnectionHost {
  readonly logger: RpcLogger;
  readonly limits: ConnectionLimits;
  readonly counters: RpcServerCounters;
  requestHandler(method: string): RpcHandler | undefined;
  messageHandler(method: string): MessageHandler | undefined;
  /** True for methods only servers may call (Raft), when the port checks server identities. */
  serverOnly(method: string): boolean;
  forget(conn: ServerConnection): void;
}

export class ServerConnection {
  private readonly ctx: RpcContext;
  private readonly reader: FrameReader;
  private protocolChosen = false;
  private inflight = 0;
  private paused = false;

  constructor(
    private readonly socket: Socket,
    remote: string,
    private readonly host: ConnectionHost,
    /** The peer's certificate names a server of this datacenter (always true without that check). */
    private readonly peerIsServer = true,
  ) {
    this.ctx = { remote };
    this.reader = new FrameReader(host.limits.maxFrameBytes);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateFlow());
    socket.on('error', (err) => host.logger.debug(`rpc: connection from ${remote}: ${err.message}`));
    socket.on('close', () => host.forget(this));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let data = chunk;
    if (!this.protocolChosen) {
      if (chunk[0] !== PROTOCOL_MULTIPLEXED_RPC) {
        this.fail(`unknown protocol byte 0x${(chunk[0] ?? 0).toString(16).padStart(2, '0')}`);
        return;
      }
      this.protocolChosen = true;
      data = chunk.subarray(1);
    }
    let frames: Uint8Array[];
    try {
      frames = this.reader.push(data);
    } catch (err) {
      this.fail(errorText(err));
      return;
    }
    for (const frame of frames) {
      if (this.socket.destroyed) return;
      let env: Envelope;
      try {
        env = decodeEnvelope(frame);
      } catch (err) {
        this.fail(errorText(err));
        return;
      }
      this.dispatch(env);
    }
    this.updateFlow();
  }

  private dispatch(env: Envelope): void {
    switch (env.t) {
      case 'req':
        this.host.counters.requests++;
        this.serveRequest(env.id, env.m, env.b);
        return;
      case 'msg':
        this.host.counters.messages++;
        this.deliverMessage(env.m, env.b);
        return;
      case 'res':
        this.fail('unexpected response frame from a client');
        return;
    }
  }

  private serveRequest(id: number, method: string, body: unknown): void {
    const handler = this.host.requestHandler(method);
    metrics.incrCounter(['rpc', 'request']);
    this.inflight++;
    if (!this.peerIsServer && this.host.serverOnly(method)) {
      this.host.logger.warn(`rpc: refusing ${method} from a peer whose certificate does not name a server: conn=from=${this.ctx.remote}`);
      this.answer(id, undefined, SERVER_ONLY_TEXT);
      return;
    }
    if (!handler) {
      this.answer(id, undefined, unknownMethodText(method));
      return;
    }
    let result: unknown;
    try {
      result = handler(body, this.ctx);
    } catch (err) {
      this.answer(id, undefined, errorText(err));
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.answer(id, value, undefined),
        (err: unknown) => this.answer(id, undefined, errorText(err)),
      );
    } else {
      this.answer(id, result, undefined);
    }
  }

  private answer(id: number, value: unknown, error: string | undefined): void {
    this.inflight--;
    if (this.socket.destroyed) return; // the caller is gone; its client already failed the call
    let frame: Buffer;
    try {
      frame = encodeEnvelope(error === undefined ? { t: 'res', id, b: value } : { t: 'res', id, e: error }, this.host.limits.maxFrameBytes);
    } catch (err) {
      const why = `rpc: cannot encode response: ${errorText(err)}`;
      this.host.logger.warn(`${why} (request ${id} from ${this.ctx.remote})`);
      frame = encodeEnvelope({ t: 'res', id, e: why });
    }
    writeCoalesced(this.socket, frame);
    this.updateFlow();
  }

  private deliverMessage(method: string, body: unknown): void {
    if (!this.peerIsServer && this.host.serverOnly(method)) {
      this.host.counters.unknownMessages++;
      this.host.logger.warn(`rpc: dropping ${method} from a peer whose certificate does not name a server: conn=from=${this.ctx.remote}`);
      return;
    }
    const handler = this.host.messageHandler(method);
    if (!handler) {
      this.host.counters.unknownMessages++;
      this.host.logger.debug(`rpc: dropping message for unknown method ${method} from ${this.ctx.remote}`);
      return;
    }
    const report = (err: unknown): void => this.host.logger.warn(`rpc: message handler ${method} failed: ${errorText(err)}`);
    try {
      const r = handler(body, this.ctx);
      if (isThenable(r)) r.then(undefined, report);
    } catch (err) {
      report(err);
    }
  }

  private updateFlow(): void {
    if (this.socket.destroyed) return;
    const { maxInflightPerConn, outboundHighWaterBytes } = this.host.limits;
    const over = this.inflight >= maxInflightPerConn || this.socket.writableLength > outboundHighWaterBytes;
    if (over && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!over && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private fail(reason: string): void {
    this.host.counters.protocolErrors++;
    this.host.logger.error(`rpc: closing connection from ${this.ctx.remote}: ${reason}`);
    this.socket.destroy();
  }
}
