// Raft over the server RPC port (8300): one-way 'Raft.Message' frames for everything except
// snapshots, which go as request/response chunks ('Raft.SnapshotChunk', see snapshot-transfer.ts)
// so the leader learns whether the follower got them (reportSnapshot).
//
// MUST: send() never throws and never blocks the driver. A message to a server whose address is
// unknown, or that the RPC client drops (backlog full, bad address), is reported unreachable; a
// message lost on a broken connection is not noticed here: Raft's heartbeats and probes recover it.
// Received bodies are validated (message-codec.ts) before the core sees them; garbage is dropped
// and logged, at most once per sender and LOG_EVERY_MS.
import { randomBytes } from 'node:crypto';
import type { Message, NodeId } from './core/types.js';
import type { RaftLogger } from './driver-types.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { chunksOf, DEFAULT_SNAPSHOT_CHUNK_BYTES, SNAPSHOT_CHUNK_METHOD, SnapshotAssembler } from './snapshot-transfer.js';
import type { Transport, TransportReporter } from './transport.js';
import type { RpcClient, RpcServer } from '../rpc/index.js';
import { monotonicMs } from '../support/clock.js';

export const RAFT_MESSAGE_METHOD = 'Raft.Message';

const LOG_EVERY_MS = 10_000;

export interface RpcRaftTransportOptions {
  readonly client: RpcClient;
  /** "host:port" of the RPC port of server `id`, or undefined when not known (yet). */
  readonly resolve: (id: NodeId) => string | undefined;
  /** Told whenever a message to `id` could not be sent (besides the driver's own reporting). */
  readonly onUnreachable?: (id: NodeId) => void;
  readonly logger: RaftLogger;
  /** Bytes of snapshot data per 'Raft.SnapshotChunk' call (default 1 MiB). */
  readonly snapshotChunkBytes?: number;
  /** Deadline of each snapshot chunk call (default 30 s). */
  readonly snapshotChunkTimeoutMs?: number;
}

type SnapshotMessage = Extract<Message, { type: 'snapshot' }>;

export class RpcRaftTransport implements Transport {
  private reporter: TransportReporter | undefined;
  private assembler: SnapshotAssembler | undefined;
  /** Latest snapshot transfer per destination: an older one still running stops at its next chunk. */
  private readonly snapshotGeneration = new Map<NodeId, number>();
  private transferCounter = 0;
  private readonly transferPrefix = randomBytes(6).toString('hex');
  private readonly lastLogged = new Map<string, number>();
  private closed = false;

  constructor(private readonly opts: RpcRaftTransportOptions) {}

  bindReporter(_self: NodeId, reporter: TransportReporter): void {
    this.reporter = reporter;
  }

  send(msg: Message): void {
    if (this.closed) return;
    const addr = this.opts.resolve(msg.to);
    if (addr === undefined) {
      this.warnOnce(`addr:${msg.to}`, `raft: no address known for server ${msg.to}; dropping ${msg.type}`);
      this.unreachable(msg.to);
      if (msg.type === 'snapshot') this.reporter?.reportSnapshot(msg.to, false);
      return;
    }
    if (msg.type === 'snapshot') {
      void this.sendSnapshot(addr, msg);
      return;
    }
    if (!this.opts.client.send(addr, RAFT_MESSAGE_METHOD, encodeMessage(msg))) this.unreachable(msg.to);
  }

  /** Serves Raft traffic on `server`, handing each valid message to `deliver` (RaftDriver.step). */
  attach(server: RpcServer, deliver: (m: Message) => void): void {
    this.assembler?.close();
    const assembler = new SnapshotAssembler((m) => deliver(m));
    this.assembler = assembler;
    server.onMessage(RAFT_MESSAGE_METHOD, (body, ctx) => {
      if (this.closed) return;
      const decoded = decodeMessage(body);
      if (decoded.ok) deliver(decoded.value);
      else this.warnOnce(`bad:${ctx.remote}`, `raft: dropping malformed message from ${ctx.remote}: ${decoded.error}`);
    });
    server.handle(SNAPSHOT_CHUNK_METHOD, (body) => {
      if (this.closed) throw new Error('raft transport closed');
      return assembler.receive(body);
    });
  }

  /** Stops sending and receiving; transfers in flight stop at their next chunk. */
  close(): void {
    this.closed = true;
    this.assembler?.close();
  }

  private async sendSnapshot(addr: string, msg: SnapshotMessage): Promise<void> {
    const to = msg.to;
    const generation = (this.snapshotGeneration.get(to) ?? 0) + 1;
    this.snapshotGeneration.set(to, generation);
    const transfer = `${this.transferPrefix}-${++this.transferCounter}`;
    const chunkBytes = this.opts.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES;
    const timeoutMs = this.opts.snapshotChunkTimeoutMs ?? 30_000;
    const superseded = (): boolean => this.closed || this.snapshotGeneration.get(to) !== generation;
    const started = monotonicMs();
    try {
      for (const chunk of chunksOf(msg, transfer, chunkBytes)) {
        if (superseded()) return;
        await this.opts.client.call(addr, SNAPSHOT_CHUNK_METHOD, chunk, { timeoutMs });
      }
    } catch (err) {
      if (superseded()) return;
      this.opts.logger.warn(`raft: failed to send snapshot ${msg.snapshot.meta.index} to ${to}: ${(err as Error).message}`);
      this.unreachable(to);
      this.reporter?.reportSnapshot(to, false);
      return;
    }
    if (superseded()) return;
    this.opts.logger.info(
      `raft: sent snapshot ${msg.snapshot.meta.index} (${msg.snapshot.data.length} bytes) to ${to} in ${monotonicMs() - started}ms`,
    );
    this.reporter?.reportSnapshot(to, true);
  }

  private unreachable(id: NodeId): void {
    this.reporter?.reportUnreachable(id);
    this.opts.onUnreachable?.(id);
  }

  private warnOnce(key: string, text: string): void {
    const now = monotonicMs();
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < LOG_EVERY_MS) return;
    if (this.lastLogged.size > 1000) this.lastLogged.clear(); // keys include remote ports: bound them
    this.lastLogged.set(key, now);
    this.opts.logger.warn(text);
  }
}
