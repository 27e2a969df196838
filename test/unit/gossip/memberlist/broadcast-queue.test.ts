import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TransmitLimitedQueue, type Broadcast } from '../../../../src/core/gossip/memberlist/broadcast-queue.js';

function named(name: string, size: number, finished?: () => void): Broadcast<string> {
  return finished === undefined ? { name, message: `${name}/${size}`, size } : { name, message: `${name}/${size}`, size, finished };
}

test('a newer broadcast about the same node replaces the queued one (and finishes it)', () => {
  const q = new TransmitLimitedQueue<string>(1, () => 10);
  let finished = 0;
  q.queue(named('a', 10, () => finished++));
  q.queue(named('b', 10));
  q.queue(named('a', 12));
  assert.equal(q.numQueued(), 2);
  assert.equal(finished, 1);
  assert.deepEqual(q.getBroadcasts(2, 1000).sort(), ['a/12', 'b/10']);
});

test('unnamed broadcasts invalidate only what they say they do; unique ones never', () => {
  const q = new TransmitLimitedQueue<string>(1, () => 10);
  const mk = (message: string, unique = false): Broadcast<string> => ({
    message,
    size: 5,
    unique,
    invalidates: (other) => other.message.startsWith(message.slice(0, 1)),
  });
  q.queue(mk('x1'));
  q.queue(mk('y1'));
  q.queue(mk('x2'));
  assert.equal(q.numQueued(), 2);
  q.queue(mk('x3', true));
  assert.equal(q.numQueued(), 3);
  q.queue(named('x', 5));
  assert.equal(q.numQueued(), 4, 'a named broadcast does not invalidate unnamed ones');
});

test('fewest transmits first, then largest, then newest; sends respect the byte limit', () => {
  const q = new TransmitLimitedQueue<string>(3, () => 10); // limit 3 * ceil(log10 11) = 6
  q.queue(named('small', 10));
  q.queue(named('big', 100));
  q.queue(named('mid', 50));
  // Room for big (100 + 2) and mid (50 + 2) but not small as well.
  assert.deepEqual(q.getBroadcasts(2, 160), ['big', 'mid'].map((n) => (n === 'big' ? 'big/100' : 'mid/50')));
  // small has fewer transmits now: it goes first, then the largest of the rest that fits.
  assert.deepEqual(q.getBroadcasts(2, 120), ['small/10', 'big/100']);
  q.queue(named('new1', 10));
  q.queue(named('new2', 10));
  assert.deepEqual(q.getBroadcasts(2, 12), ['new2/10'], 'newest first among equals');
});

test('a broadcast leaves the queue after its retransmit limit and is told it finished', () => {
  let n = 1; // limit = 2 * ceil(log10(2)) = 2
  const q = new TransmitLimitedQueue<string>(2, () => n);
  let finished = false;
  q.queue(named('a', 10, () => (finished = true)));
  assert.deepEqual(q.getBroadcasts(0, 100), ['a/10']);
  assert.equal(finished, false);
  assert.deepEqual(q.getBroadcasts(0, 100), ['a/10']);
  assert.equal(finished, true);
  assert.equal(q.numQueued(), 0);
  assert.deepEqual(q.getBroadcasts(0, 100), []);
  // The limit is read at send time: a bigger cluster means more retransmits.
  n = 100;
  q.queue(named('b', 10));
  for (let i = 0; i < 6; i++) assert.deepEqual(q.getBroadcasts(0, 100), ['b/10']);
  assert.equal(q.numQueued(), 0);
});

test('nothing fits: nothing is taken and transmit counts do not move', () => {
  const q = new TransmitLimitedQueue<string>(1, () => 1);
  q.queue(named('a', 100));
  assert.deepEqual(q.getBroadcasts(2, 50), []);
  assert.deepEqual(q.getBroadcasts(2, -5), []);
  assert.equal(q.numQueued(), 1);
});

test('prune keeps the least transmitted; reset finishes everything', () => {
  const q = new TransmitLimitedQueue<string>(10, () => 10);
  let finished = 0;
  q.queue(named('a', 10, () => finished++));
  q.getBroadcasts(0, 10);
  q.queue(named('b', 10, () => finished++));
  q.queue(named('c', 10, () => finished++));
  q.prune(2);
  assert.equal(finished, 1);
  assert.deepEqual(q.getBroadcasts(0, 100).sort(), ['b/10', 'c/10']);
  q.reset();
  assert.equal(finished, 3);
  assert.equal(q.numQueued(), 0);
});

