// A client agent forwards whole HTTP calls to a server, which enforces ACLs: the token must reach
// it in every form Consul accepts (X-Consul-Token, Authorization: Bearer, ?token= in the URL).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestToken } from '../../../src/core/acl/index.js';
import { forwardedHeaders } from '../../../src/core/http/forward.js';

test('forwarded calls keep the request token, whichever way it was given', () => {
  const none = new URLSearchParams('');
  assert.equal(requestToken(forwardedHeaders({ 'x-consul-token': 's1', host: 'x' }), none), 's1');
  assert.equal(requestToken(forwardedHeaders({ authorization: 'Bearer s2' }), none), 's2');
  // ?token= travels in the URL, which is forwarded unchanged.
  assert.equal(requestToken(forwardedHeaders({}), new URLSearchParams('token=s3')), 's3');
  assert.equal(requestToken(forwardedHeaders({ cookie: 'c', 'x-forwarded-for': '1.2.3.4' }), none), undefined);
});
