// RpcServer: the listening side of the server RPC port (Consul's 8300). Register request handlers
// with handle() and one-way handlers with onMessage(), then listen(). Handler errors reach the
// caller as their message text unchanged; an unknown method answers net/rpc's
// "rpc: can't find method <m>". close() destroys every open connection.
import net from 'node:net';
import tls, { type TlsOptions, type TLSSocket } from 'node:tls';
import { formatAddr } from './addr.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame.js';
import type { MessageHandler, RpcHandler } from './handlers.js';
import { type RpcLogger, silentLogger } from './log.js';
import { PROTOCOL_TLS } from './protocol.js';
import { type ConnectionHost, type ConnectionLimits, type RpcServerCounters, ServerConnection } from './server-connection.js';

export interface RpcServerOptions {
  logger?: RpcLogger;
  /** Largest frame accepted or sent (default 64 MiB). */
  maxFrameBytes?: number;
  /** Requests in flight on one connection before its reading pauses (default 10000). Soft: frames
   *  already read in the same TCP chunk are still dispatched. */
  maxInflightPerConn?: number;
  /** Unsent answer bytes on one connection before its reading pauses (default 8 MiB). */
  outboundHighWaterBytes?: number;
  /** limits.rpc_max_conns_per_client: open connections one IP may hold (0 or less: no limit). */
  maxConnsPerClient?: number;
  /** TLS on the port (tls.internal_rpc): connections opening with PROTOCOL_TLS are handshaken
   *  with these options; with verifyIncoming, connections that do not are refused. */
  tls?: {
    options: TlsOptions;
    verifyIncoming: boolean;
    /**
     * With verify_incoming and verify_server_hostname (Consul: tlsutil AuthorizeServerConn), the
     * methods `isServerOnly` names are served only to peers whose verified certificate names
     * `name` (server.<dc>.<domain>): a client agent's certificate cannot speak Raft.
     */
    serverOnly?: { name: string; isServerOnly: (method: string) => boolean };
  };
  /** How long a connection may take to send its first byte and finish a TLS handshake (default 5 s,
   *  Consul's rpc_handshake_timeout). */
  handshakeTimeoutMs?: number;
}

export interface RpcServerStats extends RpcServerCounters {
  /** Connections open now. */
  connections: number;
}

export class RpcServer {
  private readonly requestHandlers = new Map<string, RpcHandler>();
  private readonly messageHandlers = new Map<string, MessageHandler>();
  private readonly connections = new Set<ServerConnection>();
  private readonly host: ConnectionHost;
  private readonly counters: RpcServerCounters = { accepted: 0, requests: 0, messages: 0, unknownMessages: 0, protocolErrors: 0 };
  private readonly logger: RpcLogger;
  private server: net.Server | null = null;
  private boundHost = '';
  private boundPort = 0;
  private readonly maxConnsPerClient: number;
  private readonly openPerIp = new Map<string, number>();
  /** Never listens: accepted sockets that chose TLS are handed to it for the handshake. */
  private tlsServer: tls.Server | undefined;
  private verifyIncoming: boolean;
  private serverName: string | undefined;
  private serverOnlyMethod: ((method: string) => boolean) | undefined;
  private readonly handshakeTimeoutMs: number;
  /** Sockets between accept and their first byte. */
  private readonly handshaking = new Set<net.Socket>();
  /** TCP sockets handed to the TLS server (handshaking, or under a ServerConnection's TLS socket). */
  private readonly underTls = new Set<net.Socket>();

  constructor(opts: RpcServerOptions = {}) {
    this.logger = opts.logger ?? silentLogger;
    this.maxConnsPerClient = opts.maxConnsPerClient ?? 0;
    this.verifyIncoming = opts.tls?.verifyIncoming ?? false;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 5_000;
    if (opts.tls) this.tlsServer = this.makeTlsServer(opts.tls.options);
    const limits: ConnectionLimits = {
      maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      maxInflightPerConn: opts.maxInflightPerConn ?? 10_000,
      outboundHighWaterBytes: opts.outboundHighWaterBytes ?? 8 * 1024 * 1024,
    };
    this.host = {
      logger: this.logger,
      limits,
      counters: this.counters,
      requestHandler: (m) => this.requestHandlers.get(m),
      messageHandler: (m) => this.messageHandlers.get(m),
      forget: (c) => void this.connections.delete(c),
      serverOnly: (m) => this.serverOnlyMethod?.(m) ?? false,
    };
    this.serverName = opts.tls?.serverOnly?.name;
    this.serverOnlyMethod = opts.tls?.serverOnly?.isServerOnly;
  }

