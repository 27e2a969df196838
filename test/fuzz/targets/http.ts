// The HTTP API of a real dev agent: methods, paths (from the route table, mutated: `//`, `..`,
// escapes, unknown segments), query strings and JSON bodies shaped like each endpoint's, mutated.
// A request may be refused with any 4xx or a Consul 5xx, but never with a Node error text, never
// by dropping the connection, and the agent must still answer afterwards.
// Not sent: ?index (a blocking query would wait by design), leave/reload/force-leave/snapshot
// restore/keyring (they change the agent itself, which the target needs to keep running).
import http from 'node:http';
import fc from 'fast-check';
import { TestAgent } from '../../support/test-agent.js';
import { textLike, type FuzzTarget } from '../target.js';

const PATHS = [
  '/v1/kv/a/b', '/v1/kv/', '/v1/txn', '/v1/status/leader', '/v1/status/peers', '/v1/agent/self', '/v1/agent/members',
  '/v1/operator/raft/configuration', '/v1/operator/autopilot/configuration', '/v1/operator/autopilot/health', '/v1/agent/services',
  '/v1/agent/service/web', '/v1/agent/service/register', '/v1/agent/service/deregister/web', '/v1/agent/service/maintenance/web',
  '/v1/agent/checks', '/v1/agent/check/register', '/v1/agent/check/deregister/c', '/v1/agent/check/pass/c', '/v1/agent/check/update/c',
  '/v1/agent/maintenance', '/v1/agent/health/service/id/web', '/v1/agent/health/service/name/web', '/v1/catalog/register',
  '/v1/catalog/deregister', '/v1/catalog/datacenters', '/v1/catalog/nodes', '/v1/catalog/services', '/v1/catalog/service/web',
  '/v1/catalog/node/n1', '/v1/catalog/node-services/n1', '/v1/health/node/n1', '/v1/health/checks/web', '/v1/health/service/web',
  '/v1/health/state/any', '/v1/session/create', '/v1/session/destroy/x', '/v1/session/renew/x', '/v1/session/info/x',
  '/v1/session/node/n1', '/v1/session/list', '/v1/event/fire/e', '/v1/event/list', '/v1/nope', '/ui/', '/',
  '/v1/agent/metrics', '/v1/agent/host',
];
const QUERY_KEYS = ['recurse', 'keys', 'separator', 'raw', 'cas', 'flags', 'acquire', 'release', 'stale', 'consistent', 'filter', 'tag', 'passing', 'node-meta', 'near', 'dc', 'pretty', 'wait', 'note', 'enable', 'reason', 'token', 'peer', 'ns'];
const queryValue = fc.oneof(fc.constantFrom('', 'true', '0', '-1', '1s', 'x', '"', 'Service == web', 'dc2', '18446744073709551616', '%', '%zz'), fc.string({ maxLength: 12 }));
const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.option(queryValue)), { maxLength: 4 }).map((kv) => kv.map(([k, v]) => (v === null ? k : `${k}=${encodeURIComponent(v)}`)).join('&'));

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const body = fc.oneof(
  fc.constant(''),
  fc.record({ Node: fc.constantFrom('n1', ''), Address: fc.constantFrom('10.0.0.1', ''), Service: fc.option(fc.record({ Service: fc.constantFrom('web', ''), Port: fc.oneof(fc.integer(), fc.string()), Tags: fc.oneof(fc.array(fc.string({ maxLength: 4 })), jsonValue) }, { requiredKeys: [] })), Check: fc.option(jsonValue), Checks: fc.option(jsonValue), Datacenter: fc.constantFrom('dc1', 'DC1', '', 'dc2') }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.record({ Name: fc.constantFrom('web', 'c', ''), ID: fc.string({ maxLength: 4 }), TTL: fc.constantFrom('10s', 'x', ''), HTTP: fc.constantFrom('http://127.0.0.1:1', ''), Interval: fc.constantFrom('1s', ''), Port: fc.oneof(fc.integer(), fc.string()), Status: fc.constantFrom('passing', 'bogus'), Check: fc.option(jsonValue), Checks: fc.option(jsonValue) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.array(fc.record({ KV: fc.record({ Verb: fc.constantFrom('set', 'get', 'cas', 'delete-tree', 'lock', 'x'), Key: fc.string({ maxLength: 4 }), Value: fc.constantFrom('YQ==', '!!', ''), Index: fc.integer() }, { requiredKeys: [] }) }), { maxLength: 3 }).map((o) => JSON.stringify(o)),
  jsonValue.map((v) => JSON.stringify(v)),
);
const path = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PATHS) }, { weight: 1, arbitrary: textLike(fc.constantFrom(...PATHS)).map((p) => (p.startsWith('/') ? p : `/${p}`)) });
const request = fc.record({ method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH'), path, query, body: textLike(body) });

/** Texts that only a Node exception puts into an answer. */
const NODE_ERROR = /TypeError|ReferenceError|RangeError|Cannot read prop|is not a function|is not iterable|undefined is not|Unexpected token|ERR_[A-Z_]+|at .*\.js:\d+|Maximum call stack/;

let agent: TestAgent | undefined;
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(method: string, reqPath: string, payload: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // An explicit length: Node's client sends a DELETE body with neither a length nor chunking,
    // which would leave the bytes on the connection as the start of the next request.
    const headers = { 'content-length': String(Buffer.byteLength(payload)) };
    const req = http.request({ host: '127.0.0.1', port: agent!.ports.http, method, path: reqPath, headers, agent: keepAlive, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 5 s to ${method} ${reqPath}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Node's client refuses some paths itself (unescaped characters): those never reach the agent. */
class NotSendable extends Error {}

export const httpTarget: FuzzTarget<{ method: string; path: string; query: string; body: string }> = {
  name: 'http',
  surface: 'HTTP API requests (method, path, query, JSON body) against a real dev agent',
  arbitrary: request,
  refusals: [NotSendable],
  async setup() {
    agent = await TestAgent.start({ args: ['-node=fuzz'] });
  },
  async teardown() {
    keepAlive.destroy();
    await agent?.stop();
  },
  async run({ method, path: p, query: q, body: b }) {
    const full = q ? `${p}?${q}` : p;
    if (/[^\x21-\x7e]/.test(full)) throw new NotSendable();
    const res = await send(method, full, method === 'GET' || method === 'HEAD' ? '' : b);
    if (res.status >= 400 && NODE_ERROR.test(res.text)) throw new Error(`${method} ${full} -> ${res.status} with a Node error: ${res.text.slice(0, 300)}`);
    if (res.status === 0) throw new Error(`${method} ${full}: no status`);
    const alive = await send('GET', '/v1/status/leader', '');
    if (alive.status !== 200) throw new Error(`agent stopped answering after ${method} ${full}`);
  },
};