// The queue files entries in per-transmit tiers so a packet costs O(messages * log queued). This
// model is the straightforward linear version it replaced (pick the best fitting entry by the Go
// btree order, again and again); random workloads must give the same packets from both.
class LinearModel {
  private entries: { name: string | undefined; size: number; message: string; transmits: number; id: number }[] = [];
  private idGen = 0;
  finished = 0;
  constructor(
    private readonly mult: number,
    private readonly nodes: () => number,
  ) {}
  queue(name: string | undefined, size: number, message: string): void {
    this.idGen++;
    if (name !== undefined) {
      const i = this.entries.findIndex((e) => e.name === name);
      if (i >= 0) {
        this.finished++;
        this.drop(i);
      }
    }
    this.entries.push({ name, size, message, transmits: 0, id: this.idGen });
  }
  get(overhead: number, limit: number): string[] {
    if (this.entries.length === 0) return [];
    const max = this.mult * Math.ceil(Math.log10(this.nodes() + 1));
    const taken: typeof this.entries = [];
    const out: string[] = [];
    let used = 0;
    for (;;) {
      const free = limit - used - overhead;
      if (free <= 0) break;
      let best: (typeof this.entries)[number] | undefined;
      for (const e of this.entries) {
        if (taken.includes(e) || e.size > free) continue;
        if (best === undefined || e.transmits < best.transmits || (e.transmits === best.transmits && (e.size > best.size || (e.size === best.size && e.id > best.id)))) best = e;
      }
      if (best === undefined) break;
      taken.push(best);
      used += overhead + best.size;
      out.push(best.message);
    }
    for (const e of taken) {
      if (e.transmits + 1 >= max) {
        this.drop(this.entries.indexOf(e));
        this.finished++;
      } else e.transmits++;
    }
    return out;
  }
  prune(keep: number): void {
    while (this.entries.length > keep) {
      let worst = 0;
      this.entries.forEach((e, i) => {
        const w = this.entries[worst] as (typeof this.entries)[number];
        if (e.transmits > w.transmits || (e.transmits === w.transmits && (e.size < w.size || (e.size === w.size && e.id < w.id)))) worst = i;
      });
      this.finished++;
      this.drop(worst);
    }
  }
  get length(): number {
    return this.entries.length;
  }
  private drop(i: number): void {
    this.entries.splice(i, 1);
    if (this.entries.length === 0) this.idGen = 0;
  }
}

test('tiered queue gives the same packets as a linear best-fit scan (random workloads)', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('queue' as const), name: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }), size: fc.integer({ min: 1, max: 120 }) }),
    fc.record({ kind: fc.constant('get' as const), overhead: fc.integer({ min: 0, max: 3 }), limit: fc.integer({ min: -5, max: 400 }) }),
    fc.record({ kind: fc.constant('prune' as const), keep: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('nodes' as const), n: fc.integer({ min: 1, max: 2000 }) }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 300 }), (mult, ops) => {
      let nodes = 10;
      let finished = 0;
      let serial = 0;
      const q = new TransmitLimitedQueue<string>(mult, () => nodes);
      const model = new LinearModel(mult, () => nodes);
      for (const o of ops) {
        if (o.kind === 'queue') {
          const message = `m${serial++}`;
          const name = o.name === undefined ? undefined : `n${o.name}`;
          const b: Broadcast<string> = { message, size: o.size, finished: () => finished++, ...(name === undefined ? {} : { name }) };
          q.queue(b);
          model.queue(name, o.size, message);
        } else if (o.kind === 'get') {
          assert.deepEqual(q.getBroadcasts(o.overhead, o.limit), model.get(o.overhead, o.limit));
        } else if (o.kind === 'prune') {
          q.prune(o.keep);
          model.prune(o.keep);
        } else nodes = o.n;
        assert.equal(q.numQueued(), model.length);
        assert.equal(finished, model.finished);
      }
    }),
    { numRuns: 300 },
  );
});

test('a queue of 2,000 broadcasts drains in the expected number of packets', () => {
  const q = new TransmitLimitedQueue<string>(4, () => 1000); // limit 16
  for (let i = 0; i < 2000; i++) q.queue(named(`node${i}`, 70));
  let packets = 0;
  let sent = 0;
  while (q.numQueued() > 0) {
    const got = q.getBroadcasts(2, 1396);
    assert.ok(got.length > 0);
    sent += got.length;
    packets++;
  }
  // 19 alive-sized messages per 1,400-byte packet, each sent 16 times.
  assert.equal(sent, 2000 * 16);
  assert.equal(packets, Math.ceil((2000 * 16) / 19));
});