  /**
   * TLS settings for connections accepted from now on (consul reload); undefined turns TLS off.
   * Open connections keep what they were accepted with.
   */
  setTls(t: RpcServerOptions['tls']): void {
    this.tlsServer = t ? this.makeTlsServer(t.options) : undefined;
    this.verifyIncoming = t?.verifyIncoming ?? false;
    this.serverName = t?.serverOnly?.name;
    this.serverOnlyMethod = t?.serverOnly?.isServerOnly;
  }

  /** Serves requests for `method` (replacing any earlier handler). */
  handle(method: string, handler: RpcHandler): this {
    this.requestHandlers.set(method, handler);
    return this;
  }

  /** Consumes one-way messages for `method` (replacing any earlier handler). */
  onMessage(method: string, handler: MessageHandler): this {
    this.messageHandlers.set(method, handler);
    return this;
  }

  /** Starts listening; port 0 picks a free port (read it back from `port`). Rejects on bind errors. */
  listen(host: string, port: number): Promise<void> {
    if (this.server) return Promise.reject(new Error('rpc: server already listening'));
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        if (this.server === server) this.server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.logger.error(`rpc: listener error: ${err.message}`));
        const bound = server.address();
        if (bound && typeof bound === 'object') {
          this.boundHost = bound.address;
          this.boundPort = bound.port;
        }
        resolve();
      });
    });
  }

  /** The bound port (0 before listen). */
  get port(): number {
    return this.boundPort;
  }

  /** The bound address as a dialable "host:port" ("[v6]:port"). */
  get address(): string {
    return formatAddr(this.boundHost, this.boundPort);
  }

  get stats(): RpcServerStats {
    return { ...this.counters, connections: this.connections.size };
  }

  /** Stops listening and destroys every connection; pending answers are dropped. */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const conn of this.connections) conn.destroy();
    this.connections.clear();
    for (const s of [...this.handshaking, ...this.underTls]) s.destroy();
    this.handshaking.clear();
    this.underTls.clear();
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    const ip = socket.remoteAddress ?? 'unknown';
    const remote = formatAddr(ip, socket.remotePort ?? 0);
    const open = this.openPerIp.get(ip) ?? 0;
    if (this.maxConnsPerClient > 0 && open >= this.maxConnsPerClient) {
      // Consul: agent/consul/rpc.go handleConn closes it at once, logging the refusal.
      this.logger.error(`rejecting RPC conn from because rpc_max_conns_per_client exceeded: conn=from=${remote}`);
      socket.destroy();
      return;
    }
    this.openPerIp.set(ip, open + 1);
    socket.once('close', () => {
      const left = (this.openPerIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.openPerIp.delete(ip);
      else this.openPerIp.set(ip, left);
    });
    this.counters.accepted++;
    if (!this.tlsServer && !this.verifyIncoming) {
      this.connections.add(new ServerConnection(socket, remote, this.host));
      return;
    }
    this.chooseProtocol(socket, remote);
  }

  /** Reads the first byte: TLS goes through the handshake, plain RPC only without verify_incoming. */
  private chooseProtocol(socket: net.Socket, remote: string): void {
    this.handshaking.add(socket);
    const timer = setTimeout(() => socket.destroy(), this.handshakeTimeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      this.handshaking.delete(socket);
    };
    const onData = (chunk: Buffer): void => {
      done();
      socket.pause();
      if (chunk[0] === PROTOCOL_TLS && this.tlsServer) {
        if (chunk.length > 1) socket.unshift(chunk.subarray(1));
        // The TLS server bounds the handshake (handshakeTimeout) and keeps the connection after.
        this.underTls.add(socket);
        socket.once('close', () => this.underTls.delete(socket));
        this.tlsServer.emit('connection', socket);
        return;
      }
      if (this.verifyIncoming) {
        // Consul: rpc.go handleConn refuses anything but TLS when verify_incoming is set.
        this.logger.warn(`rpc: Non-TLS connection attempted with VerifyIncoming set: conn=from=${remote}`);
        socket.destroy();
        return;
      }
      socket.unshift(chunk);
      this.connections.add(new ServerConnection(socket, remote, this.host));
      socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.once('close', done);
  }

  private makeTlsServer(options: TlsOptions): tls.Server {
    const server = tls.createServer({ ...options, handshakeTimeout: this.handshakeTimeoutMs }, (secure: TLSSocket) => {
      const remote = formatAddr(secure.remoteAddress ?? 'unknown', secure.remotePort ?? 0);
      if (!this.server) return void secure.destroy();
      const name = this.serverName;
      const isServer = name === undefined || (secure.authorized && tls.checkServerIdentity(name, secure.getPeerCertificate()) === undefined);
      this.connections.add(new ServerConnection(secure, remote, this.host, isServer));
    });
    server.on('tlsClientError', (err, socket) => {
      this.logger.warn(`rpc: TLS handshake failed: conn=from=${formatAddr(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0)} error="${err.message}"`);
      socket.destroy();
    });
    return server;
  }
}
