// Push/pull, joins, leave, meta updates, gossip packing and determinism through the core's surface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeStateKind, type PushNodeState, type PushPullMsg } from '../../../../src/core/gossip/memberlist/messages.js';
import { estimateSize } from '../../../sim/gossip/size-estimate.js';
import { alive, allMsgs, enc, FROM, incOf, makeCore, packets, runUntil, stateOf, streams, VSN } from './harness.js';

function pushNode(name: string, incarnation: number, state = NodeStateKind.Alive, vsn = VSN): PushNodeState {
  return { name, addr: '127.0.0.3', port: 9000 + Number(name.replace(/\D/g, '') || '0'), meta: enc.encode(name), incarnation, state, vsn };
}

function pushPull(nodes: PushNodeState[], join = false, userState = enc.encode('theirs')): PushPullMsg {
  return { type: 'pushPull', join, nodes, userState };
}

test('inbound push/pull: the reply is our state before the merge; then theirs is merged', () => {
  const { core, delegate } = makeCore();
  const reply = core.handleStream(FROM, pushPull([pushNode('b1', 1), pushNode('b2', 2)], true), 5);
  assert.ok(reply !== undefined && reply.type === 'pushPull');
  assert.deepEqual(reply.nodes.map((n) => n.name), ['me']);
  assert.equal(reply.join, true);
  assert.deepEqual(reply.userState, enc.encode('join-state'));
  assert.equal(stateOf(core, 'b1'), NodeStateKind.Alive);
  assert.equal(incOf(core, 'b2'), 2);
  assert.deepEqual(delegate.merged, [{ state: enc.encode('theirs'), join: true }]);
});

test('incompatible protocol versions: answered with an err and nothing merged', () => {
  const { core, delegate, logs } = makeCore();
  const reply = core.handleStream(FROM, pushPull([pushNode('b1', 1, NodeStateKind.Alive, [1, 5, 2, 2, 5, 9])]), 0);
  assert.equal(reply?.type, 'err');
  assert.match(reply?.type === 'err' ? reply.error : '', /delegate protocol version \(9\) is incompatible: \[2, 5\]/);
  assert.equal(stateOf(core, 'b1'), undefined);
  assert.deepEqual(delegate.merged, []);
  assert.ok(logs.some((l) => l.includes('Failed push/pull merge')));
  // Our own range counts too: a peer that only speaks memberlist 3..5 cannot take our v2.
  const r2 = core.handleStream(FROM, pushPull([pushNode('b2', 1, NodeStateKind.Alive, [3, 5, 3, 2, 5, 4])]), 0);
  assert.match(r2?.type === 'err' ? r2.error : '', /Node '.*' protocol version \(\d\) is incompatible: \[3, 5\]/);
});

test('a join the merge delegate refuses is answered with its error; a sync is not asked', () => {
  const { core, delegate } = makeCore();
  delegate.refuseMerge = 'Member b1 part of wrong datacenter';
  const refused = core.handleStream(FROM, pushPull([pushNode('b1', 1)], true), 0);
  assert.deepEqual(refused, { type: 'err', error: 'Member b1 part of wrong datacenter' });
  assert.equal(stateOf(core, 'b1'), undefined);
  const sync = core.handleStream(FROM, pushPull([pushNode('b1', 1)], false), 0);
  assert.equal(sync?.type, 'pushPull');
  assert.equal(stateOf(core, 'b1'), NodeStateKind.Alive);
});

test('join: push/pull with every seed, one joined report with the count and the errors', () => {
  const { core, delegate } = makeCore();
  const id = core.join([{ addr: '10.0.0.1', port: 1 }, { addr: '10.0.0.2', port: 2 }, { addr: '10.0.0.3', port: 3 }], 0);
  const out = streams(core.drainOutputs());
  assert.equal(out.length, 3);
  for (const s of out) {
    assert.equal(s.expectReply, true);
    assert.equal(s.timeoutMs, 10_000);
    assert.ok(s.msg.type === 'pushPull' && s.msg.join);
  }
  const [a, b, c] = out;
  assert.ok(a !== undefined && b !== undefined && c !== undefined);
  core.streamReply(a.id, pushPull([pushNode('b1', 1)], true), 10);
  core.streamFailed(b.id, 'connection refused', 11);
  assert.deepEqual(core.drainOutputs(), [], 'no report before every seed answered');
  core.streamReply(c.id, { type: 'err', error: 'nope' }, 12);
  const joined = core.drainOutputs();
  assert.deepEqual(joined, [
    { kind: 'joined', id, contacted: 1, errors: ['Failed to join 10.0.0.2:2: connection refused', 'Failed to join 10.0.0.3:3: remote error: nope'] },
  ]);
  assert.equal(stateOf(core, 'b1'), NodeStateKind.Alive);
  assert.deepEqual(delegate.merged, [{ state: enc.encode('theirs'), join: true }]);
  // An IPv6 seed is named as Go's net.JoinHostPort names it.
  const v6 = core.join([{ addr: '::1', port: 8301 }], 13);
  const [s6] = streams(core.drainOutputs());
  core.streamFailed(s6?.id ?? -1, 'i/o timeout', 14);
  assert.deepEqual(core.drainOutputs(), [{ kind: 'joined', id: v6, contacted: 0, errors: ['Failed to join [::1]:8301: i/o timeout'] }]);
  // No seeds: reported at once.
  const none = core.join([], 20);
  assert.deepEqual(core.drainOutputs(), [{ kind: 'joined', id: none, contacted: 0, errors: [] }]);
});

