import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheKey, ResponseCache } from '../../../src/core/http/response-cache.js';

test('an answer is reused only at the index it was built at', () => {
  const c = new ResponseCache();
  let builds = 0;
  const build = () => ({ n: ++builds });
  const a = c.get('k', 5, build, false);
  const b = c.get('k', 5, build, false);
  assert.equal(a, b);
  assert.equal(builds, 1);
  const d = c.get('k', 6, build, false);
  assert.equal(d.toString(), '{"n":2}');
  assert.equal(c.get('k', 6, build, true).toString(), '{"n":2}', 'same key and index: cached body');
});

test('cache keys ignore the blocking parameters and order, but not the rest', () => {
  const k = (q: string, pretty = false) => cacheKey('/v1/health/service/web', new URLSearchParams(q), pretty);
  assert.equal(k('passing&index=5&wait=10s'), k('wait=1s&passing'));
  assert.equal(k('tag=a&passing'), k('passing&tag=a'));
  assert.notEqual(k('passing'), k(''));
  assert.notEqual(k('passing'), k('passing', true));
  assert.notEqual(k('filter=a'), k('filter=b'));
});
