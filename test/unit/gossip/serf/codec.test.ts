import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeConflictResponse,
  decodeFilter,
  decodeKeyRequest,
  decodeKeyResponse,
  decodeSerfMessage,
  encodeConflictResponse,
  encodeKeyRequest,
  encodeKeyResponse,
  encodeNodeFilter,
  encodeSerfMessage,
  encodeTagFilter,
} from '../../../../src/core/gossip/serf/codec.js';
import { bytesToIp, ipToBytes } from '../../../../src/core/gossip/serf/ip.js';
import type { SerfMessage } from '../../../../src/core/gossip/serf/messages.js';
import { decodeTags, encodeTags } from '../../../../src/core/gossip/serf/tags.js';
import { decodeStdBase64 } from '../../../../src/core/gossip/serf/base64.js';
import { bytes, hex } from './fake-memberlist.js';

const h = (s: string): string => s.replace(/\s+/g, '');
const ascii = (s: string): string => Buffer.from(s).toString('hex');

test('tags meta as seen on the wire decodes, and encodes back to the same bytes', () => {
  const wire = Buffer.from(h(`ff 82 a4 ${ascii('role')} a4 ${ascii('test')} a2 ${ascii('dc')} a3 ${ascii('dc1')}`), 'hex');
  assert.deepEqual(decodeTags(new Uint8Array(wire)), { role: 'test', dc: 'dc1' });
  assert.equal(hex(encodeTags({ role: 'test', dc: 'dc1' }, 4)), wire.toString('hex'));
});

test('legacy meta (no 0xFF) is the role; protocol < 3 encodes the role only', () => {
  assert.deepEqual(decodeTags(bytes('web')), { role: 'web' });
  assert.deepEqual(decodeTags(new Uint8Array(0)), { role: '' });
  assert.equal(hex(encodeTags({ role: 'web', dc: 'x' }, 2)), ascii('web'));
  assert.deepEqual(decodeTags(new Uint8Array([0xff, 0xc1])), {}); // undecodable tag map
});

test('join and leave encode with Go field names in struct order', () => {
  const join = encodeSerfMessage({ type: 'join', ltime: 5, node: 'a' });
  assert.equal(hex(join), h(`01 82 a5 ${ascii('LTime')} 05 a4 ${ascii('Node')} a1 61`));
  const leave = encodeSerfMessage({ type: 'leave', ltime: 300, node: 'n1', prune: true });
  assert.equal(hex(leave), h(`00 83 a5 ${ascii('LTime')} cd012c a4 ${ascii('Node')} a2 ${ascii('n1')} a5 ${ascii('Prune')} c3`));
});

test('query Timeout travels as int64 nanoseconds and Addr as 4 bytes', () => {
  const q: SerfMessage = {
    type: 'query',
    ltime: 7,
    id: 123456,
    addr: '127.0.0.1',
    port: 7946,
    sourceNode: 'n1',
    filters: [],
    flags: 1,
    relayFactor: 0,
    timeoutMs: 5000,
    name: 'ping',
    payload: new Uint8Array(0),
  };
  const raw = hex(encodeSerfMessage(q));
  assert.ok(raw.includes(h(`a7 ${ascii('Timeout')} cf 00000001 2a05f200`)), raw);
  assert.ok(raw.includes(h(`a4 ${ascii('Addr')} a4 7f000001`)), raw);
  assert.ok(raw.includes(h(`a7 ${ascii('Filters')} c0`)), 'no filters is nil, as Go sends it');
  assert.deepEqual(decodeSerfMessage(encodeSerfMessage(q)), q);
});

test('every serf message round-trips', () => {
  const msgs: SerfMessage[] = [
    { type: 'leave', ltime: 1, node: 'x', prune: false },
    { type: 'join', ltime: 2 ** 40, node: 'y' },
    {
      type: 'pushPull',
      ltime: 10,
      statusLTimes: new Map([
        ['a', 1],
        ['b', 9],
      ]),
      leftMembers: ['b'],
      eventLTime: 4,
      events: [null, { ltime: 1, events: [{ name: 'deploy', payload: bytes('v1') }] }, null],
      queryLTime: 3,
    },
    { type: 'userEvent', ltime: 3, name: 'deploy', payload: bytes('v2'), cc: true },
    {
      type: 'query',
      ltime: 9,
      id: 0xffffffff,
      addr: '::1',
      port: 8301,
      sourceNode: 's',
      filters: [encodeNodeFilter(['a', 'b']), encodeTagFilter('role', '^web$')],
      flags: 3,
      relayFactor: 2,
      timeoutMs: 1.5,
      name: 'q',
      payload: bytes('p'),
    },
    { type: 'queryResponse', ltime: 9, id: 42, from: 'b', flags: 1, payload: new Uint8Array(0) },
    { type: 'relay', destAddr: '10.1.2.3', destPort: 7946, destZone: '', destName: 'a', inner: encodeSerfMessage({ type: 'join', ltime: 1, node: 'z' }) },
  ];
  for (const m of msgs) assert.deepEqual(decodeSerfMessage(encodeSerfMessage(m)), m, m.type);
});

