import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSerfMessage, encodeConflictResponse, encodeNodeFilter, encodeSerfMessage, encodeTagFilter } from '../../../../src/core/gossip/serf/codec.js';
import type { QueryMessage } from '../../../../src/core/gossip/serf/messages.js';
import { compileGoRegexp } from '../../../../src/core/gossip/serf/query-filters.js';
import type { QueryEvent, SerfEvent } from '../../../../src/core/gossip/serf/types.js';
import { bytes, makeSerf, text } from './fake-memberlist.js';

const query = (over: Partial<QueryMessage> = {}): QueryMessage => ({
  type: 'query',
  ltime: 3,
  id: 99,
  addr: '10.0.0.9',
  port: 7946,
  sourceNode: 'origin',
  filters: [],
  flags: 0,
  relayFactor: 0,
  timeoutMs: 1000,
  name: 'load',
  payload: bytes('?'),
  ...over,
});
const queryEvents = (es: SerfEvent[]): QueryEvent[] => es.filter((e): e is QueryEvent => e.kind === 'query');

test('a received query is delivered once, rebroadcast once, and answered straight to the querier', () => {
  const h = makeSerf('a');
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query()) }, 100);
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query()) }, 100);
  const qs = queryEvents(h.events());
  assert.equal(qs.length, 1);
  const q = qs[0] as QueryEvent;
  assert.equal(q.deadline, 1100);
  assert.equal(h.ml.gossip().length, 1);

  assert.deepEqual(h.serf.respond(q, bytes('42'), 500), { ok: true, value: undefined });
  const sent = h.ml.takeSent();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]?.to, { addr: '10.0.0.9', port: 7946 });
  const resp = decodeSerfMessage(sent[0]?.payload as Uint8Array);
  assert.ok(resp.type === 'queryResponse');
  assert.deepEqual([resp.ltime, resp.id, resp.from, resp.flags, text(resp.payload)], [3, 99, 'a', 0, '42']);

  assert.deepEqual(h.serf.respond(q, bytes('again'), 600), { ok: false, error: 'failed to respond to key query: response already sent' });
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ ltime: 4 })) }, 100);
  const late = queryEvents(h.events())[0] as QueryEvent;
  assert.deepEqual(h.serf.respond(late, bytes('x'), 1101), { ok: false, error: 'failed to respond to key query: response is past the deadline' });
  assert.deepEqual(h.serf.respond(late, new Uint8Array(1100), 1000), {
    ok: false,
    error: 'failed to respond to key query: response exceeds limit of 1024 bytes',
  });
});

test('acks go out on receipt when asked for; no-broadcast queries are not passed on', () => {
  const h = makeSerf('a');
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ flags: 3 })) }, 0);
  const sent = h.ml.takeSent().map((s) => decodeSerfMessage(s.payload));
  assert.equal(sent.length, 1);
  assert.ok(sent[0]?.type === 'queryResponse' && sent[0].flags === 1 && sent[0].from === 'a');
  assert.equal(h.ml.gossip().length, 0);
});

test('node and tag filters decide whether we process (but we rebroadcast either way)', () => {
  const h = makeSerf('a', { tags: { role: 'web-1', dc: 'east' } });
  const deliver = (filters: Uint8Array[], ltime: number): number => {
    h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ ltime, filters, flags: 1 })) }, 0);
    return queryEvents(h.events()).length;
  };
  assert.equal(deliver([encodeNodeFilter(['b', 'a'])], 10), 1);
  assert.equal(deliver([encodeNodeFilter(['b'])], 11), 0);
  assert.equal(deliver([encodeTagFilter('role', '^web')], 12), 1);
  assert.equal(deliver([encodeTagFilter('role', '^db')], 13), 0);
  assert.equal(deliver([encodeTagFilter('role', 'web'), encodeTagFilter('dc', '(?i)EAST')], 14), 1);
  assert.equal(deliver([encodeTagFilter('missing', '.*')], 15), 1, 'a missing tag is the empty string');
  assert.equal(deliver([encodeTagFilter('missing', '.+')], 16), 0);
  assert.equal(deliver([encodeTagFilter('role', '(')], 17), 0, 'bad regexp: not processed');
  assert.equal(deliver([new Uint8Array([5])], 18), 0, 'unknown filter type');
  // Acks only from nodes that process the query.
  assert.equal(h.ml.takeSent().length, 4);
  // Every one was new, so every one is passed on.
  assert.equal(h.ml.gossip(100_000).length, 9);
});

test('RE2 spellings map to JS', () => {
  assert.ok(compileGoRegexp('(?i)^ABC$').test('abc'));
  assert.ok(compileGoRegexp('\\Afoo\\z').test('foo'));
  assert.ok(compileGoRegexp('(?P<x>a)').test('a'));
});

