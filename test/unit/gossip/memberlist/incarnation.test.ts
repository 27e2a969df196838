// The incarnation rules of memberlist's state machine (aliveNode / suspectNode / deadNode /
// mergeState / refute), exercised on the Membership module directly so suspicion timers and the
// broadcast queue can be inspected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Membership } from '../../../../src/core/gossip/memberlist/membership.js';
import { NodeStateKind, type PacketMessage } from '../../../../src/core/gossip/memberlist/messages.js';
import { LAN_TIMING } from '../../../../src/core/gossip/memberlist/profiles.js';
import { alive, enc, makeConfig, RecordingDelegate, VSN } from './harness.js';

function setup(overrides: Parameters<typeof makeConfig>[2] = {}): { m: Membership; d: RecordingDelegate; logs: string[] } {
  const d = new RecordingDelegate();
  const logs: string[] = [];
  const config = makeConfig(d, logs, overrides);
  const m = new Membership(config, (level, msg) => logs.push(`[${level}] ${msg}`));
  m.aliveNode({ type: 'alive', incarnation: m.nextIncarnation(), node: 'me', addr: '127.0.0.1', port: 7946, meta: d.meta, vsn: VSN }, 0, true);
  return { m, d, logs };
}

/** Everything queued for broadcast (taken with a huge budget), then the queue is emptied. */
function queued(m: Membership): PacketMessage[] {
  const out = m.broadcasts.getBroadcasts(0, 1_000_000);
  m.broadcasts.reset();
  return out;
}

function node(m: Membership, name: string) {
  const n = m.nodeMap.get(name);
  assert.ok(n !== undefined, `${name} unknown`);
  return n;
}

test('we start alive at incarnation 1 and notify our own join', () => {
  const { m, d } = setup();
  assert.equal(node(m, 'me').state, NodeStateKind.Alive);
  assert.equal(node(m, 'me').incarnation, 1);
  assert.deepEqual(d.events, [{ kind: 'join', name: 'me', state: NodeStateKind.Alive, incarnation: 1 }]);
});

test('alive: a new node is added; only a strictly greater incarnation updates it', () => {
  const { m, d } = setup();
  queued(m);
  m.aliveNode(alive('a1', 3), 10, false);
  assert.equal(node(m, 'a1').state, NodeStateKind.Alive);
  assert.equal(node(m, 'a1').stateChangeMs, 10);
  assert.deepEqual(queued(m).map((x) => x.type), ['alive'], 'accepted news is re-broadcast');
  d.events = [];
  m.aliveNode(alive('a1', 3, { meta: enc.encode('other') }), 20, false);
  m.aliveNode(alive('a1', 2, { meta: enc.encode('other') }), 20, false);
  assert.deepEqual(queued(m), [], 'stale or equal news is not re-broadcast');
  assert.deepEqual(d.events, []);
  m.aliveNode(alive('a1', 4, { meta: enc.encode('new-meta') }), 30, false);
  assert.equal(node(m, 'a1').incarnation, 4);
  assert.deepEqual(d.events, [{ kind: 'update', name: 'a1', state: NodeStateKind.Alive, incarnation: 4 }]);
  assert.equal(node(m, 'a1').stateChangeMs, 10, 'alive -> alive is not a state change');
});

test('alive with bad protocol versions, or refused by the alive delegate, is ignored', () => {
  const { m, d, logs } = setup();
  m.aliveNode(alive('a1', 1, { vsn: [0, 5, 2, 2, 5, 4] }), 0, false);
  m.aliveNode(alive('a2', 1, { vsn: [3, 2, 2, 2, 5, 4] }), 0, false);
  d.refuseAlive = (n) => (n.name === 'a3' ? 'wrong cluster' : undefined);
  m.aliveNode(alive('a3', 1), 0, false);
  assert.equal(m.nodeMap.size, 1);
  assert.ok(logs.some((l) => l.includes("ignoring alive message for 'a3': wrong cluster")));
});

