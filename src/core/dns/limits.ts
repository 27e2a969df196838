// Per-query response assembly: shuffle, answer limits, EDNS0, truncation
// (Consul: agent/dns.go trimUDPResponse / trimTCPResponse / setEDNS).
//
// - a_record_limit and the 3-server NS cap cut answers silently (never TC).
// - UDP without EDNS: at most min(udp_answer_limit, 8) answers, then trimmed to 512 bytes measured
//   uncompressed (sent compressed). With EDNS: the advertised size (capped at 65467), measured as
//   sent. TCP: 64 KiB, at most 4096 answers (1024 SRV). Authority goes first, then answers; the
//   Additional records tied to an answer leave with it. Even one oversized answer is still sent.
// - TC is set only when enable_truncate is on and answers were cut for size/count.
import type { DnsOptions } from './config.js';
import { encodeMessage, encodeOpt, FLAG, RCODE, uncompressedSize, type Message, type Opt, type Rcode, type Rr } from './encode.js';
import type { Prepared } from './lookup/types.js';
import { encodedFor, writeEncoded, type EncodedQuery } from './preencoded.js';
import { soaRecord } from './lookup/soa-ns.js';

export const MAX_UDP_ANSWERS = 8;
const DEFAULT_UDP_SIZE = 512;
const MAX_UDP_SIZE = 65535 - 68;
const MAX_TCP_SIZE = 65523;

export interface QueryContext {
  readonly id: number;
  /** Request flags word (opcode and RD are echoed). */
  readonly flags: number;
  readonly question: { readonly name: string; readonly type: number; readonly class: number };
  readonly isTcp: boolean;
  /** The client's EDNS0 OPT, when it sent one. */
  readonly edns: { readonly udpSize: number; readonly ecs: Buffer | undefined } | undefined;
}

/**
 * A random order of `k` of the `n` indexes (all of them in order when not shuffling). Few of many
 * (the UDP case: 3 of 100) draws distinct indexes directly, O(k²) with k ≤ n/4; otherwise a partial
 * Fisher-Yates over the index list. Both give every k-permutation the same chance.
 */
export function pickOrder(n: number, k: number, shuffle: boolean): number[] {
  if (!shuffle) return Array.from({ length: k }, (_, i) => i);
  if (k * 4 <= n) {
    const out: number[] = [];
    while (out.length < k) {
      const j = Math.floor(Math.random() * n);
      if (!out.includes(j)) out.push(j);
    }
    return out;
  }
  // A plain loop: Array.from with a mapper was a quarter of a 50-record A answer's cost.
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (n - i));
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  idx.length = k;
  return idx;
}

/** The OPT record echoed back: the client's size, and its ECS option with scope 0 (global answer). */
export function echoOpt(q: QueryContext): Opt | undefined {
  if (!q.edns) return undefined;
  let options = Buffer.alloc(0);
  if (q.edns.ecs && q.edns.ecs.length >= 4) {
    const data = Buffer.from(q.edns.ecs);
    data[3] = 0;
    options = Buffer.alloc(4 + data.length);
    options.writeUInt16BE(8, 0);
    options.writeUInt16BE(data.length, 2);
    data.copy(options, 4);
  }
  return { udpSize: q.edns.udpSize, options };
}

export function headerFlags(q: QueryContext, opts: DnsOptions, authoritative: boolean): number {
  let f = FLAG.QR | (q.flags & (0x7800 | FLAG.RD));
  if (authoritative) f |= FLAG.AA;
  if (opts.recursors.length > 0) f |= FLAG.RA;
  return f;
}

/** A header-only answer (REFUSED, SERVFAIL, NOTIMP, FORMERR), OPT echoed. */
export function errorResponse(q: QueryContext, opts: DnsOptions, rcode: Rcode, authoritative = false, withQuestion = true): Buffer {
  const question = withQuestion ? q.question : undefined;
  return encodeMessage(
    { id: q.id, flags: headerFlags(q, opts, authoritative), rcode: RCODE[rcode], question, answers: [], authority: [], additional: [], opt: echoOpt(q) },
    false,
  );
}

function extrasFor(p: Prepared, order: readonly number[], count: number): Rr[] {
  const out: Rr[] = [];
  if (p.extras) {
    const firsts: Rr[] = [];
    for (let i = 0; i < count; i++) {
      const list = p.extras[order[i] as number];
      if (!list || list.length === 0) continue;
      // Two SRV records with the same target share its Additional records.
      const first = list[0] as Rr;
      if (firsts.some((f) => f.name === first.name && f.type === first.type)) continue;
      firsts.push(first);
      for (const r of list) out.push(r);
    }
  }
  for (const r of p.additional) out.push(r);
  return out;
}

/**
 * Build, limit and encode the response for a prepared answer: from its pre-encoded records when
 * it has the shape for them (preencoded.ts; `preencoded` false forces the general path, for tests).
 */
