// The UDP packet layer. As received, outermost first:
//   [label]? -> [encrypted]? -> [hasCrc 12][crc32 BE]? -> message
// where a message is a plain one (ping, ack, alive, user...), a compress (9) wrapping a message, or
// a compound (7): [count][count x u16 BE length][parts], each part again a message.
// Sending applies the same layers inside out: compound, compress (only if smaller), crc, encrypt,
// label (memberlist net.go: sendMsg / rawSendMsgPacket / ingestPacket / handleCommand).
// MUST: the encryption AAD is the label bytes (empty without a label); with verifyIncoming off, a
//       packet that does not decrypt is read as plaintext, as memberlist does during key rollout.
// MUST: a bad compound part drops only that part (Go handles parts one by one); everything else
//       that is wrong throws a WireError. Nesting depth and total decompressed size are bounded.
import type { PacketMessage } from '../memberlist/messages.js';
import { concatBytes, readU16be, readU32be } from './byte-sink.js';
import { compressMessage, expandCompressed } from './compress.js';
import { crc32 } from './crc32.js';
import { ChecksumError, DecryptError, MessageEncodeError, PacketError, WireError } from './errors.js';
import type { EncryptionVersion, Keyring } from './keyring.js';
import { checkLabel, labelBytes, labelHeader, readLabelHeader } from './label.js';
import { decodeMap, decodeMessage, encodeMessage, isSimplePacketType, MessageType } from './memberlist-codec.js';

/** Compressed packet contents may expand to at most this much in total (a UDP packet is ~1.4 KB). */
export const MAX_PACKET_DECOMPRESSED_BYTES = 1 << 20;
/** Wrappers (compound, compress) nested deeper than this are refused. */
const MAX_PACKET_NESTING = 4;
/** A compound carries at most 255 parts of at most 65535 bytes each. */
export const MAX_COMPOUND_PARTS = 255;

export interface PacketDecodeOptions {
  /** Decrypt with these keys when the keyring has any (memberlist EncryptionEnabled). */
  readonly keyring?: Keyring;
  /** Our label; packets must carry the same one ('' / undefined = none). */
  readonly label?: string;
  /** GossipVerifyIncoming: when false, a packet that fails to decrypt is tried as plaintext. */
  readonly verifyIncoming: boolean;
  /** Told about each compound part that was dropped while the rest of the packet was kept. */
  readonly onPartError?: (err: WireError) => void;
}

export interface PacketEncodeOptions {
  /** Encrypt with the primary key when the keyring has any (pass none when GossipVerifyOutgoing is off). */
  readonly keyring?: Keyring;
  readonly label?: string;
  /** Add the hasCrc header (only for peers whose protocol max is >= 5). */
  readonly crc: boolean;
  /** EnableCompression: LZW-compress, kept only if that makes the packet smaller. */
  readonly compress?: boolean;
  /** 1 unless we speak memberlist protocol 1 (then 0, with padding). */
  readonly encryptionVersion?: EncryptionVersion;
}

/** A compound message of already-encoded parts. */
export function makeCompound(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length > MAX_COMPOUND_PARTS) throw new MessageEncodeError(`a compound holds at most ${MAX_COMPOUND_PARTS} parts`);
  let size = 2 + parts.length * 2;
  for (const p of parts) {
    if (p.length > 0xffff) throw new MessageEncodeError(`a compound part is at most 65535 bytes, got ${p.length}`);
    size += p.length;
  }
  const out = new Uint8Array(size);
  out[0] = MessageType.compound;
  out[1] = parts.length;
  let at = 2;
  for (const p of parts) {
    out[at++] = p.length >>> 8;
    out[at++] = p.length & 0xff;
  }
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Split a compound body (after its type byte): the complete parts and how many were cut off. */
export function splitCompound(body: Uint8Array): { parts: Uint8Array[]; truncated: number } {
  if (body.length < 1) throw new PacketError('missing compound length byte');
  const count = body[0] as number;
  if (body.length < 1 + count * 2) throw new PacketError('truncated compound length table');
  const parts: Uint8Array[] = [];
  let at = 1 + count * 2;
  for (let i = 0; i < count; i++) {
    const len = readU16be(body, 1 + i * 2);
    if (body.length - at < len) return { parts, truncated: count - i };
    parts.push(body.subarray(at, at + len));
    at += len;
  }
  return { parts, truncated: 0 };
}

