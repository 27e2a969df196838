// What the fuzz targets (test/fuzz) found, one test each, with the input that found it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Encoder } from '@msgpack/msgpack';
import dnsPacket from 'dns-packet';
import { Fsm } from '../../../src/core/fsm/fsm.js';
import { RecordFormatError, RecordType, RecordWriter } from '../../../src/core/fsm/records.js';
import { StateStore } from '../../../src/core/state/store.js';
import { goDecoderError, parseJson } from '../../../src/core/http/decode.js';
import { HttpError } from '../../../src/core/errors.js';
import { decodeSerfMessage } from '../../../src/core/gossip/serf/codec.js';
import { WireError } from '../../../src/core/gossip/wire/index.js';
import { Catalog, handlerFor } from '../dns/fixtures.js';

test('dns: a question whose label holds a dot is answered FORMERR without a question, not SERVFAIL', () => {
  // fuzz dns, seed 1072405222: the name "o_-91_96-.in-addr.oode1..--2__hx" (the label ".--2__hx")
  // reached the answer encoder, which refused it, so the catch-all answered SERVFAIL.
  const msg = Buffer.from([132, 36, 8, 0, 0, 1, 0, 0, 0, 0, 0, 1, 9, 111, 95, 45, 57, 49, 95, 57, 54, 45, 7, 105, 110, 45, 97, 100, 100, 114, 5, 111, 111, 100, 101, 49, 8, 46, 45, 45, 50, 95, 95, 104, 120, 0, 0, 1, 0, 1, 0, 0, 41, 207, 52, 0, 0, 0, 0, 0, 0]);
  const warnings: string[] = [];
  const h = handlerFor(new Catalog());
  (h as unknown as { log: { warn(m: string): void } }).log = { warn: (m: string) => void warnings.push(m) };
  const out = h.handle(msg, true);
  assert.ok(out instanceof Buffer);
  const p = dnsPacket.decode(out);
  assert.equal((p as { rcode?: string }).rcode, 'FORMERR');
  assert.equal(p.questions?.length, 0);
  assert.deepEqual(warnings, []);
});

const encoder = new Encoder();
function stateOf(records: Array<[number, unknown]>): Uint8Array {
  const w = new RecordWriter();
  for (const [type, body] of records) w.write(type, encoder.encode(body));
  return w.finish();
}
function restore(state: Uint8Array): void {
  new Fsm(new StateStore()).restore(state, 0);
}

test('snapshot: malformed msgpack in state.bin is a RecordFormatError naming the record', () => {
  // fuzz snapshot, seed 1: a map key that is itself a map made @msgpack/msgpack throw its own
  // DecodeError through the restore, which the endpoint passed on as a library message.
  const bad = new Uint8Array([RecordType.Index, 0, 0, 0, 3, 0x81, 0x80, 0x01]);
  assert.throws(() => restore(bad), (e: unknown) => e instanceof RecordFormatError && /malformed Index record/.test(e.message));
});

test('snapshot: records of the wrong shape are refused before they reach the tables', () => {
  const cases: Array<[number, unknown, RegExp]> = [
    [RecordType.KVS, { Key: 5, Value: null, Flags: 0, LockIndex: 0, Session: '', CreateIndex: 1, ModifyIndex: 1 }, /KVS record has an invalid Key/],
    [RecordType.Register, { kind: 'node', node: { Node: ['x'] } }, /node record has an invalid ID/],
    [RecordType.Register, { kind: 'service', node: 'n1', service: { ID: 'web', Service: 'web', Tags: 'a' } }, /service record has an invalid/],
    [RecordType.Register, { kind: 'elephant' }, /register record has an invalid kind/],
    [RecordType.Session, 'session', /session record is not a map/],
    [RecordType.Tombstone, { key: 'a', idx: -1 }, /tombstone record has an invalid idx/],
    [RecordType.Index, { kvs: 'ten' }, /index record/],
  ];
  for (const [type, body, re] of cases) {
    assert.throws(() => restore(stateOf([[type, body]])), (e: unknown) => e instanceof RecordFormatError && re.test(e.message), JSON.stringify(body));
  }
});

test('snapshot: a state written by the FSM still restores (the shape checks accept it)', () => {
  const cat = new Catalog().register({ Node: 'n1', Address: '10.0.0.1' }, { Service: 'web', Tags: ['a'], Port: 80 }).check('n1', 'c1', 'passing', 'web');
  const data = new Fsm(cat.store).snapshot().data;
  const fsm = new Fsm(new StateStore());
  fsm.restore(data, 0);
  assert.deepEqual(fsm.snapshot().data, data);
});

