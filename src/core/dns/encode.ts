// DNS wire encoding of responses (RFC 1035 §4), with optional name compression (§4.1.4).
//
// Why not dns-packet's encoder: it cannot compress names (Consul sends compressed answers and
// measures EDNS limits on the compressed size) and it costs ~13µs for a 3-SRV answer, a large share
// of the per-query budget. Queries are still decoded with dns-packet (see server.ts).
//
// MUST: names are written without their trailing dot ('' is the root); a label over 63 bytes or a
// name over 255 bytes throws EncodeError (the caller answers SERVFAIL, never crashes).

export class EncodeError extends Error {}

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, AXFR: 252, IXFR: 251, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = keyof typeof RCODE;

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A resource record. A/AAAA data are the raw 4/16 address bytes. */
export type Rr =
  | { type: 'A' | 'AAAA'; name: string; ttl: number; data: Buffer }
  | { type: 'NS' | 'CNAME' | 'PTR'; name: string; ttl: number; data: string }
  | { type: 'SRV'; name: string; ttl: number; data: SrvData }
  | { type: 'TXT'; name: string; ttl: number; data: string[] }
  | { type: 'SOA'; name: string; ttl: number; data: SoaData };

/** The OPT pseudo-record (RFC 6891): class = UDP payload size, TTL = ext rcode/version/flags. */
export interface Opt {
  udpSize: number;
  /** Encoded options (code, length, data)*. */
  options: Buffer;
}

export interface Message {
  id: number;
  /** Header flags word without the rcode bits (QR, opcode, AA, TC, RD, RA). */
  flags: number;
  rcode: number;
  question: { name: string; type: number; class: number } | undefined;
  answers: readonly Rr[];
  authority: readonly Rr[];
  additional: readonly Rr[];
  opt: Opt | undefined;
}

export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080 } as const;

const MAX_MESSAGE = 65535;
const scratch = Buffer.allocUnsafe(MAX_MESSAGE);

/** A name in wire form (uncompressed), with each suffix and where it starts, for compression. */
interface NameWire {
  wire: Buffer;
  suffixes: string[];
  starts: number[];
}

/** Names repeat across queries (the qname, SRV targets): keep their wire form. Bounded. */
const wireCache = new Map<string, NameWire>();
const WIRE_CACHE_MAX = 8192;

function nameWire(input: string): NameWire {
  const hit = wireCache.get(input);
  if (hit) return hit;
  const name = input.length > 0 && input.charCodeAt(input.length - 1) === 46 ? input.slice(0, -1) : input;
  const labels = name === '' ? [] : name.split('.');
  const parts: Buffer[] = [];
  const suffixes: string[] = [];
  const starts: number[] = [];
  let off = 0;
  labels.forEach((label, i) => {
    // Question names arrive as latin1 (one char per wire byte, decode.ts): write them back byte
    // for byte. A catalog name with characters past U+00FF can only be UTF-8.
    const b = Buffer.from(label, /^[\u0000-\u00ff]*$/.test(label) ? 'latin1' : 'utf8');
    if (b.length === 0 || b.length > 63) throw new EncodeError(`invalid label "${label.slice(0, 70)}" in ${name.slice(0, 100)}`);
    suffixes.push(labels.slice(i).join('.'));
    starts.push(off);
    parts.push(Buffer.from([b.length]), b);
    off += b.length + 1;
  });
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > 255) throw new EncodeError(`name too long: ${name.slice(0, 40)}...`);
  if (wireCache.size >= WIRE_CACHE_MAX) wireCache.clear();
  const nw = { wire, suffixes, starts };
  wireCache.set(input, nw);
  return nw;
}

class Writer {
  off = 0;
  readonly names: Map<string, number> | undefined;
  constructor(
    readonly buf: Buffer,
    compress: boolean,
  ) {
    this.names = compress ? new Map() : undefined;
  }

  u8(v: number): void {
    this.buf[this.off++] = v;
  }
  u16(v: number): void {
    this.buf.writeUInt16BE(v & 0xffff, this.off);
    this.off += 2;
  }
  u32(v: number): void {
    this.buf.writeUInt32BE(v >>> 0, this.off);
    this.off += 4;
  }
  bytes(b: Buffer): void {
    b.copy(this.buf, this.off);
    this.off += b.length;
  }

  /**
   * Write a name; with `usePointer` false the name is written in full (RFC 2782 SRV targets) but
   * its suffixes may still serve as pointer targets for later names.
   */
  name(name: string, usePointer = true): void {
    const nw = nameWire(name);
    const names = this.names;
    if (names) {
      for (let i = 0; i < nw.suffixes.length; i++) {
        const at = usePointer ? names.get(nw.suffixes[i] as string) : undefined;
        if (at !== undefined) {
          const start = nw.starts[i] as number;
          nw.wire.copy(this.buf, this.off, 0, start);
          for (let j = 0; j < i; j++) this.remember(nw.suffixes[j] as string, this.off + (nw.starts[j] as number));
          this.off += start;
          this.u16(0xc000 | at);
          return;
        }
      }
      for (let j = 0; j < nw.suffixes.length; j++) this.remember(nw.suffixes[j] as string, this.off + (nw.starts[j] as number));
    }
    nw.wire.copy(this.buf, this.off);
    this.off += nw.wire.length;
  }

  private remember(suffix: string, offset: number): void {
    if (offset < 0x3fff && !this.names?.has(suffix)) this.names?.set(suffix, offset);
  }

