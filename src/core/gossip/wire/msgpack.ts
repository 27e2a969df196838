// msgpack as HashiCorp's Go agents speak it (ugorji go-msgpack with MsgpackHandle{}, RawToString
// off, WriteExt off): both `string` and `[]byte` travel as old-spec "raw" (fixstr/str16/str32),
// and a decoder must hand raw back as bytes because it cannot tell text from binary. Field schemas
// (asString/asBytes/...) turn values back into what each Go field holds.
//
// MUST: encode strings and byte slices as raw, never bin and never str8: Go decodes raw into both
//       string and []byte fields, but refuses bin for a string field, and old builds lack str8.
// MUST: decode() reports where the value ended, so stream framing can read msgpack values followed
//       by raw bytes with no length prefix; a value cut short throws MsgpackTruncated (read more),
//       anything malformed throws MsgpackError (drop the packet).

export class MsgpackError extends Error {
  override name = 'MsgpackError';
}
/** The input ended inside a value: for streams, wait for more bytes. */
export class MsgpackTruncated extends MsgpackError {
  override name = 'MsgpackTruncated';
}

/** A decoded value. Maps have string keys and a null prototype; raw and bin become Uint8Array. */
export type GoValue = null | boolean | number | Uint8Array | GoValue[] | GoMap;
export interface GoMap {
  [key: string]: GoValue;
}

/** Forces float64 encoding for a Go float field whose value happens to be integral. */
export class Float64 {
  constructor(readonly value: number) {}
}

/** What encode() accepts. `undefined` map entries are left out (Go's omitempty, done by the caller). */
export type EncodableValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Float64
  | readonly EncodableValue[]
  | ReadonlyMap<string, EncodableValue>
  | { readonly [key: string]: EncodableValue };

const MAX_DEPTH = 32;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

class Writer {
  buf = new Uint8Array(256);
  len = 0;
  private view = new DataView(this.buf.buffer);
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.len, v);
    this.len += 8;
  }
  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.len, v);
    this.len += 8;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
}

/** Encode one value the way Go's MsgpackHandle would. */
export function encode(value: EncodableValue): Uint8Array {
  const w = new Writer();
  write(w, value, 0);
  return w.buf.slice(0, w.len);
}

function write(w: Writer, v: EncodableValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new MsgpackError('msgpack: value nested too deeply');
  if (v === null || v === undefined) return w.u8(0xc0);
  if (typeof v === 'boolean') return w.u8(v ? 0xc3 : 0xc2);
  if (typeof v === 'number') return writeNumber(w, v);
  if (typeof v === 'bigint') return writeBigInt(w, v);
  if (typeof v === 'string') return writeRaw(w, textEncoder.encode(v));
  if (v instanceof Uint8Array) return writeRaw(w, v);
  if (v instanceof Float64) {
    w.u8(0xcb);
    return w.f64(v.value);
  }
  if (Array.isArray(v)) {
    const a = v as readonly EncodableValue[];
    writeLen(w, a.length, 0x90, 15, 0xdc, 0xdd);
    for (const x of a) write(w, x, depth + 1);
    return;
  }
  const entries: [string, EncodableValue][] = v instanceof Map ? [...(v as ReadonlyMap<string, EncodableValue>)] : Object.entries(v);
  const present = entries.filter(([, x]) => x !== undefined);
  writeLen(w, present.length, 0x80, 15, 0xde, 0xdf);
  for (const [k, x] of present) {
    writeRaw(w, textEncoder.encode(k));
    write(w, x, depth + 1);
  }
}

function writeLen(w: Writer, n: number, fix: number, fixMax: number, c16: number, c32: number): void {
  if (n <= fixMax) w.u8(fix | n);
  else if (n <= 0xffff) {
    w.u8(c16);
    w.u16(n);
  } else {
    w.u8(c32);
    w.u32(n);
  }
}

function writeRaw(w: Writer, b: Uint8Array): void {
  writeLen(w, b.length, 0xa0, 31, 0xda, 0xdb);
  w.bytes(b);
}

function writeNumber(w: Writer, n: number): void {
  if (!Number.isInteger(n)) {
    w.u8(0xcb);
    return w.f64(n);
  }
  if (n >= 0) {
    if (n <= 0x7f) return w.u8(n);
    if (n <= 0xff) {
      w.u8(0xcc);
      return w.u8(n);
    }
    if (n <= 0xffff) {
      w.u8(0xcd);
      return w.u16(n);
    }
    if (n <= 0xffffffff) {
      w.u8(0xce);
      return w.u32(n);
    }
    return writeBigInt(w, BigInt(n));
  }
  if (n >= -32) return w.u8(n & 0xff);
  if (n >= -0x80) {
    w.u8(0xd0);
    return w.u8(n & 0xff);
  }
  if (n >= -0x8000) {
    w.u8(0xd1);
    return w.u16(n & 0xffff);
  }
  if (n >= -0x80000000) {
    w.u8(0xd2);
    return w.u32(n >>> 0);
  }
  return writeBigInt(w, BigInt(n));
}

