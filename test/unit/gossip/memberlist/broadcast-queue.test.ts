import { test } from 'node:test';
import assert from 'node:assert/strict';
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
