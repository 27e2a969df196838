// memberlist's messages <-> bytes: one type byte, then the Go struct as a msgpack map keyed by the
// Go field names (net.go). Used by packet.ts (UDP) and stream.ts (TCP).
// MUST: fields go out sorted by name, as hashicorp/go-msgpack orders struct fields (seen on the
//       wire; it makes our bytes and sizes identical to Go's); Addr/Target/
//       SourceAddr are 4- or 16-byte IPs; Vsn is a 6-byte string, never an array; SourceAddr,
//       SourcePort and SourceNode are left out when empty (omitempty); a nil []byte is msgpack nil.
// MUST: a UDP user message is [8] followed by the raw delegate payload, with no msgpack around it.
// Decoding is lenient the way Go's is: unknown fields are ignored, missing ones are zero, and
// bytes after the msgpack body are ignored.
import type {
  AckMsg,
  AliveMsg,
  DeadMsg,
  IndirectPingMsg,
  NackMsg,
  PacketMessage,
  PingMsg,
  PushNodeState,
  SuspectMsg,
  Vsn,
} from '../memberlist/messages.js';
import {
  asBool,
  asInt,
  asMap,
  asString,
  asUint,
  decode,
  encode,
  MsgpackError,
  MsgpackTruncated,
  type EncodableValue,
  type GoMap,
  type GoValue,
} from './msgpack.js';
import { MessageDecodeError, MessageEncodeError } from './errors.js';
import { bytesToIp, ipToBytes } from './ip.js';

/** memberlist's messageType numbers (the first byte of every message). */
export const MessageType = {
  ping: 0,
  indirectPing: 1,
  ackResp: 2,
  suspect: 3,
  alive: 4,
  dead: 5,
  pushPull: 6,
  compound: 7,
  user: 8,
  compress: 9,
  encrypt: 10,
  nackResp: 11,
  hasCrc: 12,
  err: 13,
  hasLabel: 244,
} as const;

/** memberlist's compressionType; LZW is the only one. */
export const LZW_ALGO = 0;

const U16 = 0xffff;
const U32 = 0xffffffff;

// ---- small field helpers --------------------------------------------------------------------

/** A Go []byte field: raw/bin, or (Go accepts it too) an array of small integers. */
function asByteSlice(v: GoValue | undefined, what: string): Uint8Array {
  if (v === null || v === undefined) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return Uint8Array.from(v.map((x) => asUint(x, what, 0xff)));
  throw new MessageDecodeError(`${what} is not a byte string`);
}

function ipField(v: GoValue | undefined, what: string): string {
  return bytesToIp(asByteSlice(v, what));
}

function vsnField(v: GoValue | undefined): Vsn {
  const b = asByteSlice(v, 'Vsn');
  // A missing Vsn reads as all zeros (unknown); fewer than 6 bytes would crash Go, so we refuse it.
  if (b.length === 0) return [0, 0, 0, 0, 0, 0];
  if (b.length < 6) throw new MessageDecodeError(`Vsn must be 6 bytes, got ${b.length}`);
  return [b[0] as number, b[1] as number, b[2] as number, b[3] as number, b[4] as number, b[5] as number];
}

function vsnBytes(vsn: Vsn): Uint8Array {
  for (const x of vsn) {
    if (!Number.isInteger(x) || x < 0 || x > 0xff) throw new MessageEncodeError(`Vsn entries are bytes, got ${x}`);
  }
  return Uint8Array.from(vsn);
}

/** Go nil for an empty slice (what memberlist sends when it has none). */
function bytesOrNil(b: Uint8Array): Uint8Array | null {
  return b.length === 0 ? null : b;
}

function checkUint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new MessageEncodeError(`${what} out of range: ${v}`);
  return v;
}

/** Run a field reader, turning msgpack kind errors into MessageDecodeError. */
export function readFields<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof MsgpackError) throw new MessageDecodeError(`${what}: ${e.message}`);
    throw e;
  }
}

/**
 * Decode one msgpack value at `offset`. Truncation is rethrown as MsgpackTruncated (a stream reader
 * waits for more bytes); any other malformation becomes MessageDecodeError.
 */
export function decodeValue(buf: Uint8Array, offset: number, what: string): { value: GoValue; end: number } {
  try {
    return decode(buf, offset);
  } catch (e) {
    if (e instanceof MsgpackTruncated) throw e;
    if (e instanceof MsgpackError) throw new MessageDecodeError(`${what}: ${e.message}`);
    throw e;
  }
}

/** Decode a body that must be complete (a packet, or a stream after decryption or decompression). */
function decodeWhole(buf: Uint8Array, offset: number, what: string): GoMap {
  try {
    return readFields(what, () => asMap(decode(buf, offset).value, what));
  } catch (e) {
    if (e instanceof MsgpackTruncated) throw new MessageDecodeError(`${what}: truncated`);
    throw e;
  }
}