test('join: an incompatible reply is not merged and counts as a failure', () => {
  const { core } = makeCore();
  core.join([{ addr: '10.0.0.1', port: 1 }], 0);
  const [s] = streams(core.drainOutputs());
  core.streamReply(s?.id ?? -1, pushPull([pushNode('b1', 1, NodeStateKind.Alive, [1, 5, 2, 2, 5, 1])], true), 5);
  const [joined] = core.drainOutputs();
  assert.ok(joined?.kind === 'joined');
  assert.equal(joined.contacted, 0);
  assert.match(joined.errors[0] ?? '', /incompatible/);
  assert.equal(stateOf(core, 'b1'), undefined);
});

test('periodic push/pull goes to one random alive node, staggered within the first interval', () => {
  // Probing is pushed out of the way so that a1 (which never acks here) stays alive.
  const { core } = makeCore({ timing: { probeIntervalMs: 1_000_000 } });
  core.handlePacket(FROM, alive('a1', 1), 0);
  core.handlePacket(FROM, alive('a2', 1), 0);
  core.handlePacket(FROM, { type: 'dead', incarnation: 1, node: 'a2', from: 'x' }, 0);
  core.drainOutputs();
  const out = runUntil(core, 0, 60_000);
  const syncs = streams(out).filter((s) => s.msg.type === 'pushPull');
  assert.ok(syncs.length >= 1 && syncs.length <= 2, `${syncs.length} push/pulls in 60 s`);
  for (const s of syncs) {
    assert.deepEqual(s.to, { addr: '127.0.0.2', port: 8001 });
    assert.ok(s.msg.type === 'pushPull' && !s.msg.join);
  }
});

test('leave: dead about ourselves from ourselves, then leaveSent once it has gone out', () => {
  const { core, delegate } = makeCore();
  core.handlePacket(FROM, alive('a1', 1), 0);
  core.handlePacket(FROM, alive('a2', 1), 0);
  runUntil(core, 0, 2000);
  delegate.events = [];
  core.leave(2000);
  assert.equal(core.leaveSent(), false);
  assert.equal(core.localNode().state, NodeStateKind.Left);
  assert.deepEqual(delegate.events, [{ kind: 'leave', name: 'me', state: NodeStateKind.Left, incarnation: 1 }]);
  const out = runUntil(core, 2000, 3000);
  const deads = allMsgs(out).filter((m) => m.type === 'dead');
  assert.ok(deads.length >= 1);
  assert.deepEqual(deads[0], { type: 'dead', incarnation: 1, node: 'me', from: 'me' });
  assert.equal(core.leaveSent(), true);
  // Alive about us after leaving changes nothing.
  core.handlePacket(FROM, { ...alive('me', 5), addr: '127.0.0.1', port: 7946 }, 3000);
  assert.equal(core.localNode().state, NodeStateKind.Left);
});

test('leave with nobody else alive is sent at once', () => {
  const { core } = makeCore();
  core.leave(0);
  assert.equal(core.leaveSent(), true);
});