test('suspect: needs a known alive node and incarnation >= known; starts a Lifeguard timer', () => {
  const { m } = setup();
  for (let i = 1; i <= 5; i++) m.aliveNode(alive(`a${i}`, 2), 0, false);
  queued(m);
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a2' }, 100);
  m.suspectNode({ type: 'suspect', incarnation: 9, node: 'nobody', from: 'a2' }, 100);
  assert.equal(node(m, 'a1').state, NodeStateKind.Alive);
  assert.deepEqual(queued(m), []);
  m.suspectNode({ type: 'suspect', incarnation: 2, node: 'a1', from: 'a2' }, 100);
  assert.equal(node(m, 'a1').state, NodeStateKind.Suspect);
  assert.equal(node(m, 'a1').stateChangeMs, 100);
  assert.deepEqual(queued(m).map((x) => x.type), ['suspect']);
  // 6 nodes: k = suspicionMult - 2 = 2, min = 4 s, max = 6 * min.
  const timer = m.suspicions.get('a1');
  assert.ok(timer !== undefined);
  assert.equal(timer.k, 2);
  assert.equal(timer.minMs, 4000);
  assert.equal(timer.deadlineMs, 100 + 24_000);
});

test('suspect about an already suspect node is a confirmation, re-gossiped only when new', () => {
  const { m } = setup();
  for (let i = 1; i <= 5; i++) m.aliveNode(alive(`a${i}`, 1), 0, false);
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a2' }, 0);
  queued(m);
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a2' }, 1000);
  assert.deepEqual(queued(m), [], 'the original accuser again is no news');
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a3' }, 1000);
  assert.deepEqual(queued(m).map((x) => x.type), ['suspect']);
  // One of two: max - log(2)/log(3) * (max - min) = 24 - 0.631 * 20 s, floored to ms.
  assert.equal(m.suspicions.get('a1')?.deadlineMs, 11_381);
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a4' }, 2000);
  assert.equal(m.suspicions.get('a1')?.deadlineMs, 4000, 'k confirmations: down to min');
});

test('small clusters expect no confirmations: the timer runs the minimum', () => {
  const { m } = setup();
  m.aliveNode(alive('a1', 1), 0, false);
  m.aliveNode(alive('a2', 1), 0, false);
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a2' }, 0);
  const t = m.suspicions.get('a1');
  assert.equal(t?.k, 0, 'n - 2 < k');
  assert.equal(t?.deadlineMs, 4000);
});

test('suspicion timeout declares the node dead (from us) and notifies the leave', () => {
  const { m, d, logs } = setup();
  m.aliveNode(alive('a1', 1), 0, false);
  m.aliveNode(alive('a2', 1), 0, false);
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a2' }, 0);
  queued(m);
  d.events = [];
  m.runDueSuspicions(3999);
  assert.equal(node(m, 'a1').state, NodeStateKind.Suspect);
  m.runDueSuspicions(4000);
  assert.equal(node(m, 'a1').state, NodeStateKind.Dead);
  assert.deepEqual(d.events, [{ kind: 'leave', name: 'a1', state: NodeStateKind.Dead, incarnation: 1 }]);
  assert.deepEqual(queued(m), [{ type: 'dead', incarnation: 1, node: 'a1', from: 'me' }]);
  assert.ok(logs.some((l) => l.includes('Marking a1 as failed, suspect timeout reached (0 peer confirmations)')));
  assert.equal(m.suspicions.size, 0);
});

test('alive with a higher incarnation clears suspicion; the old timer never fires', () => {
  const { m } = setup();
  m.aliveNode(alive('a1', 1), 0, false);
  m.aliveNode(alive('a2', 1), 0, false);
  m.suspectNode({ type: 'suspect', incarnation: 1, node: 'a1', from: 'a2' }, 0);
  m.aliveNode(alive('a1', 2), 500, false);
  assert.equal(node(m, 'a1').state, NodeStateKind.Alive);
  assert.equal(m.suspicions.size, 0);
  m.runDueSuspicions(10_000);
  assert.equal(node(m, 'a1').state, NodeStateKind.Alive);
});

test('dead: incarnation >= known and not already dead; from === node means left', () => {
  const { m, d } = setup();
  m.aliveNode(alive('a1', 3), 0, false);
  m.aliveNode(alive('a2', 3), 0, false);
  d.events = [];
  m.deadNode({ type: 'dead', incarnation: 2, node: 'a1', from: 'x' }, 10);
  assert.equal(node(m, 'a1').state, NodeStateKind.Alive);
  m.deadNode({ type: 'dead', incarnation: 3, node: 'a1', from: 'x' }, 10);
  assert.equal(node(m, 'a1').state, NodeStateKind.Dead);
  m.deadNode({ type: 'dead', incarnation: 4, node: 'a1', from: 'x' }, 20);
  assert.equal(node(m, 'a1').incarnation, 3, 'dead about a dead node changes nothing');
  m.deadNode({ type: 'dead', incarnation: 3, node: 'a2', from: 'a2' }, 10);
  assert.equal(node(m, 'a2').state, NodeStateKind.Left);
  assert.deepEqual(d.events.map((e) => [e.name, e.state]), [['a1', NodeStateKind.Dead], ['a2', NodeStateKind.Left]]);
  // Back from the dead: alive with a newer incarnation is a join.
  d.events = [];
  m.aliveNode(alive('a1', 4), 30, false);
  assert.deepEqual(d.events, [{ kind: 'join', name: 'a1', state: NodeStateKind.Alive, incarnation: 4 }]);
});