test('http: a body that is not JSON gets Go json.Decoder texts, not JSON.parse messages', () => {
  // fuzz http, seed 1: PUT /v1/catalog/deregister with a body of random text answered
  // `Request decode failed: Unexpected token '…', "…" is not valid JSON` (Node's words).
  assert.equal(goDecoderError('𖢛쟶', new Error('x')), "invalid character 'ð' looking for beginning of value");
  assert.equal(goDecoderError('{"Node": x}', new Error('x')), "invalid character 'x' looking for beginning of value");
  assert.equal(goDecoderError('{"Node": "a"', new Error('x')), 'unexpected EOF');
  assert.equal(goDecoderError('   ', new Error('x')), 'EOF');
  assert.throws(() => parseJson(Buffer.from('nope')), (e: unknown) => e instanceof HttpError && e.status === 400 && /^Request decode failed: invalid character 'o' in literal null \(expecting 'u'\)$/.test(e.message));
});

test('serf: an address of the wrong length in a query is a typed wire error', () => {
  // fuzz serf-message, seed 1072405222: a query whose Addr is 18 bytes.
  const body = encoder.encode({ LTime: 30, ID: 4294967279, Addr: new Uint8Array(18), Port: 1, SourceNode: 'x', Filters: [], Flags: 0, RelayFactor: 0, Timeout: 0, Name: 'q', Payload: new Uint8Array(0) });
  const msg = new Uint8Array([4, ...body]);
  assert.throws(() => decodeSerfMessage(msg), (e: unknown) => e instanceof WireError && /IP address must be 4 or 16 bytes/.test(e.message));
});

test('dns: a question label of high bytes is echoed byte for byte, not re-encoded as UTF-8', () => {
  // fuzz dns (long run), seed 20261204: a 40-byte label of bytes >= 0x80 grew past 63 bytes when
  // the answer wrote it back as UTF-8, and the encoder's refusal answered SERVFAIL.
  const label = Buffer.alloc(40, 0xf4);
  const qname = Buffer.concat([Buffer.from([40]), label, Buffer.from([4]), Buffer.from('node'), Buffer.from([6]), Buffer.from('consul'), Buffer.from([0])]);
  const msg = Buffer.concat([Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), qname, Buffer.from([0, 1, 0, 1])]);
  const warnings: string[] = [];
  const h = handlerFor(new Catalog());
  (h as unknown as { log: { warn(m: string): void } }).log = { warn: (m: string) => void warnings.push(m) };
  const out = h.handle(msg, false);
  assert.ok(out instanceof Buffer);
  assert.deepEqual(warnings, []);
  assert.equal((dnsPacket.decode(out) as { rcode?: string }).rcode, 'NXDOMAIN');
  assert.ok(out.subarray(12, 12 + qname.length).equals(qname), 'the question section is the one asked');
});

test('template: a block that recurses through nested actions ends with ExecError, not a stack overflow', async () => {
  // fuzz template, seed 7: the JS stack ran out before the per-call depth limit.
  const { ExecError, Template } = await import('../../../src/core/template/text/index.js');
  const t = new Template('fuzz.ctmpl', '{{block "blk" .}}{{with 1}}{{block "blk" .}}\n{{end}}{{end}}{{end}}');
  assert.throws(() => t.execute({}), (e: unknown) => e instanceof ExecError && /exceeded maximum template depth/.test(e.message));
});

test('connect: a SPIFFE ID with a malformed escape is a SpiffeError, not a URIError', async () => {
  // fuzz connect, seed 7: decodeURIComponent threw URIError out of parseSpiffeId.
  const { SpiffeError, parseSpiffeId } = await import('../../../src/core/connect/spiffe.js');
  assert.throws(
    () => parseSpiffeId('spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web%2'),
    (e: unknown) => e instanceof SpiffeError && /invalid URL escape "%2"/.test(e.message),
  );
});

test('template: a value that grows level after level is refused at 16 Mi characters', async () => {
  // fuzz template (long run), seed 20261206: urlquery of $ inside a recursing block grew its
  // string geometrically: 3.7 s of CPU and 900 MiB before the depth limit.
  const { ExecError, Template } = await import('../../../src/core/template/text/index.js');
  const grow = new Template('fuzz.ctmpl', '{{block "blk" .}}{{with urlquery "str" $}}{{block "blk" .}}\n{{end}}{{end}}{{end}}');
  assert.throws(() => grow.execute({}), (e: unknown) => e instanceof ExecError);
  const big = new Template('big.ctmpl', '{{huge}}', { funcs: { huge: () => 'x'.repeat(16 * 1024 * 1024 + 1) } });
  assert.throws(() => big.execute({}), (e: unknown) => e instanceof ExecError && /error calling huge: result is larger than 16777216 characters/.test(e.message));
});