// ---- struct bodies --------------------------------------------------------------------------

/** A Go struct as go-msgpack writes it: fields sorted by name, omitted (undefined) ones left out. */
export function goStruct(fields: Readonly<Record<string, EncodableValue>>): ReadonlyMap<string, EncodableValue> {
  const names = Object.keys(fields).filter((k) => fields[k] !== undefined);
  names.sort();
  return new Map(names.map((k) => [k, fields[k]]));
}

function sourceFields(m: { sourceAddr?: string; sourcePort?: number; sourceNode?: string }): Record<string, EncodableValue> {
  const addr = m.sourceAddr === undefined ? new Uint8Array(0) : ipToBytes(m.sourceAddr);
  return {
    SourceAddr: addr.length > 0 ? addr : undefined,
    SourcePort: m.sourcePort ? checkUint(m.sourcePort, U16, 'SourcePort') : undefined,
    SourceNode: m.sourceNode ? m.sourceNode : undefined,
  };
}

export function pingBody(m: PingMsg): EncodableValue {
  return goStruct({ SeqNo: checkUint(m.seqNo, U32, 'SeqNo'), Node: m.node, ...sourceFields(m) });
}

export function indirectPingBody(m: IndirectPingMsg): EncodableValue {
  return goStruct({
    SeqNo: checkUint(m.seqNo, U32, 'SeqNo'),
    Target: bytesOrNil(ipToBytes(m.target)),
    Port: checkUint(m.port, U16, 'Port'),
    Node: m.node,
    Nack: m.nack,
    ...sourceFields(m),
  });
}

export function ackBody(m: AckMsg): EncodableValue {
  return goStruct({ SeqNo: checkUint(m.seqNo, U32, 'SeqNo'), Payload: bytesOrNil(m.payload) });
}

export function nackBody(m: NackMsg): EncodableValue {
  return goStruct({ SeqNo: checkUint(m.seqNo, U32, 'SeqNo') });
}

export function suspectOrDeadBody(m: SuspectMsg | DeadMsg): EncodableValue {
  return goStruct({ Incarnation: checkUint(m.incarnation, U32, 'Incarnation'), Node: m.node, From: m.from });
}

export function aliveBody(m: AliveMsg): EncodableValue {
  return goStruct({
    Incarnation: checkUint(m.incarnation, U32, 'Incarnation'),
    Node: m.node,
    Addr: bytesOrNil(ipToBytes(m.addr)),
    Port: checkUint(m.port, U16, 'Port'),
    Meta: bytesOrNil(m.meta),
    Vsn: vsnBytes(m.vsn),
  });
}

export function pushNodeStateBody(n: PushNodeState): EncodableValue {
  return goStruct({
    Name: n.name,
    Addr: bytesOrNil(ipToBytes(n.addr)),
    Port: checkUint(n.port, U16, 'Port'),
    Meta: bytesOrNil(n.meta),
    Incarnation: checkUint(n.incarnation, U32, 'Incarnation'),
    State: n.state,
    Vsn: vsnBytes(n.vsn),
  });
}

function sourceOf(m: GoMap): { sourceAddr?: string; sourcePort?: number; sourceNode?: string } {
  const out: { sourceAddr?: string; sourcePort?: number; sourceNode?: string } = {};
  const addr = ipField(m['SourceAddr'], 'SourceAddr');
  const port = asUint(m['SourcePort'], 'SourcePort', U16);
  const node = asString(m['SourceNode'], 'SourceNode');
  if (addr !== '') out.sourceAddr = addr;
  if (port !== 0) out.sourcePort = port;
  if (node !== '') out.sourceNode = node;
  return out;
}

export function readPing(m: GoMap): PingMsg {
  return readFields('ping', () => ({
    type: 'ping',
    seqNo: asUint(m['SeqNo'], 'SeqNo', U32),
    node: asString(m['Node'], 'Node'),
    ...sourceOf(m),
  }));
}

export function readIndirectPing(m: GoMap): IndirectPingMsg {
  return readFields('indirectPingReq', () => ({
    type: 'indirectPing',
    seqNo: asUint(m['SeqNo'], 'SeqNo', U32),
    target: ipField(m['Target'], 'Target'),
    port: asUint(m['Port'], 'Port', U16),
    node: asString(m['Node'], 'Node'),
    nack: asBool(m['Nack'], 'Nack'),
    ...sourceOf(m),
  }));
}

export function readAck(m: GoMap): AckMsg {
  return readFields('ackResp', () => ({
    type: 'ack',
    seqNo: asUint(m['SeqNo'], 'SeqNo', U32),
    payload: asByteSlice(m['Payload'], 'Payload'),
  }));
}

export function readNack(m: GoMap): NackMsg {
  return readFields('nackResp', () => ({ type: 'nack', seqNo: asUint(m['SeqNo'], 'SeqNo', U32) }));
}

