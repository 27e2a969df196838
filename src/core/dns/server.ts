// The DNS interface: UDP and TCP listeners on the DNS port (default 8600), Consul's agent/dns.go
// ListenAndServe. Everything about answers lives in handler.ts; this file only moves bytes.
//
// MUST: nothing thrown escapes a socket handler; a malformed packet is dropped, a slow or broken
// TCP client only loses its own connection.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Server } from '../server/index.js';
import type { Logger } from '../support/logger.js';
import type { DnsOptions } from './config.js';
import { DnsHandler, type Reply } from './handler.js';

export type { DnsOptions } from './config.js';

/** Idle TCP connections are closed after this long (Consul/miekg: 8s read timeout). */
const TCP_IDLE_MS = 10_000;
/** Queries in flight per TCP connection before we stop reading from it. */
const TCP_MAX_PENDING = 64;

export class DnsServer {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  readonly handler: DnsHandler;

  constructor(
    opts: DnsOptions,
    server: () => Server | undefined,
    private readonly log: Logger,
  ) {
    this.handler = new DnsHandler(opts, server, log);
  }

  async listen(addr: string, port: number): Promise<void> {
    const udp = dgram.createSocket({ type: addr.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    udp.on('message', (msg, rinfo) => this.onUdp(udp, msg, rinfo));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, addr, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', (err) => this.log.warn(`dns: udp error: ${err.message}`));
    this.udp = udp;
    const tcp = net.createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, addr, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    tcp.on('error', (err) => this.log.warn(`dns: tcp error: ${err.message}`));
    this.tcp = tcp;
  }

  /** Bound UDP port (useful with port 0 in tests). */
  get udpPort(): number {
    return this.udp?.address().port ?? 0;
  }

  close(): void {
    try {
      this.udp?.close();
    } catch {
      // already closed
    }
    this.tcp?.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private onUdp(udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const send = (out: Buffer | undefined): void => {
      if (!out) return;
      try {
        udp.send(out, rinfo.port, rinfo.address);
      } catch (err) {
        this.log.debug(`dns: udp send failed: ${(err as Error).message}`);
      }
    };
    const reply = this.safeHandle(msg, false);
    if (reply instanceof Promise) reply.then(send, () => undefined);
    else send(reply);
  }

  private safeHandle(msg: Buffer, isTcp: boolean): Reply {
    try {
      return this.handler.handle(msg, isTcp);
    } catch (err) {
      this.log.warn(`dns: dropped a query: ${(err as Error).message}`);
      return undefined;
    }
  }

  private serveTcp(sock: net.Socket): void {
    this.sockets.add(sock);
    let buf: Buffer = Buffer.alloc(0);
    let pending = 0;
    sock.setNoDelay(true);
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.sockets.delete(sock));
    const write = (out: Buffer | undefined): void => {
      pending--;
      if (pending < TCP_MAX_PENDING && sock.isPaused()) sock.resume();
      if (!out || sock.destroyed) return;
      const head = Buffer.allocUnsafe(2);
      head.writeUInt16BE(out.length);
      sock.write(Buffer.concat([head, out]));
    };
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len < 12) return void sock.destroy(); // not a DNS message: drop the connection
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        pending++;
        const reply = this.safeHandle(msg, true);
        if (reply instanceof Promise) reply.then(write, () => write(undefined));
        else write(reply);
      }
      if (pending >= TCP_MAX_PENDING) sock.pause();
    });
  }
}