test('our own query: registered, handled locally, broadcast; acks and responses reported once; done at timeout', () => {
  const h = makeSerf('a', { rng: { int: () => 77 } });
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.serf.tick(0);
  const r = h.serf.query('load', bytes('?'), { requestAck: true, timeoutMs: 2000 }, 1000);
  assert.deepEqual(r, { ok: true, value: 77 });
  let es = h.events();
  const local = queryEvents(es)[0] as QueryEvent;
  assert.equal(local.sourceNode, 'a');
  // Our own ack came back to us locally, not over the network.
  assert.deepEqual(es.filter((e) => e.kind === 'queryAck'), [{ kind: 'queryAck', queryId: 77, from: 'a' }]);
  assert.equal(h.ml.takeSent().length, 0);
  const bcast = h.ml.gossip().map((m) => decodeSerfMessage(m));
  assert.ok(bcast[0]?.type === 'query' && bcast[0].addr === '10.0.0.1' && bcast[0].timeoutMs === 2000 && bcast[0].flags === 1);

  h.serf.respond(local, bytes('mine'), 1001);
  const resp = (from: string, payload: string, flags = 0): Uint8Array =>
    encodeSerfMessage({ type: 'queryResponse', ltime: local.ltime, id: 77, from, flags, payload: bytes(payload) });
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: resp('b', '', 1) }, 1100);
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: resp('b', '', 1) }, 1100);
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: resp('b', 'hi') }, 1200);
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: resp('b', 'hi again') }, 1200);
  es = h.events();
  assert.deepEqual(
    es.map((e) => (e.kind === 'queryResponse' ? `r:${e.from}:${text(e.payload)}` : e.kind === 'queryAck' ? `a:${e.from}` : e.kind)),
    ['r:a:mine', 'a:b', 'r:b:hi'],
  );
  assert.equal(h.serf.nextDeadline(), 3000);
  h.serf.tick(3000);
  assert.deepEqual(h.events(), [{ kind: 'queryDone', queryId: 77 }]);
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: resp('c', 'late') }, 3001);
  assert.deepEqual(h.events(), []);
});

test('query checks: protocol version, size limit, default timeout', () => {
  const old = makeSerf('a', { protocolVersion: 3 });
  assert.deepEqual(old.serf.query('x', new Uint8Array(0), {}, 0), { ok: false, error: 'Feature not supported' });
  const h = makeSerf('a');
  assert.deepEqual(h.serf.query('x', new Uint8Array(1024), {}, 0), { ok: false, error: 'query exceeds limit of 1024 bytes' });
  // 1 node: 200 ms * 16 * ceil(log10(2)) = 3.2 s.
  assert.equal(h.serf.defaultQueryTimeoutMs(), 3200);
  for (let i = 0; i < 10; i++) h.ml.addNode(`n${i}`, `10.0.1.${i}`, 7946, {}, 0);
  assert.equal(h.serf.defaultQueryTimeoutMs(), 6400);
});

test('responses are relayed through other members when relayFactor asks, and relays are forwarded', () => {
  const h = makeSerf('a');
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.addNode('c', '10.0.0.3', 7946, {}, 0);
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ relayFactor: 1 })) }, 0);
  const q = queryEvents(h.events())[0] as QueryEvent;
  h.serf.respond(q, bytes('r'), 1);
  const sent = h.ml.takeSent();
  assert.equal(sent.length, 2);
  const relay = decodeSerfMessage(sent[1]?.payload as Uint8Array);
  assert.ok(relay.type === 'relay');
  assert.deepEqual([relay.destAddr, relay.destPort, relay.destName], ['10.0.0.9', 7946, 'origin']);
  assert.ok(['10.0.0.2', '10.0.0.3'].includes(sent[1]?.to.addr as string));
  assert.deepEqual(relay.inner, sent[0]?.payload);

  // As a relay: forward the inner message to its destination.
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: sent[1]?.payload as Uint8Array }, 2);
  const fwd = h.ml.takeSent();
  assert.deepEqual(fwd.map((s) => s.to), [{ addr: '10.0.0.9', port: 7946 }]);
  assert.deepEqual(fwd[0]?.payload, relay.inner);
});

test('unknown internal queries are not shown to the application; _serf_ping is acked', () => {
  const h = makeSerf('a');
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ name: '_serf_ping', flags: 1 })) }, 0);
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ name: '_serf_nope', ltime: 5 })) }, 0);
  assert.deepEqual(queryEvents(h.events()), []);
  assert.equal(h.ml.takeSent().length, 1);
});

test('_serf_conflict answers with the member we know under that name (not about ourselves)', () => {
  const h = makeSerf('a');
  h.ml.addNode('b', '10.0.0.2', 7946, { role: 'x' }, 0);
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ name: '_serf_conflict', payload: bytes('b') })) }, 0);
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: encodeSerfMessage(query({ name: '_serf_conflict', payload: bytes('a'), ltime: 8 })) }, 0);
  const sent = h.ml.takeSent();
  assert.equal(sent.length, 1);
  const resp = decodeSerfMessage(sent[0]?.payload as Uint8Array);
  assert.ok(resp.type === 'queryResponse' && resp.payload[0] === 6);
});

test('a name conflict about us runs the vote and shuts down on losing it', () => {
  const h = makeSerf('a', { rng: { int: () => 5 } });
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.serf.tick(0);
  const other = { ...h.ml.localNode(), addr: '10.0.0.66' };
  h.serf.notifyConflict(h.ml.localNode(), other);
  h.serf.tick(1);
  const q = h.ml.gossip().map((m) => decodeSerfMessage(m)).find((m) => m.type === 'query');
  assert.ok(q && q.type === 'query' && q.name === '_serf_conflict');
  // b says "a" lives at the other address.
  const payload = encodeConflictResponse({
    name: 'a', addr: '10.0.0.66', port: 7946, tags: {}, status: 1,
    protocolMin: 1, protocolMax: 5, protocolCur: 2, delegateMin: 2, delegateMax: 5, delegateCur: 4,
  });
  h.serf.handlePacket({ addr: '10.0.0.2', port: 7946 }, { type: 'user', payload: encodeSerfMessage({ type: 'queryResponse', ltime: q.ltime, id: q.id, from: 'b', flags: 0, payload }) }, 2);
  h.serf.tick(10_000);
  const es = h.events();
  assert.ok(es.some((e) => e.kind === 'shutdown'), JSON.stringify(es.map((e) => e.kind)));
  assert.equal(h.serf.getState(), 'shutdown');
});
