// The connection protocol of the server RPC port (our own, not Consul's wire format):
//   1. the dialer's first byte selects the protocol, as Consul's connection pool does on 8300:
//      PROTOCOL_MULTIPLEXED_RPC, or PROTOCOL_TLS followed by a TLS handshake and then
//      PROTOCOL_MULTIPLEXED_RPC inside TLS; any other first byte closes the connection;
//   2. then length-prefixed frames (frame.ts), each a msgpack map (an Envelope):
//        {t:'req', id, m, b}      request expecting exactly one 'res' with the same id
//        {t:'res', id, b} / {t:'res', id, e}   the answer, or the handler's error text
//        {t:'msg', m, b}          one-way, never answered (Raft traffic)
// MUST: requests on one connection may be answered in any order; ids are only unique per
// connection and per direction. A frame that does not decode to a valid Envelope is a protocol
// error: the receiver closes the connection.
import { Decoder, Encoder } from '@msgpack/msgpack';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, FrameError } from './frame.js';

export const PROTOCOL_MULTIPLEXED_RPC = 0x01;
/**
 * Consul's RPCTLS (agent/pool/conn.go): the dialer sends this byte, then a TLS handshake, then
 * the inner protocol byte and frames inside TLS (Consul: agent/consul/rpc.go handleConn).
 */
export const PROTOCOL_TLS = 0x03;

export type Envelope =
  | { t: 'req'; id: number; m: string; b?: unknown }
  | { t: 'res'; id: number; b?: unknown; e?: string }
  | { t: 'msg'; m: string; b?: unknown };

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** net/rpc's wording, which Consul clients see for a method the server does not serve. */
export function unknownMethodText(method: string): string {
  return `rpc: can't find method ${method}`;
}

// One shared encoder: it keeps its scratch buffer between calls, which is what makes small frames
// cheap. After a large frame it is replaced so a one-off snapshot chunk does not pin its memory.
const ENCODER_KEEP_BYTES = 1024 * 1024;
const encoderOptions = { ignoreUndefined: true } as const;
let encoder = new Encoder(encoderOptions);
const decoder = new Decoder();

/**
 * Encodes an envelope as one ready-to-write frame (header + body).
 * Throws FrameError when it exceeds maxFrameBytes, or the encoder's error for unencodable bodies.
 */
export function encodeEnvelope(env: Envelope, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const body = encoder.encodeSharedRef(env);
  const length = body.length;
  if (length > ENCODER_KEEP_BYTES) encoder = new Encoder(encoderOptions);
  if (length > maxFrameBytes) throw new FrameError(`frame of ${length} bytes exceeds the limit of ${maxFrameBytes}`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  out.writeUInt32BE(length, 0);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Decodes and validates one frame body. Byte strings in `b` come out as plain Uint8Array views
 * into `frame` (never Buffer, whatever `frame` is), so bodies compare equal to what was sent.
 * Throws ProtocolError.
 */
export function decodeEnvelope(frame: Uint8Array): Envelope {
  let value: unknown;
  try {
    value = decoder.decode(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
  } catch (err) {
    throw new ProtocolError(`malformed frame: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError('malformed frame: not a map');
  }
  const rec = value as Record<string, unknown>;
  const { t, id, m, b, e } = rec;
  switch (t) {
    case 'req':
      return { t, id: requireId(id), m: requireMethod(m), b };
    case 'msg':
      return { t, m: requireMethod(m), b };
    case 'res':
      if (e !== undefined && typeof e !== 'string') throw new ProtocolError('malformed frame: error is not a string');
      return e === undefined ? { t, id: requireId(id), b } : { t, id: requireId(id), e };
    default:
      throw new ProtocolError(`malformed frame: unknown type ${JSON.stringify(t) ?? String(t)}`);
  }
}

function requireId(id: unknown): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new ProtocolError('malformed frame: bad id');
  return id;
}

function requireMethod(m: unknown): string {
  if (typeof m !== 'string' || m.length === 0) throw new ProtocolError('malformed frame: bad method');
  return m;
}
