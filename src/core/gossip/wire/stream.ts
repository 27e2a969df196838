// The TCP stream layer. One logical message per direction, with no outer length prefix:
//   [label]? -> [encrypt 10][u32 BE length][encrypted]? -> [compress 9]{Algo, Buf}? -> message
// where message is one of
//   pushPull (6): header {Nodes, UserStateLen, Join}, Nodes x pushNodeState, UserStateLen raw bytes
//   ping (0) / ack (2): the TCP fallback probe and its answer
//   user (8): {UserMsgLen} then that many raw bytes
//   err (13): {Error}, the remote side's refusal
// (memberlist net.go: readStream, decryptRemoteState, readRemoteState, readUserMsg, sendLocalState,
// rawSendMsgStream, encryptLocalState.)
// MUST: the stream AAD is the 5-byte [10][length] header followed by the label bytes.
// MUST: with keys and verifyIncoming, a plaintext stream is refused; without keys, an encrypted one.
// MUST: limits as memberlist: encrypted length and user state <= 20 MiB, nodes <= 2^20, user
//       message <= 20 MiB; decompression is bounded; parseStream never waits for more than
//       `maxBufferedBytes` (a lying header just runs into that cap, or the caller's TCP timeout).
import type { PushNodeState, StreamMessage } from '../memberlist/messages.js';
import { asBool, asInt, asMap, asString, MsgpackTruncated, encode, type GoValue } from './msgpack.js';
import { concatBytes, readU32be } from './byte-sink.js';
import { compressMessage, expandCompressed } from './compress.js';
import { MessageDecodeError, MessageEncodeError, StreamError, StreamLimitError } from './errors.js';
import { encryptedLength, type EncryptionVersion, type Keyring } from './keyring.js';
import { checkLabel, labelBytes, labelHeader, readLabelHeader } from './label.js';
import {
  ackBody,
  decodeValue,
  goStruct,
  MessageType,
  pingBody,
  pushNodeStateBody,
  readAck,
  readFields,
  readPing,
  readPushNodeState,
} from './memberlist-codec.js';

export const MAX_PUSH_STATE_BYTES = 20 * 1024 * 1024;
export const MAX_PUSH_STATE_NODES = 1024 * 1024;
export const MAX_USER_MSG_BYTES = 20 * 1024 * 1024;
/** A decompressed stream message: user state plus as much again for the node states. */
export const MAX_STREAM_DECOMPRESSED_BYTES = 2 * MAX_PUSH_STATE_BYTES;
/** Default cap on what parseStream will wait to accumulate for one message. */
export const MAX_STREAM_BUFFERED_BYTES = MAX_STREAM_DECOMPRESSED_BYTES + (1 << 20);

export interface StreamDecodeOptions {
  /** Decrypt with these keys when the keyring has any. */
  readonly keyring?: Keyring;
  /** Our label; the stream must carry the same one. */
  readonly label?: string;
  /** GossipVerifyIncoming (default true): with keys, refuse plaintext streams. */
  readonly verifyIncoming?: boolean;
  /** Give up (StreamLimitError) once this many bytes are buffered without a complete message. */
  readonly maxBufferedBytes?: number;
}

export interface StreamEncodeOptions {
  /** Encrypt with the primary key when the keyring has any. */
  readonly keyring?: Keyring;
  readonly label?: string;
  /** EnableCompression: Go always compresses streams when it is on (the default). */
  readonly compress: boolean;
  readonly encryptionVersion?: EncryptionVersion;
}

/** Internal: the buffer ends inside the message; parseStream turns it into `null`. */
class NeedMore extends Error {}

/** Reads one message body; `complete` says the buffer is all there is (after decrypt/decompress). */
class BodyReader {
  constructor(
    private readonly buf: Uint8Array,
    public at: number,
  ) {}

  map(what: string): ReturnType<typeof asMap> {
    const { value, end } = decodeValue(this.buf, this.at, what);
    this.at = end;
    return readFields(what, () => asMap(value, what));
  }

