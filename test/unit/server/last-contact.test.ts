// A server that never heard a leader is infinitely stale (hashicorp/raft's zero LastContact), so
// a max_stale read goes to the leader. Found by the netns partition test: a deposed leader that had
// never been a follower answered `?stale&max_stale=2s` from 5 s old state, its last contact being
// the election timer (under a second) instead of "never".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needsLeader } from '../../../src/core/http/forward.js';
import { lastContactMs, lastContactStat, NEVER_CONTACTED_MS } from '../../../src/core/server/last-contact.js';

test('last contact: 0 on the leader, the age on a follower, Go max Duration when never', () => {
  assert.equal(lastContactMs(true, undefined), 0);
  assert.equal(lastContactMs(false, 1_234), 1_234);
  // X-Consul-LastContact is whole milliseconds (it showed 52.26423500000237 from the monotonic clock).
  assert.equal(lastContactMs(false, 52.26423500000237), 52);
  assert.equal(lastContactStat(false, 3664.7809670000006), '3664ms');
  assert.equal(lastContactMs(false, undefined), NEVER_CONTACTED_MS);
  assert.equal(NEVER_CONTACTED_MS, Math.floor((2 ** 63 - 1) / 1e6));
  assert.equal(lastContactStat(false, undefined), 'never');
  assert.equal(lastContactStat(false, 250), '250ms');
  assert.equal(lastContactStat(true, undefined), '0');
});

test('a server that never heard a leader sends max_stale reads to the leader', () => {
  assert.equal(needsLeader('/v1/kv/a', new URLSearchParams('stale&max_stale=2s'), lastContactMs(false, undefined)), true);
  assert.equal(needsLeader('/v1/kv/a', new URLSearchParams('stale'), lastContactMs(false, undefined)), false);
});
