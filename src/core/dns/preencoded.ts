// Pre-encoded answers: a prepared answer's records are encoded once (per catalog view, since a
// Prepared lives in its view's memo) and each query only copies them in its shuffled order.
//
// Why: building and compressing every record per query was two thirds of a 50-SRV answer's cost
// (issue 16 item 3). In the common shape (answers owned by the question name, SRV targets written
// in full as RFC 2782 asks, Additional records owned by those targets) the compressed bytes of a
// record do not depend on where it lands, except the Additional records' owner pointers, which
// point at the first SRV carrying their target and are patched while copying.
//
// MUST: produce exactly the bytes encodeMessage gives for the same order and limits (the unit
// tests compare both paths). Anything of another shape is not pre-encoded (prepareEncoded answers
// undefined) and goes through the general path; so does an answer that would need a pointer past
// the 14-bit offset range or a message over 64 KiB.
import { encodeRecord, nameBytes, nameSuffixes, type Rr } from './encode.js';
import type { Prepared } from './lookup/types.js';

/** Offset of an SRV target inside a record whose owner is a 2-byte pointer (owner, 10, 6). */
const SRV_TARGET_AT = 2 + 10 + 6;
const MAX_MESSAGE = 65535;
const MAX_POINTER = 0x3fff;

export interface Encoded {
  /** The question name these records are owned by (the exact case asked). */
  readonly qname: string;
  readonly qnameWire: Buffer;
  /** Per answer: its bytes with the owner as a pointer to the question (0xC00C). */
  readonly answers: readonly Buffer[];
  /** Per answer: its size measured uncompressed (owner in full), as Consul's 512-byte case does. */
  readonly answersPlain: readonly number[];
  /** Per answer: its Additional group (-1: none). Answers sharing a target share a group. */
  readonly group: readonly number[];
  /** Per group: its Additional records, owner pointers to patch at `ownerAt`. */
  readonly extras: readonly { readonly bytes: Buffer; readonly ownerAt: readonly number[]; readonly plain: number; readonly count: number }[];
}

/** 'once': answered once by the general path; pre-encoded from its second query on. */
const cache = new WeakMap<Prepared, Encoded | null | 'once'>();

/** Counts for the unit tests: queries answered from pre-encoded records. */
export const preencodedStats = { answered: 0 };

/**
 * The pre-encoded form of `p` for questions named `qname`, or undefined when it has another shape.
 * Only a prepared answer asked for a second time is encoded: memoized ones are (handler.ts keeps
 * them per catalog view), one-off ones (prepared queries, PTR) would pay the encoding for nothing.
 */
export function encodedFor(p: Prepared, qname: string): Encoded | undefined {
  const e = cache.get(p);
  if (e === undefined) {
    cache.set(p, 'once');
    return undefined;
  }
  if (e === 'once') {
    const made = prepareEncoded(p, qname);
    cache.set(p, made ?? null);
    return made;
  }
  return e !== null && e.qname === qname ? e : undefined;
}

const isAddrOrText = (r: Rr): boolean => r.type === 'A' || r.type === 'AAAA' || r.type === 'TXT';

export function prepareEncoded(p: Prepared, qname: string): Encoded | undefined {
  if (p.rcode !== 'NOERROR' || p.soaAnswer || p.soaAuthority || p.additional.length > 0 || p.answers.length === 0) return undefined;
  try {
    const qSuffixes = nameSuffixes(qname);
    if (qSuffixes.length === 0) return undefined;
    const targets: string[] = [];
    for (const r of p.answers) {
      if (r.name !== qname || !(isAddrOrText(r) || r.type === 'SRV')) return undefined;
      if (r.type === 'SRV') targets.push(r.data.target);
    }
    // An Additional owner points at the first SRV with its target only if no earlier name holds
    // that target as a suffix: the question name or a longer target.
    // Names are compared as the compression map keys them (no trailing dot).
    const taken = new Set(qSuffixes);
    for (const t of targets) for (const s of nameSuffixes(t).slice(1)) taken.add(s);
    for (const t of targets) {
      const full = nameSuffixes(t)[0];
      if (full === undefined || taken.has(full)) return undefined;
    }
    const answers: Buffer[] = [];
    const answersPlain: number[] = [];
    const group: number[] = [];
    const extras: Encoded['extras'][number][] = [];
    const groupOf = new Map<string, number>();
    p.answers.forEach((r, i) => {
      const full = encodeRecord(r);
      const rest = full.subarray(nameBytes(r.name).length);
      const bytes = Buffer.alloc(2 + rest.length);
      bytes.writeUInt16BE(0xc00c, 0);
      rest.copy(bytes, 2);
      answers.push(bytes);
      answersPlain.push(full.length);
      group.push(groupFor(r, p.extras?.[i] ?? [], groupOf, extras));
    });
    return { qname, qnameWire: nameBytes(qname), answers, answersPlain, group, extras };
  } catch {
    // An unencodable name: the general path answers SERVFAIL as it always did.
    return undefined;
  }
}

class NotPreencodable extends Error {}

