import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LamportClock } from '../../../../src/core/gossip/serf/lamport.js';

test('a Lamport clock starts at 0 and increment returns the new value', () => {
  const c = new LamportClock();
  assert.equal(c.time(), 0);
  assert.equal(c.increment(), 1);
  assert.equal(c.increment(), 2);
  assert.equal(c.time(), 2);
});

test('witness moves past the seen time, never backwards', () => {
  const c = new LamportClock();
  c.witness(41);
  assert.equal(c.time(), 42);
  c.witness(10);
  assert.equal(c.time(), 42);
  c.witness(42); // equal to ours: someone already sent at 42
  assert.equal(c.time(), 43);
});
