// Which reads a follower must hand to the leader: ?stale is answered locally, but max_stale bounds
// it, with or without ?stale (Consul's parseConsistency sets the same AllowStale +
// MaxStaleDuration for `?max_stale=2s` and `?stale&max_stale=2s`). Found by the netns partition
// test: an isolated server kept answering `?stale&max_stale=2s` from 10+ s old state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardHoldMs, needsLeader } from '../../../src/core/http/forward.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

test('needsLeader: default and consistent reads go to the leader, plain ?stale does not', () => {
  assert.equal(needsLeader('/v1/kv/a', q(''), 0), true);
  assert.equal(needsLeader('/v1/kv/a', q('consistent'), 0), true);
  assert.equal(needsLeader('/v1/kv/a', q('stale'), 60_000), false);
});

test('needsLeader: max_stale bounds a stale read with or without ?stale', () => {
  for (const base of ['', 'stale&']) {
    assert.equal(needsLeader('/v1/kv/a', q(`${base}max_stale=2s`), 1_500), false, `${base}max_stale within the bound`);
    assert.equal(needsLeader('/v1/kv/a', q(`${base}max_stale=2s`), 2_500), true, `${base}max_stale past the bound`);
  }
  // A zero bound is no bound: ?stale stays stale, a bare max_stale=0s is a default read.
  assert.equal(needsLeader('/v1/kv/a', q('stale&max_stale=0s'), 60_000), false);
  assert.equal(needsLeader('/v1/kv/a', q('max_stale=0s'), 0), true);
});

// Found by the netns lock test: `consul lock` B's blocking read, forwarded to a leader that was
// then cut off, failed with "connection lost" once it had waited longer than rpc_hold_timeout,
// instead of being retried against the new leader (Consul: HasTimedOut adds the blocking time).
test('forwardHoldMs: a blocking query may be retried for its whole wait plus the hold timeout', () => {
  assert.equal(forwardHoldMs('/v1/kv/a', 7_000, 67_000), 7_000);
  assert.equal(forwardHoldMs('/v1/kv/a?index=0', 7_000, 67_000), 7_000);
  assert.equal(forwardHoldMs('/v1/kv/a?index=42&wait=5m', 7_000, 348_750), 355_750);
  assert.equal(forwardHoldMs('/v1/kv/a?recurse&index=9', 7_000, 348_750), 355_750);
});
