// The network edge of a gossip core: real UDP and TCP sockets on one port, the real clock, and one
// timer. It feeds decoded packets and streams into the pure core, runs the core's deadlines, and
// carries out what the core asks (packets, streams). Everything else the core outputs (serf
// events, join results) goes to `onOutput`.
//
// MUST: nothing from the network can crash the agent: undecodable, truncated, oversized or
//       wrongly keyed traffic is logged and dropped, as memberlist does.
// MUST: a stream we open always ends: replied, failed, or timed out after the core's timeout.
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Address, PacketMessage, StreamMessage } from '../memberlist/messages.js';
import type { MemberlistOutput } from '../memberlist/types.js';
import { decodePacket, encodePacket, encodeStream, LabelError, parseStream, type Keyring, WireError } from '../wire/index.js';

/** What the driver needs of a core (memberlist alone, or serf on top of it). */
export interface DrivableCore<O> {
  tick(now: number): void;
  nextDeadline(): number;
  handlePacket(from: Address, msg: PacketMessage, now: number): void;
  handleStream(from: Address, msg: StreamMessage, now: number): StreamMessage | undefined;
  streamReply(id: number, msg: StreamMessage, now: number): void;
  streamFailed(id: number, error: string, now: number): void;
  drainOutputs(): (O | MemberlistOutput)[];
}

export interface DriverLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface DriverOptions<O> {
  readonly bindAddr: string;
  readonly bindPort: number;
  readonly keyring: Keyring;
  readonly verifyIncoming: boolean;
  readonly verifyOutgoing: boolean;
  readonly label?: string;
  /** Inbound streams must deliver their message within this (memberlist's TCPTimeout). */
  readonly tcpTimeoutMs: number;
  readonly log: DriverLog;
  readonly onOutput: (o: O | Exclude<MemberlistOutput, { kind: 'packet' } | { kind: 'stream' }>) => void;
}

/** One monotonic clock for every gossip core in the process. */
export const gossipNow = (): number => performance.now();

const MAX_UDP_PACKET = 65_536;

export class GossipDriver<O extends { kind: string }> {
  private core: DrivableCore<O> | undefined;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private flushing = false;
  /** Counters for `consul info` / debugging. */
  readonly stats = { packetsIn: 0, packetsOut: 0, dropped: 0, streamsIn: 0, streamsOut: 0 };

  constructor(private readonly o: DriverOptions<O>) {}

