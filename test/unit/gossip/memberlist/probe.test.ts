// The failure detector through the core's public surface: probes, indirect probes, the TCP
// fallback, nacks and awareness, and answering other nodes' pings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeStateKind, type Vsn } from '../../../../src/core/gossip/memberlist/messages.js';
import { alive, allMsgs, FROM, makeCore, packets, runUntil, stateOf, streams, type TestCore } from './harness.js';

/** A core that knows `peers` (names a1..), all alive; returns it after draining outputs. */
function withPeers(n: number, vsn?: (i: number) => Vsn): TestCore {
  const t = makeCore();
  for (let i = 1; i <= n; i++) t.core.handlePacket(FROM, alive(`a${i}`, 1, vsn !== undefined ? { vsn: vsn(i) } : {}), 0);
  t.core.drainOutputs();
  return t;
}

function firstPing(outputs: ReturnType<TestCore['core']['drainOutputs']>) {
  for (const p of packets(outputs)) {
    const m = p.msgs[0];
    if (m !== undefined && m.type === 'ping') return { packet: p, ping: m };
  }
  return undefined;
}

/** Tick forward from `from` until the core sends a probe ping; returns it with its send time. */
function nextProbe(core: TestCore['core'], from: number, until: number) {
  let now = from;
  while (core.nextDeadline() <= until) {
    now = Math.max(now, core.nextDeadline());
    core.tick(now);
    const p = firstPing(core.drainOutputs());
    if (p !== undefined) return { ...p, at: now };
  }
  return undefined;
}

test('a probe pings the next node with our source; an in-time ack reports the RTT', () => {
  const { core, delegate } = withPeers(1);
  const out = runUntil(core, 0, 1000);
  const p = firstPing(out);
  assert.ok(p !== undefined, 'no ping at the first probe tick');
  assert.equal(p.ping.node, 'a1');
  assert.deepEqual(p.packet.to, { addr: '127.0.0.2', port: 8001 });
  assert.equal(p.ping.sourceNode, 'me');
  assert.equal(p.ping.sourceAddr, '127.0.0.1');
  assert.equal(p.ping.sourcePort, 7946);
  core.handlePacket(p.packet.to, { type: 'ack', seqNo: p.ping.seqNo, payload: new Uint8Array([7]) }, 1012);
  assert.deepEqual(delegate.pings, [{ name: 'a1', rtt: 12, payload: new Uint8Array([7]) }]);
  assert.equal(core.healthScore(), 0);
  // Nothing else happens for this probe; the next one comes on a later probe tick.
  assert.equal(firstPing(runUntil(core, 1012, 1999)), undefined);
  const next = nextProbe(core, 1999, 5000);
  assert.ok(next !== undefined);
  assert.equal(next.at % 1000, 0);
});

test('no ack: indirect pings (nack asked of pmax >= 4) and a TCP ping, then suspicion', () => {
  // a1 is the target (round robin order is random: find it); a2..a4 helpers, a4 speaks only v3.
  const { core, logs } = withPeers(4, (i) => (i === 4 ? [1, 3, 2, 2, 5, 4] : [1, 5, 2, 2, 5, 4]));
  const out = runUntil(core, 0, 1000);
  const p = firstPing(out);
  assert.ok(p !== undefined);
  const target = p.ping.node;
  const atTimeout = runUntil(core, 1000, 1500);
  const ind = allMsgs(atTimeout).filter((m) => m.type === 'indirectPing');
  assert.equal(ind.length, 3, 'IndirectChecks = 3 helpers');
  for (const m of ind) {
    assert.equal(m.type, 'indirectPing');
    if (m.type !== 'indirectPing') continue;
    assert.equal(m.node, target);
    assert.equal(m.seqNo, p.ping.seqNo);
    assert.equal(m.sourceNode, 'me');
  }
  const tcp = streams(atTimeout);
  assert.equal(tcp.length, 1, 'TCP fallback ping to a pmax >= 3 target');
  assert.equal(tcp[0]?.msg.type, 'ping');
  assert.equal(tcp[0]?.timeoutMs, 500);
  assert.ok(logs.some((l) => l.includes(`Failed ping: ${target} (timeout reached)`)));
  core.streamFailed(tcp[0]?.id ?? -1, 'connection refused', 1600);
  const expectedNacks = ind.filter((m) => m.type === 'indirectPing' && m.nack).length;
  runUntil(core, 1600, 2000);
  assert.equal(stateOf(core, target), NodeStateKind.Suspect);
  assert.ok(logs.some((l) => l.includes(`Suspect ${target} has failed, no acks received`)));
  assert.equal(core.healthScore(), expectedNacks, 'every missing nack costs one awareness point');
});

