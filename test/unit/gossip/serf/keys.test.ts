import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKeyResponse, decodeSerfMessage, encodeKeyRequest, encodeKeyResponse, encodeSerfMessage } from '../../../../src/core/gossip/serf/codec.js';
import type { KeyResultEvent, KeyringPort } from '../../../../src/core/gossip/serf/types.js';
import { makeSerf } from './fake-memberlist.js';

/** memberlist's Keyring rules and texts, in memory. */
class FakeKeyring implements KeyringPort {
  constructor(private ring: Uint8Array[]) {}
  keys(): Uint8Array[] {
    return [...this.ring];
  }
  primaryKey(): Uint8Array | undefined {
    return this.ring[0];
  }
  private index(k: Uint8Array): number {
    return this.ring.findIndex((r) => Buffer.compare(r, k) === 0);
  }
  install(k: Uint8Array): void {
    if (![16, 24, 32].includes(k.length)) throw new Error('key size must be 16, 24 or 32 bytes');
    if (this.index(k) < 0) this.ring.push(k);
  }
  use(k: Uint8Array): void {
    const i = this.index(k);
    if (i < 0) throw new Error('Requested key is not in the keyring');
    this.ring = [k, ...this.ring.filter((_, j) => j !== i)];
  }
  remove(k: Uint8Array): void {
    const i = this.index(k);
    if (i === 0) throw new Error('Removing the primary key is not allowed');
    if (i > 0) this.ring = this.ring.filter((_, j) => j !== i);
  }
}

const key = (b: number): Uint8Array => new Uint8Array(16).fill(b);
const b64 = (k: Uint8Array): string => Buffer.from(k).toString('base64');
const keyResults = (es: { kind: string }[]): KeyResultEvent[] => es.filter((e): e is KeyResultEvent => e.kind === 'keyResult');

test('a single node: install, use, remove, list act on the keyring and report at once', () => {
  const ring = new FakeKeyring([key(1)]);
  const h = makeSerf('a', { keyring: ring });
  h.serf.tick(0);
  const inst = h.serf.installKey(b64(key(2)), 1);
  assert.ok(inst.ok);
  let [res] = keyResults(h.events());
  assert.deepEqual(res, {
    kind: 'keyResult',
    queryId: inst.value,
    op: 'install',
    response: { messages: {}, numNodes: 1, numResp: 1, numErr: 0, keys: {}, primaryKeys: { '': 1 } },
  });
  assert.equal(ring.keys().length, 2);

  h.serf.useKey(b64(key(2)), 2);
  assert.equal(keyResults(h.events())[0]?.error, undefined);
  assert.deepEqual(ring.primaryKey(), key(2));

  h.serf.removeKey(b64(key(2)), 3);
  [res] = keyResults(h.events());
  assert.equal(res?.error, '1/1 nodes reported failure');
  assert.deepEqual(res?.response.messages, { a: 'Removing the primary key is not allowed' });

  h.serf.listKeys(4);
  [res] = keyResults(h.events());
  assert.equal(res?.op, 'list');
  assert.deepEqual(res?.response.keys, { [b64(key(2))]: 1, [b64(key(1))]: 1 });
  assert.deepEqual(res?.response.primaryKeys, { [b64(key(2))]: 1 });
});

test('bad base64 is refused before any query', () => {
  const h = makeSerf('a', { keyring: new FakeKeyring([key(1)]) });
  assert.deepEqual(h.serf.installKey('not base64!', 0), { ok: false, error: 'illegal base64 data at input byte 3' });
});

test('without a keyring nodes answer with serf texts', () => {
  const h = makeSerf('a');
  h.serf.tick(0);
  h.serf.installKey(b64(key(1)), 1);
  h.serf.listKeys(1);
  const rs = keyResults(h.events());
  assert.deepEqual(rs.map((r) => r.response.messages.a), [
    'No keyring to modify (encryption not enabled)',
    'Keyring is empty (encryption not enabled)',
  ]);
  assert.deepEqual(rs.map((r) => r.error), ['1/1 nodes reported failure', '1/1 nodes reported failure']);
});

test('several nodes: answers are aggregated; missing answers show at the timeout', () => {
  const h = makeSerf('a', { keyring: new FakeKeyring([key(1)]) });
  h.ml.addNode('b', '10.0.0.2', 7946, {}, 0);
  h.ml.addNode('c', '10.0.0.3', 7946, {}, 0);
  h.serf.tick(0);
  const r = h.serf.listKeys(10);
  assert.ok(r.ok);
  assert.deepEqual(keyResults(h.events()), [], 'waits for b and c');
  const q = h.ml.gossip().map((m) => decodeSerfMessage(m)).find((m) => m.type === 'query');
  assert.ok(q && q.type === 'query' && q.name === '_serf_list-keys');
  const answer = encodeKeyResponse({ result: true, message: '', keys: [b64(key(1)), b64(key(9))], primaryKey: b64(key(1)) });
  h.serf.handlePacket(
    { addr: '10.0.0.2', port: 7946 },
    { type: 'user', payload: encodeSerfMessage({ type: 'queryResponse', ltime: q.ltime, id: q.id, from: 'b', flags: 0, payload: answer }) },
    20,
  );
  assert.deepEqual(keyResults(h.events()), []);
  h.serf.tick(10 + h.serf.defaultQueryTimeoutMs());
  const [res] = keyResults(h.events());
  assert.equal(res?.error, '2/3 nodes reported success');
  assert.deepEqual(res?.response.keys, { [b64(key(1))]: 2, [b64(key(9))]: 1 });
  assert.equal(res?.response.numResp, 2);
});

test('answering a remote key query, and truncating a long key list to the size limit', () => {
  const many = Array.from({ length: 40 }, (_, i) => new Uint8Array(32).fill(i + 1));
  const h = makeSerf('a', { keyring: new FakeKeyring(many) });
  const query = (name: string, payload: Uint8Array, ltime: number): Uint8Array =>
    encodeSerfMessage({
      type: 'query', ltime, id: 5, addr: '10.0.0.9', port: 7946, sourceNode: 'o', filters: [], flags: 0,
      relayFactor: 0, timeoutMs: 1000, name, payload,
    });
  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: query('_serf_list-keys', encodeKeyRequest({ key: new Uint8Array(0) }), 1) }, 0);
  const [sent] = h.ml.takeSent();
  assert.ok(sent);
  assert.ok(sent.payload.length <= 1024);
  const resp = decodeSerfMessage(sent.payload);
  assert.ok(resp.type === 'queryResponse');
  const body = decodeKeyResponse(resp.payload);
  assert.ok(body.result);
  assert.ok(body.keys.length < 40 && body.keys.length > 0);
  assert.equal(body.message, `truncated key list response, showing first ${body.keys.length} of 40 keys`);

  h.serf.handlePacket({ addr: '10.0.0.9', port: 7946 }, { type: 'user', payload: query('_serf_install-key', encodeKeyRequest({ key: new Uint8Array(5) }), 2) }, 0);
  const bad = decodeSerfMessage(h.ml.takeSent()[0]?.payload as Uint8Array);
  assert.ok(bad.type === 'queryResponse');
  assert.deepEqual(decodeKeyResponse(bad.payload), { result: false, message: 'key size must be 16, 24 or 32 bytes', keys: [], primaryKey: '' });
});
