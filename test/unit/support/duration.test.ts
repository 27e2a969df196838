import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGoDuration, parseGoDuration } from '../../../src/core/support/duration.js';

test('Go durations parse as time.ParseDuration does', () => {
  assert.equal(parseGoDuration('10s'), 10_000);
  assert.equal(parseGoDuration('15.0s'), 15_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('1h'), 3_600_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('100us'), 0.1);
  for (const bad of ['', '10', 's', '1x', 'forever', '1s2']) assert.throws(() => parseGoDuration(bad), Error, bad);
});

test('durations format as Duration.String does', () => {
  assert.equal(formatGoDuration(15_000), '15s');
  assert.equal(formatGoDuration(90_000), '1m30s');
  assert.equal(formatGoDuration(3_600_000), '1h0m0s');
  assert.equal(formatGoDuration(250), '250ms');
  assert.equal(formatGoDuration(0), '0s');
});
