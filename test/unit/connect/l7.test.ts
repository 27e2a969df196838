import assert from 'node:assert/strict';
import { test } from 'node:test';
import { permissionsAllow } from '../../../src/core/connect/l7.js';

const req = (method: string, path: string, headers: Record<string, string> = {}) => ({ method, path, headers });

test('L7 permissions: first match decides; path, method and header matches; no match denies', () => {
  const perms = [
    { Action: 'deny', HTTP: { PathPrefix: '/admin' } },
    { Action: 'allow', HTTP: { PathPrefix: '/v1', Methods: ['GET', 'HEAD'] } },
    { Action: 'allow', HTTP: { PathExact: '/health' } },
    { Action: 'allow', HTTP: { PathRegex: '/items/[0-9]+', Header: [{ Name: 'X-Team', Exact: 'blue' }] } },
    { Action: 'allow', HTTP: { PathPrefix: '/beta', Header: [{ Name: 'X-Debug', Present: true, Invert: true }] } },
  ];
  assert.equal(permissionsAllow(perms, req('GET', '/v1/kv?recurse')), true);
  assert.equal(permissionsAllow(perms, req('POST', '/v1/kv')), false, 'method not listed');
  assert.equal(permissionsAllow(perms, req('GET', '/admin/v1')), false, 'deny listed first');
  assert.equal(permissionsAllow(perms, req('GET', '/health')), true);
  assert.equal(permissionsAllow(perms, req('GET', '/health/x')), false, 'exact path only');
  assert.equal(permissionsAllow(perms, req('PUT', '/items/42', { 'x-team': 'blue' })), true);
  assert.equal(permissionsAllow(perms, req('PUT', '/items/42', { 'x-team': 'red' })), false);
  assert.equal(permissionsAllow(perms, req('PUT', '/items/42x', { 'x-team': 'blue' })), false, 'regex matches the whole path');
  assert.equal(permissionsAllow(perms, req('GET', '/beta')), true);
  assert.equal(permissionsAllow(perms, req('GET', '/beta', { 'x-debug': '1' })), false, 'inverted presence');
  assert.equal(permissionsAllow(perms, req('GET', '/other')), false, 'no permission matches: deny');
  assert.equal(permissionsAllow([{ Action: 'allow', HTTP: { PathRegex: '([' } }], req('GET', '/')), false, 'a bad regex never matches');
});