  raw(n: number): Uint8Array {
    if (this.buf.length - this.at < n) throw new NeedMore();
    const out = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  message(): StreamMessage {
    if (this.at >= this.buf.length) throw new NeedMore();
    const type = this.buf[this.at++] as number;
    switch (type) {
      case MessageType.pushPull:
        return this.pushPull();
      case MessageType.ping:
        return readPing(this.map('ping'));
      case MessageType.ackResp:
        return readAck(this.map('ackResp'));
      case MessageType.user: {
        const h = this.map('userMsgHeader');
        const len = readFields('userMsgHeader', () => asInt(h['UserMsgLen'], 'UserMsgLen'));
        if (len < 0 || len > MAX_USER_MSG_BYTES) throw new StreamLimitError(`user message length (${len}) exceeds limit`);
        return { type: 'user', payload: this.raw(len) };
      }
      case MessageType.err: {
        const m = this.map('errResp');
        return { type: 'err', error: readFields('errResp', () => asString(m['Error'], 'Error')) };
      }
      default:
        throw new StreamError(`received invalid stream message type (${type})`);
    }
  }

  private pushPull(): StreamMessage {
    const h = this.map('pushPullHeader');
    const { nodes, userStateLen, join } = readFields('pushPullHeader', () => ({
      nodes: asInt(h['Nodes'], 'Nodes'),
      userStateLen: asInt(h['UserStateLen'], 'UserStateLen'),
      join: asBool(h['Join'], 'Join'),
    }));
    if (nodes < 0 || nodes > MAX_PUSH_STATE_NODES) throw new StreamLimitError(`number of nodes in header (${nodes}) exceeds limit`);
    if (userStateLen < 0 || userStateLen > MAX_PUSH_STATE_BYTES) {
      throw new StreamLimitError(`user state length (${userStateLen}) exceeds limit`);
    }
    // Grow with what actually arrives; the declared count must not size an allocation.
    const states: PushNodeState[] = [];
    for (let i = 0; i < nodes; i++) states.push(readPushNodeState(this.map('pushNodeState')));
    return { type: 'pushPull', join, nodes: states, userState: this.raw(userStateLen) };
  }
}

/** Read a message that must be wholly inside `buf` (decrypted or decompressed bytes). */
function readComplete(buf: Uint8Array, at: number, what: string): { msg: StreamMessage; end: number } {
  try {
    const r = new BodyReader(buf, at);
    const msg = r.message();
    return { msg, end: r.at };
  } catch (e) {
    if (e instanceof NeedMore || e instanceof MsgpackTruncated) throw new MessageDecodeError(`${what}: message truncated`);
    throw e;
  }
}

/** A possibly-compressed message at `at`; truncation of `buf` propagates (a plaintext stream may grow). */
function readMaybeCompressed(buf: Uint8Array, at: number, complete: boolean): { msg: StreamMessage; end: number } {
  if (at >= buf.length) throw new NeedMore();
  if (buf[at] !== MessageType.compress) {
    if (complete) return readComplete(buf, at, 'stream');
    const r = new BodyReader(buf, at);
    const msg = r.message();
    return { msg, end: r.at };
  }
  const { value, end } = decodeCompressBody(buf, at + 1, complete);
  const inner = expandCompressed(value, MAX_STREAM_DECOMPRESSED_BYTES);
  if (inner.length === 0) throw new StreamError('decompressed message is empty');
  // Like Go, only one compress layer: a compress inside is an invalid message type.
  return { msg: readComplete(inner, 0, 'decompressed stream').msg, end };
}

function decodeCompressBody(buf: Uint8Array, at: number, complete: boolean): { value: GoValue; end: number } {
  try {
    return decodeValue(buf, at, 'compress');
  } catch (e) {
    if (complete && e instanceof MsgpackTruncated) throw new MessageDecodeError('compress: truncated');
    throw e;
  }
}

function parseOrNeedMore(buf: Uint8Array, opts: StreamDecodeOptions): { msg: StreamMessage; consumed: number } {
  if (buf.length === 0) throw new NeedMore(); // not even the first byte: labelled or not is unknown
  const header = readLabelHeader(buf);
  if (header === 'more') throw new NeedMore();
  checkLabel(header.label, opts.label);
  const at = header.end;
  if (at >= buf.length) throw new NeedMore();

  if (buf[at] === MessageType.encrypt) {
    // memberlist v0.5.3 net.go (readStream, decryptRemoteState) texts, as Consul 1.21 prints them.
    if (!opts.keyring?.enabled) throw new StreamError('Remote state is encrypted and encryption is not configured');
    if (buf.length - at < 5) throw new NeedMore();
    const size = readU32be(buf, at + 1);
    if (size > MAX_PUSH_STATE_BYTES) throw new StreamLimitError(`Remote node state is larger than limit (${size})`);
    if (buf.length - at - 5 < size) throw new NeedMore();
    const aad = concatBytes(buf.subarray(at, at + 5), labelBytes(header.label));
    const plain = opts.keyring.decrypt(buf.subarray(at + 5, at + 5 + size), aad);
    if (plain.length === 0) throw new StreamError('decrypted message is empty');
    return { msg: readMaybeCompressed(plain, 0, true).msg, consumed: at + 5 + size };
  }
  if (opts.keyring?.enabled && (opts.verifyIncoming ?? true)) {
    throw new StreamError('Encryption is configured but remote state is not encrypted');
  }
  const { msg, end } = readMaybeCompressed(buf, at, false);
  return { msg, consumed: end };
}

/**
 * Parse the one message at the start of the bytes received so far on a stream. Returns null when
 * more bytes are needed; throws a WireError when the stream is bad (answer with an err message
 * where memberlist does, then close).
 */
export function parseStream(buf: Uint8Array, opts: StreamDecodeOptions = {}): { msg: StreamMessage; consumed: number } | null {
  try {
    return parseOrNeedMore(buf, opts);
  } catch (e) {
    if (!(e instanceof NeedMore) && !(e instanceof MsgpackTruncated)) throw e;
    const cap = opts.maxBufferedBytes ?? MAX_STREAM_BUFFERED_BYTES;
    if (buf.length >= cap) throw new StreamLimitError(`no complete stream message within ${cap} bytes`);
    return null;
  }
}

function withType(type: number, ...parts: Uint8Array[]): Uint8Array {
  return concatBytes(Uint8Array.of(type), ...parts);
}

/** The plaintext, uncompressed bytes of a stream message. */
export function encodeStreamMessage(msg: StreamMessage): Uint8Array {
  switch (msg.type) {
    case 'pushPull': {
      if (msg.nodes.length > MAX_PUSH_STATE_NODES) throw new MessageEncodeError('too many nodes for a push/pull');
      if (msg.userState.length > MAX_PUSH_STATE_BYTES) throw new MessageEncodeError('user state too large for a push/pull');
      const header = encode(goStruct({ Nodes: msg.nodes.length, UserStateLen: msg.userState.length, Join: msg.join }));
      return withType(MessageType.pushPull, header, ...msg.nodes.map((n) => encode(pushNodeStateBody(n))), msg.userState);
    }
    case 'ping':
      return withType(MessageType.ping, encode(pingBody(msg)));
    case 'ack':
      return withType(MessageType.ackResp, encode(ackBody(msg)));
    case 'user':
      if (msg.payload.length > MAX_USER_MSG_BYTES) throw new MessageEncodeError('user message too large for a stream');
      return withType(MessageType.user, encode({ UserMsgLen: msg.payload.length }), msg.payload);
    case 'err':
      return withType(MessageType.err, encode({ Error: msg.error }));
  }
}

/** Everything to write on a stream for `msg`: label, encryption and compression as configured. */
export function encodeStream(msg: StreamMessage, opts: StreamEncodeOptions): Uint8Array {
  let body = encodeStreamMessage(msg);
  if (opts.compress) body = compressMessage(body);
  if (opts.keyring?.enabled) {
    const version = opts.encryptionVersion ?? 1;
    const head = new Uint8Array(5);
    head[0] = MessageType.encrypt;
    new DataView(head.buffer).setUint32(1, encryptedLength(version, body.length));
    const sealed = opts.keyring.encrypt(body, concatBytes(head, labelBytes(opts.label)), version);
    body = concatBytes(head, sealed);
  }
  const label = labelHeader(opts.label);
  return label.length > 0 ? concatBytes(label, body) : body;
}