interface DecodeContext {
  budget: number;
  readonly out: PacketMessage[];
  readonly report: (err: WireError) => void;
}

function handleCommand(buf: Uint8Array, ctx: DecodeContext, depth: number): void {
  if (buf.length === 0) throw new PacketError('missing message type byte');
  const type = buf[0] as number;
  if (type === MessageType.compound || type === MessageType.compress) {
    if (depth >= MAX_PACKET_NESTING) throw new PacketError('messages nested too deeply');
  }
  if (type === MessageType.compound) {
    const { parts, truncated } = splitCompound(buf.subarray(1));
    for (const part of parts) {
      try {
        handleCommand(part, ctx, depth + 1);
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        ctx.report(e);
      }
    }
    if (truncated > 0) ctx.report(new PacketError(`compound had ${truncated} truncated messages`));
    return;
  }
  if (type === MessageType.compress) {
    const inner = expandCompressed(decodeMap(buf, 1, 'compress'), ctx.budget);
    ctx.budget -= inner.length;
    handleCommand(inner, ctx, depth + 1);
    return;
  }
  if (!isSimplePacketType(type)) throw new PacketError(`message type ${type} not supported in a packet`);
  ctx.out.push(decodeMessage(buf));
}

/** Unwrap one received UDP packet into its messages. Throws a WireError when the packet is dropped. */
export function decodePacket(packet: Uint8Array, opts: PacketDecodeOptions): PacketMessage[] {
  const header = readLabelHeader(packet);
  if (header === 'more') throw new PacketError('cannot decode label; packet has been truncated');
  checkLabel(header.label, opts.label);
  let buf = packet.subarray(header.end);

  if (opts.keyring?.enabled) {
    try {
      buf = opts.keyring.decrypt(buf, labelBytes(header.label));
    } catch (e) {
      if (!(e instanceof DecryptError) || opts.verifyIncoming) throw e;
      // Key rollout: peers may still send plaintext; read it as such.
    }
  }

  if (buf.length >= 5 && buf[0] === MessageType.hasCrc) {
    const expected = readU32be(buf, 1);
    const actual = crc32(buf, 5);
    if (actual !== expected) throw new ChecksumError(`invalid checksum for UDP packet: ${actual.toString(16)} != ${expected.toString(16)}`);
    buf = buf.subarray(5);
  }

  const ctx: DecodeContext = { budget: MAX_PACKET_DECOMPRESSED_BYTES, out: [], report: opts.onPartError ?? (() => undefined) };
  handleCommand(buf, ctx, 0);
  return ctx.out;
}

/** Apply compress / crc / encrypt / label to an already-encoded message (or compound). */
export function wrapPacket(body: Uint8Array, opts: PacketEncodeOptions): Uint8Array {
  let buf = body;
  if (opts.compress) {
    const c = compressMessage(buf);
    if (c.length < buf.length) buf = c;
  }
  if (opts.crc) {
    const head = new Uint8Array(5);
    head[0] = MessageType.hasCrc;
    new DataView(head.buffer).setUint32(1, crc32(buf));
    buf = concatBytes(head, buf);
  }
  if (opts.keyring?.enabled) buf = opts.keyring.encrypt(buf, labelBytes(opts.label), opts.encryptionVersion ?? 1);
  const label = labelHeader(opts.label);
  return label.length > 0 ? concatBytes(label, buf) : buf;
}

/** Encode messages into one UDP packet: the message itself, or a compound of several. */
export function encodePacket(msgs: readonly PacketMessage[], opts: PacketEncodeOptions): Uint8Array {
  if (msgs.length === 0) throw new MessageEncodeError('a packet needs at least one message');
  const body = msgs.length === 1 ? encodeMessage(msgs[0] as PacketMessage) : makeCompound(msgs.map(encodeMessage));
  return wrapPacket(body, opts);
}