test('refutation: suspect or dead about us -> alive at accused + 1, awareness + 1', () => {
  const { m, logs, d } = setup();
  m.aliveNode(alive('a1', 1), 0, false);
  queued(m);
  m.suspectNode({ type: 'suspect', incarnation: 5, node: 'me', from: 'a1' }, 0);
  assert.equal(node(m, 'me').state, NodeStateKind.Alive);
  assert.equal(node(m, 'me').incarnation, 6);
  assert.equal(m.awareness.healthScore(), 1);
  const refute = queued(m);
  assert.equal(refute.length, 1);
  assert.deepEqual(refute[0], { type: 'alive', incarnation: 6, node: 'me', addr: '127.0.0.1', port: 7946, meta: enc.encode('meta-1'), vsn: VSN });
  m.deadNode({ type: 'dead', incarnation: 6, node: 'me', from: 'a1' }, 0);
  assert.equal(node(m, 'me').incarnation, 7);
  assert.equal(node(m, 'me').state, NodeStateKind.Alive);
  assert.equal(m.awareness.healthScore(), 2);
  // An accusation older than us still costs a fresh incarnation (own counter + 1).
  m.suspectNode({ type: 'suspect', incarnation: 7, node: 'me', from: 'a1' }, 0);
  assert.equal(node(m, 'me').incarnation, 8);
  assert.ok(logs.some((l) => l.includes('Refuting a suspect message (from: a1)')));
  assert.ok(logs.some((l) => l.includes('Refuting a dead message (from: a1)')));
  // The delegate hears of each refutation (the agent re-checks the catalog after one).
  assert.deepEqual(d.refutes, ['suspect', 'dead', 'suspect']);
});

test('alive about us: same incarnation and meta is ignored; different meta is refuted', () => {
  const { m } = setup();
  queued(m);
  m.aliveNode({ type: 'alive', incarnation: 1, node: 'me', addr: '127.0.0.1', port: 7946, meta: enc.encode('meta-1'), vsn: VSN }, 0, false);
  assert.deepEqual(queued(m), []);
  m.aliveNode({ type: 'alive', incarnation: 1, node: 'me', addr: '127.0.0.1', port: 7946, meta: enc.encode('stale'), vsn: VSN }, 0, false);
  assert.equal(node(m, 'me').incarnation, 2);
  assert.deepEqual(node(m, 'me').meta, enc.encode('meta-1'), 'our own meta wins');
  assert.equal(queued(m).length, 1);
  // A restart elsewhere left a higher incarnation of us in the cluster: beat it.
  m.aliveNode({ type: 'alive', incarnation: 9, node: 'me', addr: '127.0.0.1', port: 7946, meta: enc.encode('meta-1'), vsn: VSN }, 0, false);
  assert.equal(node(m, 'me').incarnation, 10);
});

test('after leave(), alive about ourselves is ignored and our dead goes out with a notification', () => {
  const { m } = setup();
  m.aliveNode(alive('a1', 1), 0, false);
  m.left = true;
  queued(m);
  m.deadNode({ type: 'dead', incarnation: 1, node: 'me', from: 'me' }, 5);
  assert.equal(node(m, 'me').state, NodeStateKind.Left);
  assert.equal(m.leaveBroadcastDone, false);
  m.aliveNode({ type: 'alive', incarnation: 9, node: 'me', addr: '127.0.0.1', port: 7946, meta: enc.encode('x'), vsn: VSN }, 6, false);
  assert.equal(node(m, 'me').state, NodeStateKind.Left);
  // retransmitMult 4 * ceil(log10(3)) = 4 sends, then the leave counts as delivered.
  for (let i = 0; i < 4; i++) assert.equal(m.broadcasts.getBroadcasts(0, 10_000).length, 1);
  assert.equal(m.leaveBroadcastDone, true);
});