export function respond(p: Prepared, q: QueryContext, opts: DnsOptions, nowS: number, preencoded = true): Buffer {
  const soa = p.soaAuthority || p.soaAnswer ? soaRecord(p.domain, opts, nowS) : undefined;
  let answers: Rr[] = [];
  let authority: Rr[] = p.soaAuthority && soa ? [soa] : [];
  let additional: Rr[] = [];
  let order: number[] = [];
  let truncated = false;
  if (p.soaAnswer && soa) {
    answers = [soa];
    const nsOrder = pickOrder(p.soaAnswer.ns.length, Math.min(3, p.soaAnswer.ns.length), true);
    authority = nsOrder.map((i) => p.soaAnswer?.ns[i] as Rr);
    additional = nsOrder.flatMap((i) => p.soaAnswer?.glue[i] ?? []);
  } else {
    const n = p.answers.length;
    let k = Math.min(n, p.maxAnswers);
    if (p.addressCap && opts.aRecordLimit > 0) k = Math.min(k, opts.aRecordLimit);
    const countCap = transportCountCap(q, opts);
    if (k > countCap) [k, truncated] = [countCap, true];
    order = pickOrder(n, k, p.shuffle);
    const fast = opts.disableCompression || !preencoded ? undefined : encodedFor(p, q.question.name);
    const wire = fast && writeEncoded(fast, order, truncated, encodedQuery(q, opts));
    if (wire) return wire;
    answers = order.map((i) => p.answers[i] as Rr);
    additional = extrasFor(p, order, k);
  }
  const msg: Message = {
    id: q.id,
    flags: headerFlags(q, opts, true),
    rcode: RCODE[p.rcode],
    question: q.question,
    answers,
    authority,
    additional,
    opt: echoOpt(q),
  };
  const compress = !opts.disableCompression;
  const fitted = fitToSize(msg, p, order, q, compress);
  if (fitted.msg.answers.length < answers.length) truncated = true;
  if (truncated && opts.enableTruncate) {
    fitted.msg.flags |= FLAG.TC;
    return encodeMessage(fitted.msg, compress);
  }
  // An EDNS answer that fit was encoded to be measured: send those bytes rather than encode it
  // again (encoding was two thirds of a 50-SRV answer's cost, half of it the second pass).
  return fitted.wire ?? encodeMessage(fitted.msg, compress);
}

/** What the pre-encoded path needs of the query (preencoded.ts). */
function encodedQuery(q: QueryContext, opts: DnsOptions): EncodedQuery {
  const limit = q.isTcp ? MAX_TCP_SIZE : udpLimit(q) - 8;
  const opt = echoOpt(q);
  const optWire = opt ? encodeOpt(opt, 0) : EMPTY; // the pre-encoded path answers NOERROR only
  return {
    id: q.id,
    flags: headerFlags(q, opts, true),
    qtype: q.question.type,
    qclass: q.question.class,
    opt: optWire,
    limit,
    plain: !q.isTcp && limit === DEFAULT_UDP_SIZE - 8,
    enableTruncate: opts.enableTruncate,
  };
}

const EMPTY = Buffer.alloc(0);

function udpLimit(q: QueryContext): number {
  const size = q.edns && q.edns.udpSize > DEFAULT_UDP_SIZE ? q.edns.udpSize : DEFAULT_UDP_SIZE;
  return Math.min(size, MAX_UDP_SIZE);
}

function transportCountCap(q: QueryContext, opts: DnsOptions): number {
  if (q.isTcp) return q.question.type === 33 ? 1024 : 4096;
  return udpLimit(q) === DEFAULT_UDP_SIZE ? Math.min(MAX_UDP_ANSWERS, opts.udpAnswerLimit) : Infinity;
}

/**
 * Drop Authority, then answers (binary search), until the message fits the transport's size.
 * `wire` is the fitted message already encoded, when measuring it took an encoding.
 */
function fitToSize(msg: Message, p: Prepared, order: readonly number[], q: QueryContext, compress: boolean): { msg: Message & { flags: number }; wire: Buffer | undefined } {
  const limit = q.isTcp ? MAX_TCP_SIZE : udpLimit(q) - 8;
  // Consul measures the plain 512-byte case uncompressed so that no hop has to decompress to fit.
  const plain = !q.isTcp && limit === DEFAULT_UDP_SIZE - 8;
  let measured: { m: Message; wire: Buffer } | undefined;
  const size = (m: Message): number => {
    if (plain || !compress) return uncompressedSize(m);
    measured = { m, wire: encodeMessage(m, true) };
    return measured.wire.length;
  };
  const done = (m: Message & { flags: number }): { msg: Message & { flags: number }; wire: Buffer | undefined } => ({ msg: m, wire: measured?.m === m ? measured.wire : undefined });
  let m = { ...msg };
  if (m.answers.length <= 1 || size(m) <= limit) return done(m);
  if (m.authority.length > 0) {
    m = { ...m, authority: [] };
    if (size(m) <= limit) return done(m);
  }
  const withCount = (count: number): Message & { flags: number } => ({
    ...m,
    answers: msg.answers.slice(0, count),
    additional: p.soaAnswer ? msg.additional : extrasFor(p, order, count),
  });
  let lo = 1;
  let hi = m.answers.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (size(withCount(mid)) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return done(withCount(lo));
}