test('nacks from helpers spare our health; awareness stretches the next failing probe', () => {
  const { core } = withPeers(4);
  const p = firstPing(runUntil(core, 0, 1000));
  assert.ok(p !== undefined);
  runUntil(core, 1000, 1500);
  core.handlePacket(FROM, { type: 'nack', seqNo: p.ping.seqNo }, 1600);
  core.handlePacket(FROM, { type: 'nack', seqNo: p.ping.seqNo }, 1600);
  // The judgement at 2000 starts the next probe at once (the tick it overran is kept).
  const judged = runUntil(core, 1600, 2000);
  assert.equal(core.healthScore(), 1, '3 expected, 2 received');
  // Health 1: the next failing probe waits 2 x 1 s before judging.
  const next = firstPing(judged);
  assert.ok(next !== undefined);
  const q = { ...next, at: 2000 };
  assert.equal(stateOf(core, q.ping.node), NodeStateKind.Alive);
  runUntil(core, q.at, q.at + 1999);
  assert.equal(stateOf(core, q.ping.node), NodeStateKind.Alive);
  runUntil(core, q.at + 1999, q.at + 2000);
  assert.equal(stateOf(core, q.ping.node), NodeStateKind.Suspect);
});

test('the TCP fallback answering alone saves the target (with a warning)', () => {
  const { core, logs } = withPeers(2);
  const p = firstPing(runUntil(core, 0, 1000));
  assert.ok(p !== undefined);
  const tcp = streams(runUntil(core, 1000, 1500));
  assert.equal(tcp.length, 1);
  core.streamReply(tcp[0]?.id ?? -1, { type: 'ack', seqNo: p.ping.seqNo, payload: new Uint8Array(0) }, 1520);
  runUntil(core, 1520, 2000);
  assert.equal(stateOf(core, p.ping.node), NodeStateKind.Alive);
  assert.ok(logs.some((l) => l.includes('but other probes failed, network may be misconfigured')));
});

test('a relayed ack ends the probe without an RTT sample', () => {
  const { core, delegate } = withPeers(3);
  const p = firstPing(runUntil(core, 0, 1000));
  assert.ok(p !== undefined);
  runUntil(core, 1000, 1500);
  core.handlePacket(FROM, { type: 'ack', seqNo: p.ping.seqNo, payload: new Uint8Array(0) }, 1700);
  runUntil(core, 1700, 2000);
  assert.equal(stateOf(core, p.ping.node), NodeStateKind.Alive);
  assert.deepEqual(delegate.pings, []);
  assert.equal(core.healthScore(), 0);
});

test('a suspect target is pinged together with the suspicion so it can refute (CRC for v5)', () => {
  const { core } = withPeers(1);
  core.handlePacket(FROM, { type: 'suspect', incarnation: 1, node: 'a1', from: 'zz' }, 0);
  core.drainOutputs();
  const out = runUntil(core, 0, 1000);
  const pkt = packets(out).find((p) => p.msgs[0]?.type === 'ping');
  assert.ok(pkt !== undefined);
  assert.deepEqual(pkt.msgs.map((m) => m.type), ['ping', 'suspect']);
  assert.deepEqual(pkt.msgs[1], { type: 'suspect', incarnation: 1, node: 'a1', from: 'me' });
  assert.equal(pkt.crc, true);
});