function writeBigInt(w: Writer, n: bigint): void {
  if (n >= 0n && n <= 0xffffffffn) return writeNumber(w, Number(n));
  if (n < 0n && n >= -0x80000000n) return writeNumber(w, Number(n));
  if (n >= 0n) {
    if (n > 0xffffffffffffffffn) throw new MsgpackError('msgpack: integer out of uint64 range');
    w.u8(0xcf);
    return w.u64(n);
  }
  if (n < -0x8000000000000000n) throw new MsgpackError('msgpack: integer out of int64 range');
  w.u8(0xd3);
  w.i64(n);
}

/** Decode one value starting at `offset`; `end` is the offset just past it. */
export function decode(buf: Uint8Array, offset = 0): { value: GoValue; end: number } {
  const r = new Reader(buf, offset);
  const value = r.value(0);
  return { value, end: r.pos };
}

/** Decode a whole buffer that must hold exactly one value. */
export function decodeExact(buf: Uint8Array): GoValue {
  const { value, end } = decode(buf, 0);
  if (end !== buf.length) throw new MsgpackError(`msgpack: ${buf.length - end} trailing bytes`);
  return value;
}

class Reader {
  private readonly view: DataView;
  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new MsgpackTruncated('msgpack: unexpected end of input');
  }
  private u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  private u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  private raw(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A container cannot hold more items than bytes remain; refuse absurd counts before allocating. */
  private count(n: number): number {
    if (n > this.buf.length - this.pos) {
      // Either truncated or a lie; for streams both mean "not yet", the caller's size limit ends it.
      throw new MsgpackTruncated(`msgpack: container of ${n} items exceeds the input`);
    }
    return n;
  }

  value(depth: number): GoValue {
    if (depth > MAX_DEPTH) throw new MsgpackError('msgpack: value nested too deeply');
    const b = this.u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return this.map(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return this.array(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return this.raw(b & 0x1f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xd9:
        return this.raw(this.u8());
      case 0xc5:
      case 0xda:
        return this.raw(this.u16());
      case 0xc6:
      case 0xdb:
        return this.raw(this.u32());
      case 0xca: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xcb: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return Number(v);
      }
      case 0xd0: {
        const v = this.u8();
        return v >= 0x80 ? v - 0x100 : v;
      }
      case 0xd1: {
        const v = this.u16();
        return v >= 0x8000 ? v - 0x10000 : v;
      }
      case 0xd2: {
        this.need(4);
        const v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xd3: {
        this.need(8);
        const v = this.view.getBigInt64(this.pos);
        this.pos += 8;
        return Number(v);
      }
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        throw new MsgpackError(`msgpack: unsupported type byte 0x${b.toString(16)}`);
    }
  }

  private array(n: number, depth: number): GoValue[] {
    const out: GoValue[] = new Array<GoValue>(this.count(n));
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(n: number, depth: number): GoMap {
    this.count(n * 2);
    const out = Object.create(null) as GoMap;
    for (let i = 0; i < n; i++) {
      const k = this.value(depth + 1);
      const key = k instanceof Uint8Array ? textDecoder.decode(k) : typeof k === 'number' ? String(k) : null;
      if (key === null) throw new MsgpackError('msgpack: map key is not a string');
      out[key] = this.value(depth + 1);
    }
    return out;
  }
}

// Field schemas: read a Go struct field out of a decoded map, as the Go decoder would coerce it.
// A missing field is the Go zero value; a field of the wrong kind is an error (drop the message).

export function asMap(v: GoValue | undefined, what = 'value'): GoMap {
  if (v === null || v === undefined) return Object.create(null) as GoMap;
  if (typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v)) return v;
  throw new MsgpackError(`msgpack: ${what} is not a map`);
}

export function asString(v: GoValue | undefined, what = 'field'): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Uint8Array) return textDecoder.decode(v);
  throw new MsgpackError(`msgpack: ${what} is not a string`);
}

export function asBytes(v: GoValue | undefined, what = 'field'): Uint8Array {
  if (v === null || v === undefined) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  throw new MsgpackError(`msgpack: ${what} is not a byte string`);
}

export function asUint(v: GoValue | undefined, what = 'field', max = Number.MAX_SAFE_INTEGER): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
  throw new MsgpackError(`msgpack: ${what} is not an unsigned integer in range`);
}

export function asInt(v: GoValue | undefined, what = 'field'): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new MsgpackError(`msgpack: ${what} is not an integer`);
}

export function asFloat(v: GoValue | undefined, what = 'field'): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  throw new MsgpackError(`msgpack: ${what} is not a number`);
}

export function asBool(v: GoValue | undefined, what = 'field'): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  throw new MsgpackError(`msgpack: ${what} is not a bool`);
}

export function asArray(v: GoValue | undefined, what = 'field'): GoValue[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  throw new MsgpackError(`msgpack: ${what} is not an array`);
}
