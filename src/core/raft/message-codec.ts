// Raft messages <-> msgpack-friendly plain objects, for the server RPC port ('Raft.Message').
//
// Wire shape: `{type, from, to, term, ...the variant's fields}` as in core/types.ts Message, except
//   entries  -> arrays of [index, term, kindCode, data]   (kindCode: 0 command, 1 config, 2 noop)
//   snapshot -> {index, term, voters, learners, data}
// MUST: decodeMessage validates every field (a peer's garbage never reaches the core, whose
// invariants would crash the server) and copies byte strings out of the received frame, so an
// entry kept in the in-memory log does not pin the whole socket chunk it arrived in.
import type { ConfState, Entry, EntryKind, Message, Snapshot } from './core/types.js';

const KIND_CODES: Record<EntryKind, number> = { command: 0, config: 1, noop: 2 };
const KINDS: readonly EntryKind[] = ['command', 'config', 'noop'];

export type WireEntry = [number, number, number, Uint8Array];

export interface WireSnapshot {
  index: number;
  term: number;
  voters: string[];
  learners: string[];
  data: Uint8Array;
}

export function encodeEntry(e: Entry): WireEntry {
  return [e.index, e.term, KIND_CODES[e.kind], e.data];
}

export function encodeSnapshot(s: Snapshot): WireSnapshot {
  const { index, term, conf } = s.meta;
  return { index, term, voters: [...conf.voters], learners: [...conf.learners], data: s.data };
}

/** The plain object that goes on the wire for `m`. */
export function encodeMessage(m: Message): Record<string, unknown> {
  switch (m.type) {
    case 'append':
      return { ...m, entries: m.entries.map(encodeEntry) };
    case 'snapshot':
      return { type: m.type, from: m.from, to: m.to, term: m.term, snapshot: encodeSnapshot(m.snapshot) };
    default:
      return { ...m };
  }
}

/** Thrown inside this module for a malformed body; decodeMessage turns it into a value. */
class ShapeError extends Error {}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates and rebuilds a Message from a received body. Never throws. */
export function decodeMessage(body: unknown): Decoded<Message> {
  try {
    return { ok: true, value: readMessage(record(body, 'message')) };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Validates a wire snapshot (also used by the chunked snapshot transfer). Never throws. */
export function decodeSnapshotMeta(body: unknown): Decoded<{ index: number; term: number; conf: ConfState }> {
  try {
    const r = record(body, 'snapshot');
    return { ok: true, value: { index: uint(r, 'index'), term: uint(r, 'term'), conf: readConf(r) } };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, error: err.message };
    throw err;
  }
}

function readMessage(r: Record<string, unknown>): Message {
  const base = { from: id(r, 'from'), to: id(r, 'to'), term: uint(r, 'term') };
  const type = r['type'];
  switch (type) {
    case 'append':
      return {
        ...base,
        type,
        prevIndex: uint(r, 'prevIndex'),
        prevTerm: uint(r, 'prevTerm'),
        entries: readEntries(r['entries']),
        commit: uint(r, 'commit'),
      };
    case 'appendResp':
      return { ...base, type, index: uint(r, 'index'), reject: bool(r, 'reject'), rejectHint: uint(r, 'rejectHint') };
    case 'vote':
    case 'preVote':
      return { ...base, type, lastIndex: uint(r, 'lastIndex'), lastTerm: uint(r, 'lastTerm'), transfer: bool(r, 'transfer') };
    case 'voteResp':
    case 'preVoteResp':
      return { ...base, type, reject: bool(r, 'reject') };
    case 'heartbeat':
      return { ...base, type, commit: uint(r, 'commit'), context: str(r, 'context') };
    case 'heartbeatResp':
      return { ...base, type, context: str(r, 'context') };
    case 'snapshot': {
      const s = record(r['snapshot'], 'snapshot');
      const meta = { index: uint(s, 'index'), term: uint(s, 'term'), conf: readConf(s) };
      return { ...base, type, snapshot: { meta, data: bytes(s, 'data').slice() } };
    }
    case 'timeoutNow':
      return { ...base, type };
    case 'readIndex':
      return { ...base, type, context: str(r, 'context') };
    case 'readIndexResp':
      return { ...base, type, context: str(r, 'context'), index: uint(r, 'index') };
    default:
      throw new ShapeError(`unknown message type ${JSON.stringify(type) ?? typeof type}`);
  }
}

function readEntries(v: unknown): Entry[] {
  if (!Array.isArray(v)) throw new ShapeError('entries: not an array');
  const out: Entry[] = [];
  let prev = -1;
  for (const item of v) {
    if (!Array.isArray(item) || item.length !== 4) throw new ShapeError('entry: not a 4-tuple');
    const [index, term, kindCode, data] = item as unknown[];
    if (!isUint(index) || !isUint(term)) throw new ShapeError('entry: bad index or term');
    const kind = typeof kindCode === 'number' ? KINDS[kindCode] : undefined;
    if (kind === undefined) throw new ShapeError('entry: bad kind');
    if (!(data instanceof Uint8Array)) throw new ShapeError('entry: data is not bytes');
    // The core assumes consecutive indexes inside one append; refuse anything else here.
    if (prev >= 0 && index !== prev + 1) throw new ShapeError('entries: indexes not consecutive');
    prev = index;
    out.push({ index, term, kind, data: data.slice() });
  }
  return out;
}

function readConf(r: Record<string, unknown>): ConfState {
  return { voters: idList(r, 'voters'), learners: idList(r, 'learners') };
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
    throw new ShapeError(`${what}: not a map`);
  }
  return v as Record<string, unknown>;
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function uint(r: Record<string, unknown>, key: string): number {
  const v = r[key];
  if (!isUint(v)) throw new ShapeError(`${key}: not a non-negative integer`);
  return v;
}

function bool(r: Record<string, unknown>, key: string): boolean {
  const v = r[key];
  if (typeof v !== 'boolean') throw new ShapeError(`${key}: not a boolean`);
  return v;
}

function str(r: Record<string, unknown>, key: string): string {
  const v = r[key];
  if (typeof v !== 'string') throw new ShapeError(`${key}: not a string`);
  return v;
}

function id(r: Record<string, unknown>, key: string): string {
  const v = str(r, key);
  if (v === '') throw new ShapeError(`${key}: empty node id`);
  return v;
}

function bytes(r: Record<string, unknown>, key: string): Uint8Array {
  const v = r[key];
  if (!(v instanceof Uint8Array)) throw new ShapeError(`${key}: not bytes`);
  return v;
}

function idList(r: Record<string, unknown>, key: string): string[] {
  const v = r[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) {
    throw new ShapeError(`${key}: not a list of node ids`);
  }
  return v as string[];
}
