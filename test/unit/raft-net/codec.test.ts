import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { Message } from '../../../src/core/raft/core/types.js';
import { decodeMessage, encodeMessage } from '../../../src/core/raft/message-codec.js';
import { chunksOf, SnapshotAssembler, SnapshotChunkError } from '../../../src/core/raft/snapshot-transfer.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const wire = (v: unknown): unknown => new Decoder().decode(new Encoder({ ignoreUndefined: true }).encode(v));

const SAMPLES: Message[] = [
  { type: 'append', from: 'a', to: 'b', term: 3, prevIndex: 7, prevTerm: 2, commit: 6, entries: [
    { index: 8, term: 3, kind: 'noop', data: new Uint8Array(0) },
    { index: 9, term: 3, kind: 'command', data: bytes('set x') },
    { index: 10, term: 3, kind: 'config', data: bytes('{"voters":["a"],"learners":[]}') },
  ] },
  { type: 'appendResp', from: 'b', to: 'a', term: 3, index: 10, reject: false, rejectHint: 0 },
  { type: 'vote', from: 'a', to: 'b', term: 4, lastIndex: 10, lastTerm: 3, transfer: true },
  { type: 'preVote', from: 'a', to: 'b', term: 4, lastIndex: 10, lastTerm: 3, transfer: false },
  { type: 'voteResp', from: 'b', to: 'a', term: 4, reject: true },
  { type: 'preVoteResp', from: 'b', to: 'a', term: 4, reject: false },
  { type: 'heartbeat', from: 'a', to: 'b', term: 4, commit: 9, context: 'r1' },
  { type: 'heartbeatResp', from: 'b', to: 'a', term: 4, context: '' },
  { type: 'snapshot', from: 'a', to: 'b', term: 4, snapshot: { meta: { index: 9, term: 3, conf: { voters: ['a', 'b'], learners: ['c'] } }, data: bytes('state') } },
  { type: 'timeoutNow', from: 'a', to: 'b', term: 4 },
  { type: 'readIndex', from: 'b', to: 'a', term: 4, context: 'r2' },
  { type: 'readIndexResp', from: 'a', to: 'b', term: 4, context: 'r2', index: 9 },
];

test('every message type survives encode -> msgpack -> decode', () => {
  for (const m of SAMPLES) {
    const d = decodeMessage(wire(encodeMessage(m)));
    assert.ok(d.ok, d.ok ? '' : d.error);
    assert.deepEqual(d.value, m);
  }
});

test('malformed bodies are refused with a reason, never thrown', () => {
  const good = encodeMessage(SAMPLES[0] as Message);
  const cases: unknown[] = [
    null, 7, 'x', [], new Uint8Array(3),
    { ...good, type: 'bogus' },
    { ...good, term: -1 },
    { ...good, term: 1.5 },
    { ...good, from: '' },
    { ...good, entries: [[8, 3, 9, new Uint8Array(0)]] },
    { ...good, entries: [[8, 3, 0, 'not bytes']] },
    { ...good, entries: [[8, 3, 0, new Uint8Array(0)], [10, 3, 0, new Uint8Array(0)]] },
    { type: 'appendResp', from: 'b', to: 'a', term: 1, index: 1, reject: 'no', rejectHint: 0 },
    { type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: { index: 1, term: 1, voters: [1], learners: [], data: new Uint8Array(0) } },
  ];
  for (const c of cases) {
    const d = decodeMessage(c);
    assert.equal(d.ok, false, JSON.stringify(c));
  }
});

test('decoded entry data is a copy, not a view into the received frame', () => {
  const frame = new Encoder().encode(encodeMessage(SAMPLES[0] as Message));
  const d = decodeMessage(new Decoder().decode(frame));
  assert.ok(d.ok && d.value.type === 'append');
  const data = d.value.entries[1]?.data as Uint8Array;
  assert.notEqual(data.buffer, frame.buffer);
  assert.equal(data.byteLength, data.buffer.byteLength);
});

test('snapshot chunks reassemble in order; a chunk that does not continue the transfer is refused', () => {
  const snap = SAMPLES[8] as Extract<Message, { type: 'snapshot' }>;
  const big = { ...snap, snapshot: { ...snap.snapshot, data: bytes('0123456789abcdefghij') } };
  const got: Message[] = [];
  const asm = new SnapshotAssembler((m) => got.push(m));
  const chunks = [...chunksOf(big, 't1', 6)];
  assert.equal(chunks.length, 4);
  for (const c of chunks) asm.receive(wire(c));
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], big);
  assert.equal(asm.pendingBytes, 0);

  // Out of order: the second chunk without the first.
  assert.throws(() => asm.receive(wire(chunks[1])), SnapshotChunkError);
  // A newer transfer replaces an unfinished one; chunks of the old one are then refused.
  asm.receive(wire(chunks[0]));
  const newer = [...chunksOf(big, 't2', 6)];
  asm.receive(wire(newer[0]));
  assert.throws(() => asm.receive(wire(chunks[1])), SnapshotChunkError);
  for (const c of newer.slice(1)) asm.receive(wire(c));
  assert.equal(got.length, 2);
  // Empty snapshots travel as one empty chunk.
  const empty = { ...snap, snapshot: { ...snap.snapshot, data: new Uint8Array(0) } };
  const one = [...chunksOf(empty, 't3', 6)];
  assert.equal(one.length, 1);
  asm.receive(wire(one[0]));
  assert.equal(got.length, 3);
  assert.throws(() => asm.receive({ garbage: true }), SnapshotChunkError);
  asm.close();
});