export function readSuspect(m: GoMap): SuspectMsg {
  return readFields('suspect', () => ({
    type: 'suspect',
    incarnation: asUint(m['Incarnation'], 'Incarnation', U32),
    node: asString(m['Node'], 'Node'),
    from: asString(m['From'], 'From'),
  }));
}

export function readDead(m: GoMap): DeadMsg {
  return readFields('dead', () => ({
    type: 'dead',
    incarnation: asUint(m['Incarnation'], 'Incarnation', U32),
    node: asString(m['Node'], 'Node'),
    from: asString(m['From'], 'From'),
  }));
}

export function readAlive(m: GoMap): AliveMsg {
  return readFields('alive', () => ({
    type: 'alive',
    incarnation: asUint(m['Incarnation'], 'Incarnation', U32),
    node: asString(m['Node'], 'Node'),
    addr: ipField(m['Addr'], 'Addr'),
    port: asUint(m['Port'], 'Port', U16),
    meta: asByteSlice(m['Meta'], 'Meta'),
    vsn: vsnField(m['Vsn']),
  }));
}

export function readPushNodeState(m: GoMap): PushNodeState {
  return readFields('pushNodeState', () => {
    const state = asInt(m['State'], 'State');
    if (state < 0 || state > 3) throw new MessageDecodeError(`pushNodeState: unknown State ${state}`);
    return {
      name: asString(m['Name'], 'Name'),
      addr: ipField(m['Addr'], 'Addr'),
      port: asUint(m['Port'], 'Port', U16),
      meta: asByteSlice(m['Meta'], 'Meta'),
      incarnation: asUint(m['Incarnation'], 'Incarnation', U32),
      state: state as PushNodeState['state'],
      vsn: vsnField(m['Vsn']),
    };
  });
}

// ---- whole messages -------------------------------------------------------------------------

function withType(type: number, body: EncodableValue): Uint8Array {
  const b = encode(body);
  const out = new Uint8Array(1 + b.length);
  out[0] = type;
  out.set(b, 1);
  return out;
}

/** One message as memberlist puts it in a packet (or a compound part). */
export function encodeMessage(msg: PacketMessage): Uint8Array {
  switch (msg.type) {
    case 'ping':
      return withType(MessageType.ping, pingBody(msg));
    case 'indirectPing':
      return withType(MessageType.indirectPing, indirectPingBody(msg));
    case 'ack':
      return withType(MessageType.ackResp, ackBody(msg));
    case 'nack':
      return withType(MessageType.nackResp, nackBody(msg));
    case 'suspect':
      return withType(MessageType.suspect, suspectOrDeadBody(msg));
    case 'alive':
      return withType(MessageType.alive, aliveBody(msg));
    case 'dead':
      return withType(MessageType.dead, suspectOrDeadBody(msg));
    case 'user': {
      const out = new Uint8Array(1 + msg.payload.length);
      out[0] = MessageType.user;
      out.set(msg.payload, 1);
      return out;
    }
  }
}

/** Encoded size of a message, for packing broadcasts into a UDP packet. */
export function sizeOf(msg: PacketMessage): number {
  if (msg.type === 'user') return 1 + msg.payload.length;
  return encodeMessage(msg).length;
}

/** True for the types decodeMessage handles (everything but the compound/compress/crc wrappers). */
export function isSimplePacketType(type: number): boolean {
  return type <= MessageType.dead || type === MessageType.user || type === MessageType.nackResp;
}

/** Decode one non-wrapper message (type byte first). Throws MessageDecodeError. */
export function decodeMessage(buf: Uint8Array): PacketMessage {
  if (buf.length === 0) throw new MessageDecodeError('empty message');
  const type = buf[0] as number;
  switch (type) {
    case MessageType.ping:
      return readPing(decodeWhole(buf, 1, 'ping'));
    case MessageType.indirectPing:
      return readIndirectPing(decodeWhole(buf, 1, 'indirectPingReq'));
    case MessageType.ackResp:
      return readAck(decodeWhole(buf, 1, 'ackResp'));
    case MessageType.nackResp:
      return readNack(decodeWhole(buf, 1, 'nackResp'));
    case MessageType.suspect:
      return readSuspect(decodeWhole(buf, 1, 'suspect'));
    case MessageType.alive:
      return readAlive(decodeWhole(buf, 1, 'alive'));
    case MessageType.dead:
      return readDead(decodeWhole(buf, 1, 'dead'));
    case MessageType.user:
      return { type: 'user', payload: buf.slice(1) };
    default:
      throw new MessageDecodeError(`message type ${type} is not a packet message`);
  }
}

/** Decode a complete msgpack map at `offset` (for wrapper bodies such as compress). */
export function decodeMap(buf: Uint8Array, offset: number, what: string): GoMap {
  return decodeWhole(buf, offset, what);
}