  /** Bind both sockets; the port is the one memberlist advertises (UDP and TCP share it). */
  async listen(): Promise<void> {
    const family = this.o.bindAddr.includes(':') ? 'udp6' : 'udp4';
    const udp = dgram.createSocket({ type: family, recvBufferSize: 2 << 20, sendBufferSize: 2 << 20 });
    udp.on('message', (buf, rinfo) => this.onPacket(buf, { addr: rinfo.address, port: rinfo.port }));
    udp.on('error', (err) => this.o.log.error(`memberlist: UDP error: ${err.message}`));
    const tcp = net.createServer((sock) => this.onInboundStream(sock));
    tcp.on('error', (err) => this.o.log.error(`memberlist: TCP listener error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.o.bindPort, this.o.bindAddr, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.o.bindPort, this.o.bindAddr, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    this.tcp = tcp;
  }

  /** Start driving `core` (after listen, so that its first packets can go out). */
  attach(core: DrivableCore<O>): void {
    this.core = core;
    this.flush();
  }

  /**
   * Run something against the core at the current time, then carry out its outputs. `before`
   * sees the result first: a caller that waits for an output about it (a query id) registers
   * there, since the outputs may already answer it.
   */
  run<T>(fn: (core: DrivableCore<O>, now: number) => T, before?: (result: T) => void): T {
    const core = this.core;
    if (!core) throw new Error('gossip core not attached');
    const r = fn(core, gossipNow());
    before?.(r);
    this.flush();
    return r;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    await new Promise<void>((r) => {
      if (!this.udp) return r();
      try {
        this.udp.close(() => r());
      } catch {
        r();
      }
    });
  }

  private onPacket(buf: Buffer, from: Address): void {
    if (this.stopped || !this.core) return;
    this.stats.packetsIn++;
    let msgs: PacketMessage[];
    try {
      msgs = decodePacket(buf, {
        keyring: this.o.keyring,
        label: this.o.label,
        verifyIncoming: this.o.verifyIncoming,
        onPartError: (err) => this.o.log.warn(`memberlist: Failed to decode compound part: ${err.message} from=${from.addr}:${from.port}`),
      });
    } catch (err) {
      this.stats.dropped++;
      if (!(err instanceof WireError)) this.o.log.error(`memberlist: unexpected error decoding packet: ${(err as Error).stack ?? String(err)}`);
      else this.o.log.warn(`memberlist: Failed to decode packet: ${err.message} from=${from.addr}:${from.port}`);
      return;
    }
    const now = gossipNow();
    for (const m of msgs) {
      try {
        this.core.handlePacket(from, m, now);
      } catch (err) {
        this.o.log.error(`memberlist: failed to handle ${m.type} from ${from.addr}:${from.port}: ${(err as Error).stack ?? String(err)}`);
      }
    }
    this.flush();
  }

  private onInboundStream(sock: net.Socket): void {
    if (this.stopped) {
      sock.destroy();
      return;
    }
    this.stats.streamsIn++;
    this.sockets.add(sock);
    const from: Address = { addr: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
    let buf: Buffer = Buffer.alloc(0);
    let done = false;
    // memberlist sets one absolute deadline per stream (not an idle timeout a trickle could reset).
    const deadline = setTimeout(() => {
      this.o.log.warn(`memberlist: stream timed out: from=${from.addr}:${from.port}`);
      sock.destroy();
    }, this.o.tcpTimeoutMs);
    sock.on('close', () => {
      clearTimeout(deadline);
      this.sockets.delete(sock);
    });
    sock.on('error', () => {
      sock.destroy();
    });
    sock.on('data', (chunk: Buffer) => {
      if (done) return;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let parsed: ReturnType<typeof parseStream>;
      try {
        parsed = parseStream(buf, { keyring: this.o.keyring, label: this.o.label, verifyIncoming: this.o.verifyIncoming });
      } catch (err) {
        done = true;
        this.stats.dropped++;
        this.o.log.error(`memberlist: failed to receive: ${(err as Error).message} from=${from.addr}:${from.port}`);
        this.refuseStream(sock, err);
        return;
      }
      if (!parsed) return;
      done = true;
      let reply: StreamMessage | undefined;
      try {
        reply = this.core?.handleStream(from, parsed.msg, gossipNow());
      } catch (err) {
        this.o.log.error(`memberlist: failed to handle stream from ${from.addr}:${from.port}: ${(err as Error).stack ?? String(err)}`);
      }
      if (reply) sock.end(this.encodeStream(reply));
      else sock.end();
      this.flush();
    });
  }

  /**
   * memberlist net.go handleConn: a stream that cannot be read is answered with an err message
   * (sealed with our key when we encrypt), then closed, so that the dialling side reports why:
   * with a different key it cannot open our answer either, and its join fails with "No installed
   * keys could decrypt the message". A stream with a foreign label is dropped without an answer.
   */
  private refuseStream(sock: net.Socket, err: unknown): void {
    if (!(err instanceof WireError) || err instanceof LabelError) {
      sock.destroy();
      return;
    }
    let answer: Uint8Array;
    try {
      answer = this.encodeStream({ type: 'err', error: err.message });
    } catch {
      sock.destroy();
      return;
    }
    sock.end(answer, () => sock.destroy());
  }

  private encodeStream(msg: StreamMessage): Uint8Array {
    return encodeStream(msg, { keyring: this.o.verifyOutgoing ? this.o.keyring : undefined, label: this.o.label, compress: true });
  }

  /** Carry out everything the core queued, then sleep until its next deadline. */
  private flush(): void {
    const core = this.core;
    if (!core || this.stopped || this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const now = gossipNow();
        if (core.nextDeadline() <= now) core.tick(now);
        const outs = core.drainOutputs();
        if (outs.length === 0) break;
        for (const o of outs) this.execute(o);
      }
    } finally {
      this.flushing = false;
    }
    this.schedule(core.nextDeadline());
  }

  private execute(o: O | MemberlistOutput): void {
    if (o.kind === 'packet') {
      const p = o as Extract<MemberlistOutput, { kind: 'packet' }>;
      this.sendPacket(p.to, p.msgs, p.crc);
    } else if (o.kind === 'stream') {
      this.openStream(o as Extract<MemberlistOutput, { kind: 'stream' }>);
    } else {
      try {
        this.o.onOutput(o as Parameters<DriverOptions<O>['onOutput']>[0]);
      } catch (err) {
        this.o.log.error(`serf: event handler failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private sendPacket(to: Address, msgs: readonly PacketMessage[], crc: boolean): void {
    const udp = this.udp;
    if (!udp) return;
    let buf: Uint8Array;
    try {
      buf = encodePacket(msgs, { keyring: this.o.verifyOutgoing ? this.o.keyring : undefined, label: this.o.label, crc });
    } catch (err) {
      this.o.log.error(`memberlist: failed to encode packet to ${to.addr}:${to.port}: ${(err as Error).message}`);
      return;
    }
    if (buf.length > MAX_UDP_PACKET) return;
    this.stats.packetsOut++;
    udp.send(buf, to.port, to.addr, (err) => {
      if (err) this.o.log.warn(`memberlist: Failed to send UDP to ${to.addr}:${to.port}: ${err.message}`);
    });
  }

  private openStream(s: Extract<MemberlistOutput, { kind: 'stream' }>): void {
    this.stats.streamsOut++;
    let settled = false;
    const sock = net.connect({ host: s.to.addr, port: s.to.port });
    this.sockets.add(sock);
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      sock.destroy();
      if (!this.stopped) this.run((core, now) => core.streamFailed(s.id, why, now));
    };
    const timer = setTimeout(() => fail('i/o timeout'), s.timeoutMs);
    sock.on('close', () => {
      clearTimeout(timer);
      this.sockets.delete(sock);
      if (s.expectReply) fail('EOF');
      else settled = true;
    });
    sock.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNREFUSED' ? `dial tcp ${s.to.addr}:${s.to.port}: connect: connection refused` : err.message));
    sock.on('connect', () => {
      let payload: Uint8Array;
      try {
        payload = this.encodeStream(s.msg);
      } catch (err) {
        fail(`encode: ${(err as Error).message}`);
        return;
      }
      if (s.expectReply) sock.write(payload);
      else sock.end(payload);
    });
    if (!s.expectReply) return;
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      if (settled) return;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let parsed: ReturnType<typeof parseStream>;
      try {
        parsed = parseStream(buf, { keyring: this.o.keyring, label: this.o.label, verifyIncoming: this.o.verifyIncoming });
      } catch (err) {
        fail((err as Error).message);
        return;
      }
      if (!parsed) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const msg = parsed.msg;
      this.run((core, now) => core.streamReply(s.id, msg, now));
    });
  }

  private schedule(at: number): void {
    if (this.stopped || !Number.isFinite(at)) return;
    if (this.timer && at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.max(0, Math.ceil(at - gossipNow()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.flush();
    }, delay);
    // Gossip alone must not keep a finished process alive.
    this.timer.unref();
  }
}
