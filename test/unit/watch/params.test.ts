// Watch parameters: Consul's validation messages (api/watch/funcs.go, watch.go, agent reloadWatches).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentWatch, parseWatch, WatchParamError } from '../../../src/core/watch/index.js';

const rejects = (params: Record<string, unknown>, message: string | RegExp): void => {
  assert.throws(() => parseWatch(params), (e: unknown) => e instanceof WatchParamError && (typeof message === 'string' ? e.message === message : message.test(e.message)));
};

test('each type requires its parameters, with Consul’s messages', () => {
  rejects({}, 'Watch type must be specified');
  rejects({ type: 'bogus' }, 'Unsupported watch type: bogus');
  rejects({ type: 'key' }, 'Must specify a single key to watch');
  rejects({ type: 'keyprefix' }, 'Must specify a single prefix to watch');
  rejects({ type: 'service' }, 'Must specify a single service to watch');
  rejects({ type: 'checks', service: 'web', state: 'critical' }, 'Cannot specify service and state');
  rejects({ type: 'key', key: 7 }, 'Expecting key to be a string');
  rejects({ type: 'key', key: 'a', stale: 'yes' }, 'Expecting stale to be a boolean');
  rejects({ type: 'service', service: 'web', tag: [1] }, 'Index 0 of tag expected to be string');
  rejects({ type: 'service', service: 'web', tag: 3 }, 'Expecting tag to be a string or []string');
  rejects({ type: 'key', key: 'a', prefix: 'b' }, 'Invalid parameters: [prefix]');
  rejects({ type: 'event', stale: true }, 'Invalid parameters: [stale]');
  rejects({ type: 'nodes', handler_type: 'http' }, "Handler type 'http' requires 'http_handler_config' to be set");
  rejects({ type: 'nodes', handler_type: 'http', http_handler_config: {} }, "Failed to parse 'http_handler_config': Requires 'path' to be set");
  rejects({ type: 'nodes', handler_type: 'http', http_handler_config: { path: 'http://x', timeout: 'soon' } }, /^Failed to parse 'http_handler_config': Failed to parse timeout: time: invalid duration/);
});

test('valid watches build their blocking requests', () => {
  const key = parseWatch({ type: 'key', key: 'config/flag', stale: true });
  assert.deepEqual(key.query.request(0n), { path: '/v1/kv/config/flag', query: { stale: true } });
  assert.deepEqual(key.query.request(42n), { path: '/v1/kv/config/flag', query: { index: '42', stale: true } });
  const svc = parseWatch({ type: 'service', service: 'web', tag: ['a', 'b'], passingonly: true });
  assert.deepEqual(svc.query.request(0n), { path: '/v1/health/service/web', query: { tag: ['a', 'b'], passing: '1' } });
  assert.deepEqual(parseWatch({ type: 'service', service: 'web', tag: 'a' }).query.request(0n).query, { tag: ['a'] });
  assert.equal(parseWatch({ type: 'checks' }).query.request(0n).path, '/v1/health/state/any');
  assert.equal(parseWatch({ type: 'checks', service: 'web' }).query.request(0n).path, '/v1/health/checks/web');
  assert.deepEqual(parseWatch({ type: 'keyprefix', prefix: 'app/' }).query.request(0n).query, { recurse: true });
  assert.deepEqual(parseWatch({ type: 'event', name: 'deploy' }).query.request(7n), { path: '/v1/event/list', query: { name: 'deploy', index: '7' } });
  const w = parseWatch({ type: 'nodes', datacenter: 'dc2', token: 't', handler_type: 'http', http_handler_config: { path: 'http://h/x', header: { A: ['1', '2'] } } });
  assert.equal(w.datacenter, 'dc2');
  assert.equal(w.token, 't');
  assert.deepEqual(w.httpHandler, { path: 'http://h/x', method: 'POST', timeoutMs: 10_000, header: { A: ['1', '2'] }, tlsSkipVerify: false });
});

test('an unknown check state is refused when the query runs (Consul retries it), not at parse time', () => {
  const w = parseWatch({ type: 'checks', state: 'bogus' });
  assert.throws(() => w.query.request(0n), /Unsupported state: bogus/);
});

test('the parse does not consume the caller’s map', () => {
  const params = { type: 'key', key: 'a' };
  parseWatch(params);
  assert.deepEqual(params, { type: 'key', key: 'a' });
});

test('agent config watches need exactly one handler and a known handler type', () => {
  const bad = (raw: Record<string, unknown>, message: string | RegExp): void =>
    assert.throws(() => parseAgentWatch(raw), (e: unknown) => e instanceof WatchParamError && (typeof message === 'string' ? e.message === message : message.test(e.message)));
  bad({ type: 'key', key: 'a' }, 'Must define a watch handler');
  bad({ type: 'key', key: 'a', handler: 'x', args: ['y'] }, 'Only one watch handler allowed');
  bad({ type: 'key', key: 'a', handler_type: 'http', args: ['y'], http_handler_config: { path: 'http://h' } }, 'Only one watch handler allowed');
  bad({ type: 'key', key: 'a', handler_type: 'exec', args: ['y'] }, "Handler type 'exec' not recognized");
  bad({ type: 'connect_roots', args: ['y'] }, 'Watch type connect_roots is not allowed in agent config');
  bad({ type: 'key', handler: 'x' }, /^Failed to parse watch \(\{"type":"key","handler":"x"\}\): Must specify a single key to watch$/);
  bad({ type: 'key', key: 'a', handler: ['x'] }, 'Watch handler must be a string');
  bad({ type: 'key', key: 'a', args: [1] }, 'Watch args must be a list of strings');
  const script = parseAgentWatch({ type: 'key', key: 'a', handler: 'echo hi' });
  assert.deepEqual(script.handler, { kind: 'script', command: { script: 'echo hi' }, label: 'echo hi' });
  assert.equal(script.deprecatedHandler, true);
  const args = parseAgentWatch({ type: 'key', key: 'a', args: ['/bin/echo', 'hi'] });
  assert.deepEqual(args.handler, { kind: 'script', command: { args: ['/bin/echo', 'hi'] }, label: '[/bin/echo hi]' });
  const http = parseAgentWatch({ type: 'nodes', handler_type: 'http', http_handler_config: { path: 'http://h/', method: 'PUT', timeout: '2s' } });
  assert.equal(http.handler.kind, 'http');
});