  characterStrings(parts: readonly string[]): void {
    if (parts.length === 0) return this.u8(0);
    for (const p of parts) {
      const b = Buffer.from(p);
      // A character-string holds at most 255 bytes: split longer ones (RFC 1035 §3.3, §3.3.14).
      let i = 0;
      do {
        const chunk = b.subarray(i, i + 255);
        this.u8(chunk.length);
        this.bytes(chunk);
        i += 255;
      } while (i < b.length);
    }
  }

  rr(r: Rr): void {
    this.name(r.name);
    this.u16(TYPE[r.type]);
    this.u16(1); // IN
    this.u32(r.ttl);
    const lenAt = this.off;
    this.off += 2;
    switch (r.type) {
      case 'A':
      case 'AAAA':
        this.bytes(r.data);
        break;
      case 'NS':
      case 'CNAME':
      case 'PTR':
        this.name(r.data);
        break;
      case 'SRV':
        this.u16(r.data.priority);
        this.u16(r.data.weight);
        this.u16(r.data.port);
        // RFC 2782: the SRV target is not compressed.
        this.name(r.data.target, false);
        break;
      case 'TXT':
        this.characterStrings(r.data);
        break;
      case 'SOA':
        this.name(r.data.mname);
        this.name(r.data.rname);
        this.u32(r.data.serial);
        this.u32(r.data.refresh);
        this.u32(r.data.retry);
        this.u32(r.data.expire);
        this.u32(r.data.minimum);
        break;
    }
    this.buf.writeUInt16BE(this.off - lenAt - 2, lenAt);
  }

  opt(o: Opt, rcode: number): void {
    this.u8(0); // root name
    this.u16(TYPE.OPT);
    this.u16(o.udpSize);
    this.u32(((rcode >> 4) & 0xff) << 24); // extended rcode, version 0, no DO bit
    this.u16(o.options.length);
    this.bytes(o.options);
  }
}

/** One record in wire form with its owner name (and any name in its data) written in full. */
export function encodeRecord(r: Rr): Buffer {
  const w = new Writer(scratch, false);
  w.rr(r);
  return Buffer.from(scratch.subarray(0, w.off));
}

/** An OPT pseudo-record in wire form (the pre-encoded path echoes it after its records). */
export function encodeOpt(o: Opt, rcode: number): Buffer {
  const w = new Writer(scratch, false);
  w.opt(o, rcode);
  return Buffer.from(scratch.subarray(0, w.off));
}

/** A name in wire form, uncompressed (throws EncodeError as names in messages do). */
export function nameBytes(name: string): Buffer {
  return nameWire(name).wire;
}

/** A name's suffixes as the compression map keys them (the name itself first). */
export function nameSuffixes(name: string): readonly string[] {
  return nameWire(name).suffixes;
}

/** Messages encoded by this process: the unit tests check that an answer is encoded only once. */
export const encodeStats = { messages: 0 };

/** Encode a message. Throws EncodeError for unencodable names; RangeError past 64 KiB. */
export function encodeMessage(m: Message, compress: boolean): Buffer {
  encodeStats.messages++;
  const w = new Writer(scratch, compress);
  try {
    writeMessage(w, m);
  } catch (err) {
    if (err instanceof RangeError) throw new EncodeError('message exceeds 65535 bytes');
    throw err;
  }
  return Buffer.from(scratch.subarray(0, w.off));
}

function writeMessage(w: Writer, m: Message): void {
  w.u16(m.id);
  w.u16((m.flags & 0xfff0) | (m.rcode & 0xf));
  w.u16(m.question ? 1 : 0);
  w.u16(m.answers.length);
  w.u16(m.authority.length);
  w.u16(m.additional.length + (m.opt ? 1 : 0));
  if (m.question) {
    w.name(m.question.name);
    w.u16(m.question.type);
    w.u16(m.question.class);
  }
  for (const r of m.answers) w.rr(r);
  for (const r of m.authority) w.rr(r);
  for (const r of m.additional) w.rr(r);
  if (m.opt) w.opt(m.opt, m.rcode);
  if (w.off > MAX_MESSAGE) throw new EncodeError('message exceeds 65535 bytes');
}

/** Size of the message without name compression, computed without encoding it. */
export function uncompressedSize(m: Message): number {
  let n = 12;
  if (m.question) n += nameSize(m.question.name) + 4;
  for (const list of [m.answers, m.authority, m.additional]) for (const r of list) n += rrSize(r);
  if (m.opt) n += 11 + m.opt.options.length;
  return n;
}

function nameSize(name: string): number {
  if (name === '' || name === '.') return 1;
  const len = Buffer.byteLength(name);
  return name.charCodeAt(name.length - 1) === 46 ? len + 1 : len + 2;
}

function rrSize(r: Rr): number {
  let data: number;
  switch (r.type) {
    case 'A':
    case 'AAAA':
      data = r.data.length;
      break;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      data = nameSize(r.data);
      break;
    case 'SRV':
      data = 6 + nameSize(r.data.target);
      break;
    case 'TXT':
      data = r.data.length === 0 ? 1 : r.data.reduce((s, p) => s + Buffer.byteLength(p) + Math.max(1, Math.ceil(Buffer.byteLength(p) / 255)), 0);
      break;
    case 'SOA':
      data = nameSize(r.data.mname) + nameSize(r.data.rname) + 20;
      break;
  }
  return nameSize(r.name) + 10 + data;
}
