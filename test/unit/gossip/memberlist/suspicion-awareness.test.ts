import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Awareness } from '../../../../src/core/gossip/memberlist/awareness.js';
import { Suspicion } from '../../../../src/core/gossip/memberlist/suspicion.js';

test('suspicion: no confirmations -> max; each new confirmer pulls the deadline towards min', () => {
  // k = 3, min 500 ms, max 2 s, started at t = 1000.
  const s = new Suspicion('me', 3, 500, 2000, 1000);
  assert.equal(s.deadlineMs, 3000);
  assert.equal(s.confirm('me', 1000), false, 'the accuser itself is not a confirmation');
  assert.equal(s.confirm('foo', 1000), true);
  assert.equal(s.deadlineMs, 1000 + 1250);
  assert.equal(s.confirm('foo', 1100), false, 'the same confirmer counts once');
  assert.equal(s.confirm('bar', 1100), true);
  assert.equal(s.deadlineMs, 1000 + 811);
  assert.equal(s.confirm('baz', 1200), true);
  assert.equal(s.deadlineMs, 1000 + 500);
  assert.equal(s.numConfirmations, 3);
  assert.equal(s.confirm('qux', 1200), false, 'beyond k confirmations are no news');
  assert.equal(s.deadlineMs, 1500);
});

test('suspicion: k = 0 starts at min and ignores confirmations', () => {
  const s = new Suspicion('me', 0, 25, 30_000, 0);
  assert.equal(s.deadlineMs, 25);
  assert.equal(s.confirm('foo', 1), false);
  assert.equal(s.deadlineMs, 25);
});

test('suspicion: a confirmation after the shrunken timeout has passed fires at once', () => {
  const s = new Suspicion('me', 1, 100, 30_000, 0);
  assert.equal(s.confirm('foo', 200), true);
  assert.equal(s.deadlineMs, 200);
});

test('awareness: score is clamped to [0, max-1] and scales timeouts by score + 1', () => {
  const a = new Awareness(8);
  assert.equal(a.healthScore(), 0);
  a.applyDelta(-1);
  assert.equal(a.healthScore(), 0);
  a.applyDelta(3);
  assert.equal(a.healthScore(), 3);
  assert.equal(a.scaleTimeout(1000), 4000);
  a.applyDelta(100);
  assert.equal(a.healthScore(), 7);
  assert.equal(a.scaleTimeout(500), 4000);
  a.applyDelta(-2);
  assert.equal(a.healthScore(), 5);
});