test('address conflicts: refused for live nodes (conflict delegate), allowed for left ones', () => {
  const { m, d, logs } = setup();
  m.aliveNode(alive('a1', 1), 0, false);
  m.aliveNode(alive('a1', 5, { addr: '10.0.0.1' }), 0, false);
  assert.equal(node(m, 'a1').addr, '127.0.0.2');
  assert.equal(d.conflicts.length, 1);
  assert.equal(d.conflicts[0]?.other.addr, '10.0.0.1');
  assert.ok(logs.some((l) => l.includes('Conflicting address for a1')));
  m.deadNode({ type: 'dead', incarnation: 1, node: 'a1', from: 'a1' }, 0);
  // A left node's name may come back at a new address, even with a lower incarnation.
  m.aliveNode(alive('a1', 1, { addr: '10.0.0.1' }), 0, false);
  assert.equal(node(m, 'a1').addr, '10.0.0.1');
  assert.equal(node(m, 'a1').state, NodeStateKind.Alive);
});

test('a dead node is reclaimable at a new address only after deadNodeReclaimMs', () => {
  const never = setup();
  never.m.aliveNode(alive('a1', 1), 0, false);
  never.m.deadNode({ type: 'dead', incarnation: 1, node: 'a1', from: 'x' }, 0);
  never.m.aliveNode(alive('a1', 2, { addr: '10.0.0.1' }), 1_000_000, false);
  assert.equal(never.m.nodeMap.get('a1')?.state, NodeStateKind.Dead, 'reclaim disabled by default');

  const { m } = setup({ timing: { ...LAN_TIMING, deadNodeReclaimMs: 5000 } });
  m.aliveNode(alive('a1', 1), 0, false);
  m.deadNode({ type: 'dead', incarnation: 1, node: 'a1', from: 'x' }, 0);
  m.aliveNode(alive('a1', 2, { addr: '10.0.0.1' }), 5000, false);
  assert.equal(node(m, 'a1').state, NodeStateKind.Dead);
  m.aliveNode(alive('a1', 2, { addr: '10.0.0.1' }), 5001, false);
  assert.equal(node(m, 'a1').state, NodeStateKind.Alive);
  assert.equal(node(m, 'a1').addr, '10.0.0.1');
});

test('push/pull merge: alive -> alive rules, left -> left, dead or suspect -> only suspect', () => {
  const { m } = setup();
  for (let i = 1; i <= 4; i++) m.aliveNode(alive(`a${i}`, 1), 0, false);
  const base = { addr: '127.0.0.2', meta: new Uint8Array(0), vsn: VSN };
  m.mergeState(
    [
      { ...base, name: 'a1', port: 8001, incarnation: 1, state: NodeStateKind.Dead },
      { ...base, name: 'a2', port: 8002, incarnation: 1, state: NodeStateKind.Left },
      { ...base, name: 'a3', port: 8003, incarnation: 1, state: NodeStateKind.Suspect },
      { ...base, name: 'a9', port: 8009, incarnation: 4, state: NodeStateKind.Alive },
      { ...base, name: 'me', port: 7946, incarnation: 3, state: NodeStateKind.Dead },
    ],
    50,
  );
  assert.equal(node(m, 'a1').state, NodeStateKind.Suspect, "a peer's dead is only a suspicion");
  assert.equal(node(m, 'a2').state, NodeStateKind.Left);
  assert.equal(node(m, 'a3').state, NodeStateKind.Suspect);
  assert.equal(node(m, 'a9').state, NodeStateKind.Alive);
  assert.equal(node(m, 'me').state, NodeStateKind.Alive);
  assert.equal(node(m, 'me').incarnation, 4, 'refuted the dead view of us');
});

test('reset reaps nodes dead for longer than gossipToTheDead, never ourselves', () => {
  const { m } = setup();
  m.aliveNode(alive('a1', 1), 0, false);
  m.aliveNode(alive('a2', 1), 0, false);
  m.deadNode({ type: 'dead', incarnation: 1, node: 'a1', from: 'x' }, 1000);
  m.resetNodes(1000 + LAN_TIMING.gossipToTheDeadMs);
  assert.ok(m.nodeMap.has('a1'));
  m.resetNodes(1001 + LAN_TIMING.gossipToTheDeadMs);
  assert.ok(!m.nodeMap.has('a1'));
  assert.deepEqual(m.nodes.map((n) => n.name).sort(), ['a2', 'me']);
});
