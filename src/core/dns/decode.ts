// Decoding of incoming queries: the header, the question and the EDNS0 OPT record (RFC 1035 §4,
// RFC 6891). Only what a server needs; every length is checked against the buffer.
//
// Why not dns-packet.decode: it builds objects for every record and option and costs as much as
// the rest of the hot path; a query needs 4 header words, one name and the OPT's size.
//
// MUST: return undefined for anything malformed (the server drops it); never read out of bounds.

export interface DecodedQuery {
  id: number;
  flags: number;
  qdcount: number;
  /** The first question; name lower-cased, without the trailing dot. Undefined when there is none or its name has a dot inside a label. */
  question: { name: string; type: number; class: number } | undefined;
  edns: { udpSize: number; ecs: Buffer | undefined } | undefined;
}

/** Offset after the name at `off`, or -1. Pointers end a name (2 bytes). */
function skipName(msg: Buffer, off: number): number {
  for (let hops = 0; hops < 128; hops++) {
    const len = msg[off];
    if (len === undefined) return -1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= msg.length ? off + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    if (len === 0) return off + 1;
    off += len + 1;
  }
  return -1;
}

function readQuestionName(msg: Buffer, off: number): { name: string | undefined; end: number } | undefined {
  let name = '';
  let total = 0;
  for (;;) {
    const len = msg[off];
    // A question name has no compression pointer to point at (it is the first name).
    if (len === undefined || (len & 0xc0) !== 0) return undefined;
    off++;
    if (len === 0) break;
    if (off + len > msg.length) return undefined;
    total += len + 1;
    if (total > 255) return undefined;
    const label = msg.toString('latin1', off, off + len);
    // A label may hold any byte, a dot included. Such a name cannot be written as text without
    // escapes, names nothing Consul serves, and would not encode back into the answer's
    // question: the caller answers FORMERR without a question.
    if (label.includes('.')) return { name: undefined, end: off + len + skipRest(msg, off + len) };
    name = name === '' ? label : name + '.' + label;
    off += len;
  }
  return { name: name.toLowerCase(), end: off };
}

/** Bytes from `off` to just past the name's terminating zero label, or a huge number if malformed. */
function skipRest(msg: Buffer, off: number): number {
  const end = skipName(msg, off);
  return end < 0 ? msg.length + 1 : end - off;
}

export function decodeQuery(msg: Buffer): DecodedQuery | undefined {
  if (msg.length < 12) return undefined;
  const qdcount = msg.readUInt16BE(4);
  const rrcount = msg.readUInt16BE(6) + msg.readUInt16BE(8);
  const arcount = msg.readUInt16BE(10);
  let off = 12;
  let question: DecodedQuery['question'];
  for (let i = 0; i < qdcount; i++) {
    let end: number;
    if (i === 0) {
      const q = readQuestionName(msg, off);
      if (!q || q.end + 4 > msg.length) return undefined;
      if (q.name !== undefined) question = { name: q.name, type: msg.readUInt16BE(q.end), class: msg.readUInt16BE(q.end + 2) };
      end = q.end;
    } else {
      end = skipName(msg, off);
      if (end < 0 || end + 4 > msg.length) return undefined;
    }
    off = end + 4;
  }
  for (let i = 0; i < rrcount; i++) {
    off = skipRr(msg, off);
    if (off < 0) return undefined;
  }
  let edns: DecodedQuery['edns'];
  for (let i = 0; i < arcount; i++) {
    const nameEnd = skipName(msg, off);
    if (nameEnd < 0 || nameEnd + 10 > msg.length) return undefined;
    const rdlen = msg.readUInt16BE(nameEnd + 8);
    if (nameEnd + 10 + rdlen > msg.length) return undefined;
    if (msg.readUInt16BE(nameEnd) === 41 && !edns) {
      edns = { udpSize: msg.readUInt16BE(nameEnd + 2), ecs: findOption(msg, nameEnd + 10, rdlen, 8) };
    }
    off = nameEnd + 10 + rdlen;
  }
  return { id: msg.readUInt16BE(0), flags: msg.readUInt16BE(2), qdcount, question, edns };
}

function skipRr(msg: Buffer, off: number): number {
  const end = skipName(msg, off);
  if (end < 0 || end + 10 > msg.length) return -1;
  const next = end + 10 + msg.readUInt16BE(end + 8);
  return next <= msg.length ? next : -1;
}

function findOption(msg: Buffer, off: number, len: number, code: number): Buffer | undefined {
  const end = off + len;
  while (off + 4 <= end) {
    const c = msg.readUInt16BE(off);
    const l = msg.readUInt16BE(off + 2);
    if (off + 4 + l > end) return undefined;
    if (c === code) return Buffer.from(msg.subarray(off + 4, off + 4 + l));
    off += 4 + l;
  }
  return undefined;
}
