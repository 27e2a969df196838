// Chunked snapshot transfer over the RPC port ('Raft.SnapshotChunk', request/response).
//
// Every snapshot message travels this way, whatever its size: the sender needs the receiver's
// answer to call reportSnapshot(ok) (the core sends that follower nothing else until then), and
// chunks of `chunkBytes` (default 1 MiB) keep each frame far below the 64 MiB RPC frame cap and let
// heartbeats on the same multiplexed connection interleave with a large transfer.
//
// Chunk body: {transfer, from, to, term, snapshot: {index, term, voters, learners}, offset, total,
// data}. The receiver keeps one assembly per sender: a chunk at offset 0 starts a new one (a newer
// transfer replaces an older, unfinished one); any other chunk must continue the current transfer
// at exactly the bytes received so far, or it is refused (the sender reports the snapshot failed
// and the leader retries later). The last chunk delivers the whole snapshot message.
import type { ConfState, Message, NodeId } from './core/types.js';
import { decodeSnapshotMeta } from './message-codec.js';

export const SNAPSHOT_CHUNK_METHOD = 'Raft.SnapshotChunk';
export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

type SnapshotMessage = Extract<Message, { type: 'snapshot' }>;

export interface SnapshotChunk {
  transfer: string;
  from: NodeId;
  to: NodeId;
  term: number;
  snapshot: { index: number; term: number; voters: string[]; learners: string[] };
  offset: number;
  total: number;
  data: Uint8Array;
}

/** The chunks of one snapshot message, in order (at least one, even for empty data). */
export function* chunksOf(msg: SnapshotMessage, transfer: string, chunkBytes: number): Generator<SnapshotChunk> {
  const { data, meta } = msg.snapshot;
  const head = { index: meta.index, term: meta.term, voters: [...meta.conf.voters], learners: [...meta.conf.learners] };
  const size = Math.max(1, chunkBytes);
  let offset = 0;
  do {
    const end = Math.min(data.length, offset + size);
    yield { transfer, from: msg.from, to: msg.to, term: msg.term, snapshot: head, offset, total: data.length, data: data.subarray(offset, end) };
    offset = end;
  } while (offset < data.length);
}

interface Assembly {
  readonly transfer: string;
  readonly to: NodeId;
  readonly term: number;
  readonly meta: { index: number; term: number; conf: ConfState };
  readonly total: number;
  /** The whole snapshot, filled chunk by chunk: one copy of the data, never a list plus a join. */
  readonly data: Uint8Array;
  received: number;
  timer: NodeJS.Timeout;
}

/** Thrown for a chunk that cannot be accepted; its text goes back to the sender. */
export class SnapshotChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotChunkError';
  }
}

export class SnapshotAssembler {
  private readonly assemblies = new Map<NodeId, Assembly>();

  constructor(
    private readonly deliver: (m: SnapshotMessage) => void,
    /** An unfinished transfer that gets no chunk for this long is dropped (frees its memory). */
    private readonly staleMs = 60_000,
    private readonly maxBytes = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Accepts one chunk; throws SnapshotChunkError when it does not fit. */
  receive(body: unknown): { ok: true; received: number } {
    const c = parseChunk(body);
    if (c.total > this.maxBytes) throw new SnapshotChunkError(`snapshot of ${c.total} bytes exceeds the limit of ${this.maxBytes}`);
    let a = this.assemblies.get(c.from);
    if (c.offset === 0) {
      if (a) this.drop(c.from, a);
      a = {
        transfer: c.transfer,
        to: c.to,
        term: c.term,
        meta: c.meta,
        total: c.total,
        data: new Uint8Array(c.total),
        received: 0,
        timer: this.staleTimer(c.from),
      };
      this.assemblies.set(c.from, a);
    } else if (!a || a.transfer !== c.transfer || a.received !== c.offset || a.total !== c.total) {
      throw new SnapshotChunkError(`snapshot chunk at offset ${c.offset} of transfer ${c.transfer} does not continue a transfer in progress`);
    } else {
      a.timer.refresh();
    }
    if (c.offset + c.data.length > a.total) {
      this.drop(c.from, a);
      throw new SnapshotChunkError('snapshot chunk runs past the announced size');
    }
    // Copied out of the RPC frame (whose buffer is not ours to keep) straight into its place.
    a.data.set(c.data, c.offset);
    a.received += c.data.length;
    if (a.received === a.total) {
      this.drop(c.from, a);
      this.deliver({ type: 'snapshot', from: c.from, to: a.to, term: a.term, snapshot: { meta: a.meta, data: a.data } });
    } else if (c.data.length === 0) {
      this.drop(c.from, a);
      throw new SnapshotChunkError('empty snapshot chunk before the end of the transfer');
    }
    return { ok: true, received: a.received };
  }

  /** Bytes held by unfinished transfers (diagnostics and tests). */
  get pendingBytes(): number {
    let n = 0;
    for (const a of this.assemblies.values()) n += a.received;
    return n;
  }

  close(): void {
    for (const [from, a] of this.assemblies) this.drop(from, a);
  }

  private staleTimer(from: NodeId): NodeJS.Timeout {
    const t = setTimeout(() => {
      const a = this.assemblies.get(from);
      if (a) this.drop(from, a);
    }, this.staleMs);
    t.unref();
    return t;
  }

  private drop(from: NodeId, a: Assembly): void {
    clearTimeout(a.timer);
    if (this.assemblies.get(from) === a) this.assemblies.delete(from);
  }
}

interface ParsedChunk {
  transfer: string;
  from: NodeId;
  to: NodeId;
  term: number;
  meta: { index: number; term: number; conf: ConfState };
  offset: number;
  total: number;
  data: Uint8Array;
}

function parseChunk(body: unknown): ParsedChunk {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    throw new SnapshotChunkError('snapshot chunk: not a map');
  }
  const r = body as Record<string, unknown>;
  const { transfer, from, to, term, offset, total, data } = r;
  if (typeof transfer !== 'string' || transfer === '') throw new SnapshotChunkError('snapshot chunk: bad transfer id');
  if (typeof from !== 'string' || from === '' || typeof to !== 'string' || to === '') {
    throw new SnapshotChunkError('snapshot chunk: bad from/to');
  }
  if (!isUint(term) || !isUint(offset) || !isUint(total)) throw new SnapshotChunkError('snapshot chunk: bad term/offset/total');
  if (!(data instanceof Uint8Array)) throw new SnapshotChunkError('snapshot chunk: data is not bytes');
  const meta = decodeSnapshotMeta(r['snapshot']);
  if (!meta.ok) throw new SnapshotChunkError(`snapshot chunk: ${meta.error}`);
  return { transfer, from, to, term, meta: meta.value, offset, total, data };
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
