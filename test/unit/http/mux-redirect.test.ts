// Go's ServeMux request sanitizing as Consul 1.21 (Go 1.23) answers it, case by case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanPath, goEscapedPath, muxRedirect, redirectResponse } from '../../../src/core/http/mux-redirect.js';
import { isBareSubtree } from '../../../src/core/http/routes.js';

const redirect = (target: string) => muxRedirect(target, isBareSubtree);

test('cleanPath: path.Clean on a rooted path, trailing slash kept', () => {
  assert.equal(cleanPath('/v1/kv//app/cfg'), '/v1/kv/app/cfg');
  assert.equal(cleanPath('/a/./b/'), '/a/b/');
  assert.equal(cleanPath('/a/../../b'), '/b');
  assert.equal(cleanPath('/a/..'), '/');
  assert.equal(cleanPath('/a/.'), '/a');
  assert.equal(cleanPath('/a//'), '/a/');
  assert.equal(cleanPath('/..'), '/');
  assert.equal(cleanPath('a/b'), '/a/b');
  assert.equal(cleanPath(''), '/');
  assert.equal(cleanPath('/v1/kv/.hidden'), '/v1/kv/.hidden');
});

test('EscapedPath: the raw path when it is a valid encoding, else escaped again', () => {
  assert.equal(goEscapedPath('/v1/kv/a%2Fb'), '/v1/kv/a%2Fb');
  assert.equal(goEscapedPath('/v1/kv/a!b*(c)'), '/v1/kv/a!b*(c)');
  assert.equal(goEscapedPath('/v1/kv/a"b'), '/v1/kv/a%22b');
  assert.equal(goEscapedPath('/v1/kv/%zz'), undefined);
});

test('a path with //, . or .. redirects to the cleaned path and keeps the query as sent', () => {
  assert.equal(redirect('/v1/kv//app/cfg'), '/v1/kv/app/cfg');
  assert.equal(redirect('/v1/kv//app/cfg?dc=dc1&raw'), '/v1/kv/app/cfg?dc=dc1&raw');
  assert.equal(redirect('/v1/kv/app/./cfg'), '/v1/kv/app/cfg');
  assert.equal(redirect('/v1/kv/x/../app/cfg?index=3'), '/v1/kv/app/cfg?index=3');
  assert.equal(redirect('/v1/kv/app/'), undefined, 'a single trailing slash is clean');
  assert.equal(redirect('/v1/kv/app//'), '/v1/kv/app/');
  assert.equal(redirect('//v1/status/leader'), '/v1/status/leader');
  assert.equal(redirect('/v1/kv/app/cfg?x=//..'), undefined, 'only the path is cleaned');
});

test('escapes are not separators or dots; the Location escapes the escaped path once more (Go 1.23)', () => {
  assert.equal(redirect('/v1/kv/a%2F%2Fb'), undefined);
  assert.equal(redirect('/v1/kv/%2E%2E/x'), undefined);
  assert.equal(redirect('/v1/kv//a%20b'), '/v1/kv/a%2520b');
  assert.equal(redirect('/v1/kv/a"b//c'), '/v1/kv/a%2522b/c');
});

test('a subtree root without its slash redirects to it; routes of their own do not', () => {
  assert.equal(redirect('/v1/kv'), '/v1/kv/');
  assert.equal(redirect('/v1/kv?recurse'), '/v1/kv/?recurse');
  assert.equal(redirect('//v1//kv'), '/v1/kv/', 'one hop: cleaned and slashed');
  assert.equal(redirect('/v1/catalog/service'), '/v1/catalog/service/');
  assert.equal(redirect('/v1/agent/services'), undefined);
  assert.equal(redirect('/v1/catalog/services'), undefined);
  assert.equal(redirect('/v1/kv/foo'), undefined);
  assert.equal(redirect('/v1/nothing'), undefined);
});

test('http.Redirect: HTML body for GET, content type for GET and HEAD, nothing for writes', () => {
  const get = redirectResponse('GET', '/v1/kv/a?x=1&y="2"');
  assert.equal(get.status, 301);
  assert.equal(get.headers.Location, '/v1/kv/a?x=1&y="2"');
  assert.equal(get.headers['Content-Type'], 'text/html; charset=utf-8');
  assert.equal(get.body, '<a href="/v1/kv/a?x=1&amp;y=&#34;2&#34;">Moved Permanently</a>.\n\n');
  const head = redirectResponse('HEAD', '/v1/kv/a');
  assert.equal(head.headers['Content-Type'], 'text/html; charset=utf-8');
  assert.equal(head.body, '');
  const put = redirectResponse('PUT', '/v1/kv/a');
  assert.equal(put.headers['Content-Type'], undefined);
  assert.equal(put.body, '');
});