/** The Additional group of an answer with these extras, added to `extras` when new. */
function groupFor(r: Rr, list: readonly Rr[], groupOf: Map<string, number>, extras: Encoded['extras'][number][]): number {
  if (list.length === 0) return -1;
  if (r.type !== 'SRV') throw new NotPreencodable();
  const target = r.data.target;
  const parts: Buffer[] = [];
  const ownerAt: number[] = [];
  let off = 0;
  let plain = 0;
  for (const x of list) {
    if (x.name !== target || !isAddrOrText(x)) throw new NotPreencodable();
    const full = encodeRecord(x);
    const rest = full.subarray(nameBytes(x.name).length);
    ownerAt.push(off);
    parts.push(Buffer.alloc(2), rest);
    off += 2 + rest.length;
    plain += full.length;
  }
  const bytes = Buffer.concat(parts);
  // limits.ts extrasFor: answers whose first extra has the same name and type share one group.
  const first = list[0] as Rr;
  const key = `${first.type}\x00${first.name}`;
  const known = groupOf.get(key);
  if (known !== undefined) {
    if (!(extras[known] as Encoded['extras'][number]).bytes.equals(bytes)) throw new NotPreencodable();
    return known;
  }
  groupOf.set(key, extras.length);
  extras.push({ bytes, ownerAt, plain, count: list.length });
  return extras.length - 1;
}

export interface EncodedQuery {
  readonly id: number;
  /** Header flags word (QR, opcode, AA, RD, RA; TC is added here when cut and enabled). */
  readonly flags: number;
  readonly qtype: number;
  readonly qclass: number;
  /** The OPT record to echo, already encoded; empty without EDNS. */
  readonly opt: Buffer;
  /** Size limit, and whether it is measured uncompressed (plain UDP without EDNS). */
  readonly limit: number;
  readonly plain: boolean;
  readonly enableTruncate: boolean;
}

/**
 * The response with the answers `order` (already cut to the count caps; `truncated` when it was),
 * fitted to the size limit as limits.ts fitToSize does; undefined to use the general path.
 */
export function writeEncoded(e: Encoded, order: readonly number[], truncated: boolean, q: EncodedQuery): Buffer | undefined {
  const k = order.length;
  const head = 12 + e.qnameWire.length + 4;
  // Sizes as sent (compressed) and as measured, with the first `count` answers.
  const seen = new Uint8Array(e.extras.length);
  const sizes = (count: number): { sent: number; measured: number } => {
    let sent = head + q.opt.length;
    let measured = sent;
    seen.fill(0);
    for (let i = 0; i < count; i++) {
      const a = order[i] as number;
      const b = e.answers[a] as Buffer;
      sent += b.length;
      measured += q.plain ? (e.answersPlain[a] as number) : b.length;
      const g = e.group[a] as number;
      if (g >= 0 && seen[g] === 0) {
        seen[g] = 1;
        const x = e.extras[g] as Encoded['extras'][number];
        sent += x.bytes.length;
        measured += q.plain ? x.plain : x.bytes.length;
      }
    }
    return { sent, measured };
  };
  // fitToSize: all of them if they fit (or there is one), else the most that fit, at least one.
  let count = k;
  let fitted = sizes(k);
  if (k > 1 && fitted.measured > q.limit) {
    // Sizes grow with the count: a binary search, as fitToSize does.
    let lo = 1;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sizes(mid).measured <= q.limit) lo = mid;
      else hi = mid - 1;
    }
    count = lo;
    fitted = sizes(count);
  }
  if (count < k) truncated = true;
  const size = fitted.sent;
  if (size > MAX_MESSAGE) return undefined;
  const out = Buffer.allocUnsafe(size);
  const flags = truncated && q.enableTruncate ? q.flags | 0x0200 : q.flags;
  out.writeUInt16BE(q.id, 0);
  out.writeUInt16BE(flags & 0xfff0, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(count, 6);
  out.writeUInt16BE(0, 8);
  out.set(e.qnameWire, 12);
  let off = 12 + e.qnameWire.length;
  out.writeUInt16BE(q.qtype, off);
  out.writeUInt16BE(q.qclass, off + 2);
  off += 4;
  seen.fill(0);
  const groups: number[] = [];
  const targetAt: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = order[i] as number;
    const g = e.group[a] as number;
    if (g >= 0 && seen[g] === 0) {
      seen[g] = 1;
      if (off + SRV_TARGET_AT >= MAX_POINTER) return undefined;
      groups.push(g);
      targetAt.push(off + SRV_TARGET_AT);
    }
    // TypedArray set: Buffer.copy makes a view per call, a measurable share of a 50-record answer.
    const b = e.answers[a] as Buffer;
    out.set(b, off);
    off += b.length;
  }
  let additional = q.opt.length > 0 ? 1 : 0;
  groups.forEach((g, j) => {
    const x = e.extras[g] as Encoded['extras'][number];
    out.set(x.bytes, off);
    const pointer = 0xc000 | (targetAt[j] as number);
    for (const at of x.ownerAt) out.writeUInt16BE(pointer, off + at);
    off += x.bytes.length;
    additional += x.count;
  });
  out.writeUInt16BE(additional, 10);
  if (q.opt.length > 0) out.set(q.opt, off);
  preencodedStats.answered++;
  return out;
}