test('push/pull events ring keeps Go nil slots', () => {
  const raw = encodeSerfMessage({
    type: 'pushPull',
    ltime: 1,
    statusLTimes: new Map(),
    leftMembers: [],
    eventLTime: 1,
    events: [null, null],
    queryLTime: 1,
  });
  assert.ok(hex(raw).includes(h(`a6 ${ascii('Events')} 92 c0 c0`)));
});

test('relay message: header then the inner typed message, unframed', () => {
  const inner = encodeSerfMessage({ type: 'queryResponse', ltime: 1, id: 2, from: 'c', flags: 0, payload: bytes('ok') });
  const raw = encodeSerfMessage({ type: 'relay', destAddr: '127.0.0.1', destPort: 5000, destZone: '', destName: 'a', inner });
  assert.equal(raw[0], 9);
  assert.ok(hex(raw).endsWith(hex(inner)));
  assert.ok(hex(raw).includes(h(`a8 ${ascii('DestAddr')} 83 a2 ${ascii('IP')} a4 7f000001 a4 ${ascii('Port')} cd1388 a4 ${ascii('Zone')} a0`)));
});

test('filters: node list (type 0) and tag regexp (type 1)', () => {
  const nf = encodeNodeFilter(['a', 'bb']);
  assert.equal(hex(nf), h('00 92 a1 61 a2 6262'));
  assert.deepEqual(decodeFilter(nf), { kind: 'node', nodes: ['a', 'bb'] });
  const tf = encodeTagFilter('role', 'web.*');
  assert.equal(tf[0], 1);
  assert.deepEqual(decodeFilter(tf), { kind: 'tag', tag: 'role', expr: 'web.*' });
  assert.throws(() => decodeFilter(new Uint8Array([7, 0x90])));
});

test('key request/response and conflict answers', () => {
  const req = encodeKeyRequest({ key: new Uint8Array([1, 2, 3]) });
  assert.equal(hex(req), h(`07 81 a3 ${ascii('Key')} a3 010203`));
  assert.deepEqual(decodeKeyRequest(req).key, new Uint8Array([1, 2, 3]));
  const resp = { result: true, message: 'm', keys: ['QUJD'], primaryKey: 'QUJD' };
  assert.deepEqual(decodeKeyResponse(encodeKeyResponse(resp)), resp);
  const empty = encodeKeyResponse({ result: false, message: '', keys: [], primaryKey: '' });
  assert.ok(hex(empty).includes(h(`a4 ${ascii('Keys')} c0`)), 'no keys is a nil slice');
  const member = {
    name: 'n',
    addr: '10.0.0.2',
    port: 7946,
    tags: { role: 'x' },
    status: 1,
    protocolMin: 1,
    protocolMax: 5,
    protocolCur: 2,
    delegateMin: 2,
    delegateMax: 5,
    delegateCur: 4,
  };
  assert.deepEqual(decodeConflictResponse(encodeConflictResponse(member)), member);
  assert.equal(hex(encodeConflictResponse(undefined)), '06c0');
  assert.equal(decodeConflictResponse(encodeConflictResponse(undefined)).addr, '');
});

test('malformed payloads throw instead of yielding garbage', () => {
  assert.throws(() => decodeSerfMessage(new Uint8Array(0)));
  assert.throws(() => decodeSerfMessage(new Uint8Array([42, 0x80])));
  assert.throws(() => decodeSerfMessage(new Uint8Array([1, 0x81, 0xa5, 0x4c])));
  assert.throws(() => decodeSerfMessage(new Uint8Array([1, 0x81, 0xa4, ...bytes('Node'), 0x05])));
});

test('IPs: v4 is 4 bytes, v4-mapped folds to v4, v6 formats like Go', () => {
  assert.equal(hex(ipToBytes('192.168.1.2')), 'c0a80102');
  assert.equal(hex(ipToBytes('::ffff:10.0.0.1')), '0a000001');
  assert.equal(bytesToIp(ipToBytes('fe80:0:0:0:1:0:0:2')), 'fe80::1:0:0:2');
  assert.equal(bytesToIp(ipToBytes('[2001:db8::1]')), '2001:db8::1');
  assert.equal(bytesToIp(ipToBytes('::')), '::');
  assert.throws(() => ipToBytes('1.2.3'));
  assert.throws(() => ipToBytes('300.1.1.1'));
});

test('base64 keys decode strictly, with Go error texts', () => {
  assert.deepEqual(decodeStdBase64('AQID'), new Uint8Array([1, 2, 3]));
  assert.deepEqual(decodeStdBase64(''), new Uint8Array(0));
  assert.throws(() => decodeStdBase64('AQ!D'), /illegal base64 data at input byte 2/);
  assert.throws(() => decodeStdBase64('AQI'), /illegal base64 data at input byte/);
});
