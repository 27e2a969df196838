// Length-prefixed framing for the server RPC port: every frame is a u32 big-endian body length
// followed by that many body bytes. FrameReader reassembles frames from arbitrary TCP chunks.
// MUST: a length above the reader's limit throws FrameError before any body byte is buffered, so
// a lying peer cannot make us allocate more than the limit; the caller then closes the connection.

export const FRAME_HEADER_BYTES = 4;
/** Largest frame body accepted by default (64 MiB): room for snapshot chunks, bounded memory. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** The 4-byte length header for a body of `length` bytes. */
export function frameHeader(length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32BE(length, 0);
  return header;
}

/** One buffer holding header + body (a single write keeps frames whole in the socket queue). */
export function frameOf(body: Uint8Array, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  if (body.length > maxFrameBytes) throw new FrameError(`frame of ${body.length} bytes exceeds the limit of ${maxFrameBytes}`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Incremental frame decoder. Returned bodies may be views into the pushed chunks (no copy when a
 * frame arrives whole), so callers must not mutate pushed chunks afterwards.
 */
export class FrameReader {
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** Body length of the frame being assembled, or -1 while reading a header. */
  private bodyLength = -1;
  // Partial bodies are kept as a list and joined once, so a header that promises a large body
  // costs memory only as bytes actually arrive.
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  private failed = false;

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Feeds bytes; returns the frame bodies completed by them, in order. Throws FrameError. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw new FrameError('frame reader already failed');
    const frames: Uint8Array[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.bodyLength < 0) {
        if (this.headerFill === 0 && chunk.length - off >= FRAME_HEADER_BYTES) {
          this.startBody(readU32BE(chunk, off));
          off += FRAME_HEADER_BYTES;
        } else {
          const take = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length - off);
          this.header.set(chunk.subarray(off, off + take), this.headerFill);
          this.headerFill += take;
          off += take;
          if (this.headerFill < FRAME_HEADER_BYTES) break;
          this.headerFill = 0;
          this.startBody(this.header.readUInt32BE(0));
        }
        if (this.partsBytes === 0 && chunk.length - off >= this.bodyLength) {
          frames.push(chunk.subarray(off, off + this.bodyLength));
          off += this.bodyLength;
          this.bodyLength = -1;
          continue;
        }
      }
      const take = Math.min(this.bodyLength - this.partsBytes, chunk.length - off);
      this.parts.push(chunk.subarray(off, off + take));
      this.partsBytes += take;
      off += take;
      if (this.partsBytes === this.bodyLength) {
        frames.push(this.parts.length === 1 ? (this.parts[0] as Uint8Array) : Buffer.concat(this.parts, this.bodyLength));
        this.parts = [];
        this.partsBytes = 0;
        this.bodyLength = -1;
      }
    }
    return frames;
  }

  /** Bytes held for an incomplete frame (for tests and diagnostics). */
  get buffered(): number {
    return this.headerFill + this.partsBytes;
  }

  private startBody(length: number): void {
    if (length > this.maxFrameBytes) {
      this.failed = true;
      throw new FrameError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
    }
    this.bodyLength = length;
  }
}

function readU32BE(b: Uint8Array, off: number): number {
  return ((b[off] as number) * 0x1000000 + (((b[off + 1] as number) << 16) | ((b[off + 2] as number) << 8) | (b[off + 3] as number))) >>> 0;
}
