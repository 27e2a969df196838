import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastQueue, retransmitLimit } from '../../../../src/core/gossip/serf/broadcast-queue.js';

const msg = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);

test('retransmit limit is mult * ceil(log10(n + 1))', () => {
  assert.equal(retransmitLimit(4, 1), 4);
  assert.equal(retransmitLimit(4, 9), 4);
  assert.equal(retransmitLimit(4, 10), 8);
  assert.equal(retransmitLimit(4, 100), 12);
});

test('fresh messages first, larger first, newer first; retired after the limit', () => {
  let nodes = 3;
  const q = new BroadcastQueue(2, () => nodes);
  let finished = 0;
  q.queue(msg(10, 1), () => finished++);
  q.queue(msg(20, 2));
  q.queue(msg(10, 3));
  assert.deepEqual(
    q.getBroadcasts(0, 100).map((m) => m[0]),
    [2, 3, 1],
  );
  // Second round: all at one transmit; limit 2 retires them all.
  assert.equal(q.getBroadcasts(0, 100).length, 3);
  assert.equal(q.numQueued(), 0);
  assert.equal(finished, 1);
  nodes = 0;
});

test('only what fits the byte budget, counting per-message overhead', () => {
  const q = new BroadcastQueue(4, () => 5);
  q.queue(msg(50, 1));
  q.queue(msg(30, 2));
  q.queue(msg(15, 3));
  const out = q.getBroadcasts(5, 60);
  // 50+5 fits (55); 30 does not (free 0 after overhead); 15 neither.
  assert.deepEqual(out.map((m) => m[0]), [1]);
  const next = q.getBroadcasts(5, 60);
  // The untransmitted ones first: 30+5, then 15+5 = 55.
  assert.deepEqual(next.map((m) => m[0]), [2, 3]);
});

test('prune keeps the freshest', () => {
  const q = new BroadcastQueue(4, () => 5);
  let dropped = 0;
  q.queue(msg(5, 1), () => dropped++);
  q.getBroadcasts(0, 10); // 1 has one transmit now
  q.queue(msg(5, 2));
  q.queue(msg(5, 3));
  q.prune(2);
  assert.equal(q.numQueued(), 2);
  assert.equal(dropped, 1);
  assert.deepEqual(q.getBroadcasts(0, 100).map((m) => m[0]), [3, 2]);
});

test('queue depth check warns and drops above the limit (fixed or scaled with the cluster)', async () => {
  const { checkQueueDepths, queueMax } = await import('../../../../src/core/gossip/serf/maintenance.js');
  assert.equal(queueMax({ maxQueueDepth: 4096, minQueueDepth: 0, queueDepthWarning: 128 }, 10_000), 4096);
  assert.equal(queueMax({ maxQueueDepth: 4096, minQueueDepth: 10, queueDepthWarning: 128 }, 3), 10);
  assert.equal(queueMax({ maxQueueDepth: 4096, minQueueDepth: 10, queueDepthWarning: 128 }, 30), 60);
  const q = new BroadcastQueue(4, () => 3);
  for (let i = 0; i < 8; i++) q.queue(msg(1, i));
  const logs: string[] = [];
  checkQueueDepths([['Event', q]], { maxQueueDepth: 5, minQueueDepth: 0, queueDepthWarning: 4 }, 3, (_l, m) => logs.push(m));
  assert.equal(q.numQueued(), 5);
  assert.deepEqual(logs, ['serf: Event queue depth: 8', 'serf: Event queue depth (8) exceeds limit (5), dropping messages!']);
});
