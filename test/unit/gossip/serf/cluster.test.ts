// Serf over the real memberlist core: 4 nodes on a tiny synchronous in-test network (no sockets,
// zero latency, virtual time). Checks that they join, that a user event reaches everyone exactly
// once, that a query is answered by all, and that a graceful leave is seen as a leave.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, type Address } from '../../../../src/core/gossip/memberlist/messages.js';
import { Memberlist } from '../../../../src/core/gossip/memberlist/memberlist.js';
import { LOCAL_TIMING } from '../../../../src/core/gossip/memberlist/profiles.js';
import { sizeOf } from '../../../../src/core/gossip/wire/memberlist-codec.js';
import { serfDelegateVersion } from '../../../../src/core/gossip/serf/config.js';
import { Serf } from '../../../../src/core/gossip/serf/serf.js';
import type { SerfEvent } from '../../../../src/core/gossip/serf/types.js';
import { SeededRng } from '../../../../src/core/support/rng.js';
import { bytes, isSerfEvent, text } from './fake-memberlist.js';

interface SimNode {
  readonly name: string;
  readonly addr: Address;
  readonly serf: Serf;
  readonly events: SerfEvent[];
  up: boolean;
}

class SimNetwork {
  readonly nodes = new Map<string, SimNode>();
  now = 0;

  add(name: string, port: number, seed: number): SimNode {
    const addr = { addr: '127.0.0.1', port };
    const serf = new Serf(
      { nodeName: name, tags: { role: 'node', dc: 'dc1' }, rng: new SeededRng(seed), gossipIntervalMs: LOCAL_TIMING.gossipIntervalMs, retransmitMult: LOCAL_TIMING.retransmitMult, leavePropagateDelayMs: 500 },
      (delegate) =>
        new Memberlist(
          {
            name,
            addr: addr.addr,
            port,
            timing: LOCAL_TIMING,
            protocolVersion: 2,
            delegateVersion: serfDelegateVersion(4),
            rng: new SeededRng(seed + 1000),
            sizeOf,
            delegate,
          },
          this.now,
        ),
    );
    const node: SimNode = { name, addr, serf, events: [], up: true };
    this.nodes.set(addressKey(addr), node);
    return node;
  }

  /** Deliver everything every node wants sent, until the network is quiet. */
  flush(): void {
    for (let round = 0; round < 1000; round++) {
      let moved = false;
      for (const node of this.nodes.values()) {
        if (!node.up) continue;
        for (const o of node.serf.drainOutputs()) {
          moved = true;
          if (o.kind === 'packet') {
            const dest = this.nodes.get(addressKey(o.to));
            if (!dest?.up) continue;
            for (const m of o.msgs) dest.serf.handlePacket(node.addr, m, this.now);
          } else if (o.kind === 'stream') {
            const dest = this.nodes.get(addressKey(o.to));
            const reply = dest?.up ? dest.serf.handleStream(node.addr, o.msg, this.now) : undefined;
            if (!o.expectReply) continue;
            if (reply) node.serf.streamReply(o.id, reply, this.now);
            else node.serf.streamFailed(o.id, 'connection refused', this.now);
          } else if (isSerfEvent(o)) {
            node.events.push(o);
          }
        }
      }
      if (!moved) return;
    }
    throw new Error('network did not go quiet');
  }

  /** Advance virtual time to `until`, ticking each node at its deadlines. */
  run(until: number): void {
    for (let steps = 0; steps < 100_000; steps++) {
      this.flush();
      let next = Infinity;
      for (const n of this.nodes.values()) if (n.up) next = Math.min(next, n.serf.nextDeadline());
      if (next > until) break;
      this.now = Math.max(this.now, next);
      for (const n of this.nodes.values()) if (n.up && n.serf.nextDeadline() <= this.now) n.serf.tick(this.now);
    }
    this.now = until;
    this.flush();
  }
}

test('four serf nodes over real memberlist cores: join, user event, query, leave', () => {
  const net = new SimNetwork();
  const nodes = ['a', 'b', 'c', 'd'].map((n, i) => net.add(n, 7946 + i, i + 1));
  net.run(10);
  const [a, b, c, d] = nodes as [SimNode, SimNode, SimNode, SimNode];
  for (const n of [b, c, d]) assert.ok(n.serf.join([a.addr], false, net.now).ok);
  net.run(3000);
  for (const n of nodes) {
    const alive = n.serf.members().filter((m) => m.status === 'alive').map((m) => m.name).sort();
    assert.deepEqual(alive, ['a', 'b', 'c', 'd'], `${n.name} sees everyone`);
    assert.equal(n.serf.members().find((m) => m.name === 'a')?.tags.dc, 'dc1');
  }

  assert.ok(c.serf.userEvent('deploy', bytes('v7'), false, net.now).ok);
  net.run(net.now + 3000);
  for (const n of nodes) {
    const users = n.events.filter((e) => e.kind === 'user');
    assert.deepEqual(users.map((e) => (e.kind === 'user' ? `${e.name}:${text(e.payload)}` : '')), ['deploy:v7'], n.name);
  }

  const q = b.serf.query('who', bytes('?'), { requestAck: true }, net.now);
  assert.ok(q.ok);
  net.run(net.now + 500);
  for (const n of nodes) {
    const qe = n.events.find((e) => e.kind === 'query');
    assert.ok(qe && qe.kind === 'query', `${n.name} got the query`);
    assert.ok(n.serf.respond(qe, bytes(`i am ${n.name}`), net.now).ok);
  }
  net.run(net.now + 5000);
  const answers = b.events.filter((e) => e.kind === 'queryResponse').map((e) => (e.kind === 'queryResponse' ? text(e.payload) : ''));
  assert.deepEqual(answers.sort(), ['i am a', 'i am b', 'i am c', 'i am d']);
  assert.equal(b.events.filter((e) => e.kind === 'queryAck').length, 4);
  assert.ok(b.events.some((e) => e.kind === 'queryDone'));

  assert.ok(d.serf.leave(net.now).ok);
  net.run(net.now + 3000);
  assert.ok(d.serf.leaveDone(), 'd finished leaving');
  assert.ok(d.events.some((e) => e.kind === 'leaveDone' && e.error === undefined));
  d.up = false;
  d.serf.shutdown();
  net.run(net.now + 5000);
  for (const n of [a, b, c]) {
    assert.equal(n.serf.members().find((m) => m.name === 'd')?.status, 'left', `${n.name} saw d leave`);
    assert.ok(n.events.some((e) => e.kind === 'member' && e.type === 'member-leave' && e.members[0]?.name === 'd'));
    assert.ok(!n.events.some((e) => e.kind === 'member' && e.type === 'member-failed'));
  }
});