test('updateMeta: alive with incarnation + 1 and the new meta, seen as an update by peers', () => {
  const { core, delegate } = makeCore();
  core.handlePacket(FROM, alive('a1', 1), 0);
  core.drainOutputs();
  delegate.meta = enc.encode('meta-2');
  core.updateMeta(10);
  assert.equal(core.localNode().incarnation, 2);
  assert.deepEqual(core.localNode().meta, enc.encode('meta-2'));
  const news = allMsgs(runUntil(core, 10, 250)).filter((m) => m.type === 'alive' && m.node === 'me');
  assert.ok(news.length > 0);
  assert.equal(news[0]?.type === 'alive' ? news[0].incarnation : -1, 2);

  const peer = makeCore({ name: 'a1', port: 8001 });
  peer.core.handlePacket(FROM, { ...alive('me', 1), addr: '127.0.0.1', port: 7946 }, 0);
  peer.delegate.events = [];
  const msg = news[0];
  assert.ok(msg !== undefined);
  peer.core.handlePacket(FROM, msg, 20);
  assert.deepEqual(peer.delegate.events, [{ kind: 'update', name: 'me', state: NodeStateKind.Alive, incarnation: 2 }]);
  assert.throws(() => {
    delegate.meta = new Uint8Array(513);
    core.updateMeta(30);
  }, /longer than the limit/);
});

test('gossip packs broadcasts and delegate messages under the UDP budget', () => {
  const { core, delegate } = makeCore();
  for (let i = 1; i <= 60; i++) core.handlePacket(FROM, alive(`a${i}`, 1, { meta: new Uint8Array(40) }), 0);
  delegate.userBroadcasts = [enc.encode('event-1'), enc.encode('event-2')];
  core.drainOutputs();
  const out = packets(runUntil(core, 0, 200));
  assert.equal(out.length, 3, 'GossipNodes = 3 targets');
  for (const p of out) {
    const bytes = 2 + p.msgs.reduce((sum, m) => sum + estimateSize(m) + 2, 0);
    assert.ok(bytes <= 1400, `packet of ${bytes} bytes`);
    assert.ok(p.msgs.length > 5);
    assert.equal(p.crc, true, 'peers speak v5: gossip carries a CRC');
  }
  const users = out.flatMap((p) => p.msgs).filter((m) => m.type === 'user');
  assert.ok(users.length >= 1, 'delegate broadcasts ride along when there is room');
});

test('a packet budget reserved for encryption is left free', () => {
  const { core } = makeCore({ config: { packetOverhead: 29 } });
  for (let i = 1; i <= 60; i++) core.handlePacket(FROM, alive(`a${i}`, 1, { meta: new Uint8Array(40) }), 0);
  core.drainOutputs();
  for (const p of packets(runUntil(core, 0, 200))) {
    const bytes = 2 + p.msgs.reduce((sum, m) => sum + estimateSize(m) + 2, 0);
    assert.ok(bytes <= 1400 - 29, `packet of ${bytes} bytes`);
  }
});

test('user messages: UDP and stream deliveries reach the delegate; sendUser makes a packet', () => {
  const { core, delegate } = makeCore();
  core.handlePacket(FROM, { type: 'user', payload: enc.encode('u1') }, 0);
  assert.equal(core.handleStream(FROM, { type: 'user', payload: enc.encode('u2') }, 0), undefined);
  assert.deepEqual(delegate.userMsgs, [enc.encode('u1'), enc.encode('u2')]);
  core.sendUser({ addr: '10.0.0.1', port: 1 }, enc.encode('resp'));
  assert.deepEqual(core.drainOutputs(), [
    { kind: 'packet', to: { addr: '10.0.0.1', port: 1 }, msgs: [{ type: 'user', payload: enc.encode('resp') }], crc: false },
  ]);
});

test('members, counts and the local node', () => {
  const { core } = makeCore();
  core.handlePacket(FROM, alive('a1', 1), 0);
  core.handlePacket(FROM, alive('a2', 1), 0);
  core.handlePacket(FROM, { type: 'dead', incarnation: 1, node: 'a2', from: 'x' }, 0);
  assert.deepEqual(core.members().map((m) => m.name).sort(), ['a1', 'a2', 'me']);
  assert.equal(core.numAliveMembers(), 2);
  const me = core.localNode();
  assert.deepEqual([me.name, me.addr, me.port, me.state, me.incarnation], ['me', '127.0.0.1', 7946, NodeStateKind.Alive, 1]);
  assert.deepEqual(me.vsn, [1, 5, 2, 2, 5, 4]);
});

test('the same seed and inputs give the same outputs', () => {
  const run = (): string => {
    const { core } = makeCore({ seed: 99 });
    for (let i = 1; i <= 8; i++) core.handlePacket(FROM, alive(`a${i}`, 1), 0);
    return JSON.stringify(runUntil(core, 0, 40_000), (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
  };
  assert.equal(run(), run());
});

test('a bad protocol version in the configuration is refused', () => {
  assert.throws(() => makeCore({ config: { protocolVersion: 6 } }), /out of range/);
});