test('answering pings: to the advertised source with our ack payload; other names ignored', () => {
  const { core, logs } = makeCore();
  core.handlePacket(FROM, { type: 'ping', seqNo: 42, node: 'me', sourceAddr: '10.1.1.1', sourcePort: 5000, sourceNode: 'x' }, 0);
  const [ack] = packets(core.drainOutputs());
  assert.deepEqual(ack?.to, { addr: '10.1.1.1', port: 5000 });
  assert.deepEqual(ack?.msgs[0], { type: 'ack', seqNo: 42, payload: new TextEncoder().encode('coord') });
  core.handlePacket(FROM, { type: 'ping', seqNo: 43, node: '' }, 0);
  assert.deepEqual(packets(core.drainOutputs())[0]?.to, FROM, 'no source given: reply to the sender');
  core.handlePacket(FROM, { type: 'ping', seqNo: 44, node: 'someone-else' }, 0);
  assert.deepEqual(core.drainOutputs(), []);
  assert.ok(logs.some((l) => l.includes("Got ping for unexpected node 'someone-else'")));
  assert.deepEqual(core.handleStream(FROM, { type: 'ping', seqNo: 45, node: 'me' }, 0), { type: 'ack', seqNo: 45, payload: new Uint8Array(0) });
  assert.equal(core.handleStream(FROM, { type: 'ping', seqNo: 46, node: 'other' }, 0), undefined);
});

test('indirect ping for a peer: ping it with our own seq, forward its ack under the requester seq', () => {
  const { core } = makeCore();
  core.handlePacket(FROM, { type: 'indirectPing', seqNo: 900, target: '10.0.0.5', port: 7000, node: 't', nack: true, sourceAddr: '10.0.0.9', sourcePort: 7001, sourceNode: 'r' }, 0);
  const [ping] = packets(core.drainOutputs());
  assert.deepEqual(ping?.to, { addr: '10.0.0.5', port: 7000 });
  const pm = ping?.msgs[0];
  assert.ok(pm !== undefined && pm.type === 'ping');
  assert.equal(pm.node, 't');
  assert.notEqual(pm.seqNo, 900);
  core.handlePacket({ addr: '10.0.0.5', port: 7000 }, { type: 'ack', seqNo: pm.seqNo, payload: new Uint8Array([1]) }, 100);
  const [fwd] = packets(core.drainOutputs());
  assert.deepEqual(fwd?.to, { addr: '10.0.0.9', port: 7001 });
  assert.deepEqual(fwd?.msgs[0], { type: 'ack', seqNo: 900, payload: new Uint8Array(0) });
  // No nack once the ack went back.
  assert.deepEqual(allMsgs(runUntil(core, 100, 1000)).filter((m) => m.type === 'nack'), []);
});

test('indirect ping with no answer: a nack after probeTimeout when asked for, none otherwise', () => {
  const { core } = makeCore();
  core.handlePacket(FROM, { type: 'indirectPing', seqNo: 7, target: '10.0.0.5', port: 7000, node: 't', nack: true }, 0);
  core.handlePacket(FROM, { type: 'indirectPing', seqNo: 8, target: '10.0.0.6', port: 7000, node: 'u', nack: false }, 0);
  core.drainOutputs();
  assert.deepEqual(allMsgs(runUntil(core, 0, 499)).filter((m) => m.type === 'nack'), []);
  const out = runUntil(core, 499, 500);
  const nacks = packets(out).filter((p) => p.msgs[0]?.type === 'nack');
  assert.equal(nacks.length, 1);
  assert.deepEqual(nacks[0]?.to, FROM);
  assert.deepEqual(nacks[0]?.msgs[0], { type: 'nack', seqNo: 7 });
});

test('direct messages piggyback queued broadcasts', () => {
  const { core } = withPeers(1);
  core.handlePacket(FROM, alive('a2', 1), 0); // queues an alive broadcast
  core.drainOutputs();
  core.handlePacket(FROM, { type: 'ping', seqNo: 1, node: 'me' }, 0);
  const [ack] = packets(core.drainOutputs());
  assert.equal(ack?.msgs[0]?.type, 'ack');
  assert.ok(ack?.msgs.some((m) => m.type === 'alive' && m.node === 'a2'));
});
