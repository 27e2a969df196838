// The ACL matrix (issue 12): every route and method of ROUTES, called with no token, a token
// with no policies, a read token, a write token of neighbouring prefixes and a management token,
// against an in-process dev agent whose ACL resolver is a TestAclResolver (default_policy deny).
// Each answer must match test/support/acl-matrix-table.ts; a route or method missing from the
// table fails the test. Also: DNS answers as the default (anonymous) token.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { ROUTES } from '../../src/core/http/routes.js';
import { createCsr, generateEcKey } from '../../src/core/tls/index.js';
import { startInProcessAgent, type InProcessAgent } from '../support/in-process-agent.js';
import { TestAclResolver } from '../support/acl-test-resolver.js';
import { EXTRA_ROWS, MATRIX, NODE, WEB_SERVICE, TOKEN_KINDS, TOKEN_RULES, type Fixtures, type MatrixRow, type Outcome, type TokenKind } from '../support/acl-matrix-table.js';

const SECRETS: Readonly<Record<Exclude<TokenKind, 'none'>, string>> = {
  empty: 'secret-empty',
  read: 'secret-read',
  neighbour: 'secret-neighbour',
  manage: 'secret-manage',
};

let started: InProcessAgent | undefined;
let resolver: TestAclResolver;
let httpPort = 0;
let dnsPort = 0;
const fixtures: Fixtures = { sessionId: '', csr: '' };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function call(method: string, path: string, token: string | undefined, body?: unknown, stream = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['X-Consul-Token'] = token;
    if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
    const req = http.request({ host: '127.0.0.1', port: httpPort, method, path, headers, timeout: 30_000 }, (res) => {
      if (stream && res.statusCode === 200) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const manage = (method: string, path: string, body?: unknown): Promise<Answer> => call(method, path, SECRETS.manage, body);

async function ok(method: string, path: string, body?: unknown): Promise<Answer> {
  const a = await manage(method, path, body);
  assert.equal(a.status, 200, `${method} ${path}: ${a.status} ${a.body}`);
  return a;
}

/** Everything the rows read or change, (re)created with the management token. */
async function setUp(): Promise<void> {
  await ok('PUT', '/v1/kv/app/config', 'v1');
  await ok('PUT', '/v1/kv/app/other', 'v1');
  await ok('PUT', '/v1/agent/service/register', WEB_SERVICE);
  await ok('PUT', '/v1/catalog/register', { Node: 'ext', Address: '10.0.0.9', Service: { Service: 'web', ID: 'web-ext' } });
  await ok('PUT', '/v1/connect/intentions/exact?source=api&destination=web', { Action: 'allow' });
  await ok('PUT', '/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'http' });
  const s = await ok('PUT', '/v1/session/create', { Node: NODE, Checks: [] });
  fixtures.sessionId = (JSON.parse(s.body) as { ID: string }).ID;
}

function classify(a: Answer, row: MatrixRow): Outcome {
  if (a.status === 403) return 'deny';
  if (a.status === 409 && a.body.includes('Permission denied')) return 'deny';
  if (a.headers['x-consul-results-filtered-by-acls'] === 'true') return 'filter';
  const hides = Object.values(row.expect).includes('hidden');
  return hides && a.status === 200 && a.body.trim().replace(/\s+/g, '') === '[]' ? 'hidden' : 'allow';
}

async function runRow(row: MatrixRow): Promise<string[]> {
  const failures: string[] = [];
  for (const kind of TOKEN_KINDS) {
    await setUp();
    const req = row.request(fixtures);
    const a = await call(row.method, req.path, kind === 'none' ? undefined : SECRETS[kind], req.body, req.stream);
    const got = classify(a, row);
    // Consul never tells an anonymous caller that something was hidden (maskResultsFilteredByACLs).
    const want = kind === 'none' && row.expect[kind] === 'filter' ? 'allow' : row.expect[kind];
    if (got !== want) failures.push(`${row.method} ${req.path} as ${kind}: want ${want}, got ${got} (${a.status} ${a.body.slice(0, 160)}) [${row.consul}]`);
    if (got === 'deny' && a.status === 403 && !a.body.startsWith('Permission denied')) failures.push(`${row.method} ${req.path} as ${kind}: 403 text ${JSON.stringify(a.body)}`);
    if (a.headers['x-consul-default-acl-policy'] !== 'deny') failures.push(`${row.method} ${req.path} as ${kind}: X-Consul-Default-ACL-Policy ${String(a.headers['x-consul-default-acl-policy'])}`);
  }
  return failures;
}

before(async () => {
  resolver = new TestAclResolver(
    (Object.keys(SECRETS) as (keyof typeof SECRETS)[]).map((k) => ({ secret: SECRETS[k], accessorId: randomUUID(), rules: TOKEN_RULES[k] })),
    'deny',
  );
  started = await startInProcessAgent({ dev: true, hcl: `node_name = "${NODE}"`, acl: resolver });
  httpPort = started.ports.http;
  dnsPort = started.ports.dns;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const l = await call('GET', '/v1/status/leader', undefined).catch(() => undefined);
    if (l && l.status === 200 && l.body !== '""') break;
    assert.ok(Date.now() < deadline, 'no leader within 30s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const key = await generateEcKey();
  fixtures.csr = await createCsr(key, 'spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web');
  await ok('PUT', '/v1/event/fire/deploy', 'x');
});

after(async () => {
  await started?.stop();
});

test('shared answers never cross tokens, and blocking queries wake with filtered answers', { timeout: 60_000 }, async () => {
  await setUp();
  // The response cache serves one serialized answer per index: per authorizer, in both directions.
  const full = await call('GET', '/v1/health/service/web', SECRETS.manage);
  const index = full.headers['x-consul-index'];
  assert.ok((JSON.parse(full.body) as unknown[]).length > 0);
  const hidden = await call('GET', '/v1/health/service/web', SECRETS.empty);
  assert.equal(hidden.headers['x-consul-index'], index, 'same index: a cache hit would be possible');
  assert.deepEqual(JSON.parse(hidden.body), []);
  assert.equal(hidden.headers['x-consul-results-filtered-by-acls'], 'true');
  const again = await call('GET', '/v1/health/service/web', SECRETS.manage);
  assert.equal(again.body, full.body);
  assert.equal(again.headers['x-consul-results-filtered-by-acls'], undefined);
  const hiddenAgain = await call('GET', '/v1/health/service/web', SECRETS.empty);
  assert.deepEqual(JSON.parse(hiddenAgain.body), []);
  assert.equal(hiddenAgain.headers['x-consul-results-filtered-by-acls'], 'true', 'a cache hit still reports the filtering');

  // Blocking: the read token wakes on a new service and sees it; the neighbour token wakes too and
  // sees nothing, told that something was hidden.
  const before = await call('GET', '/v1/catalog/services', SECRETS.read);
  const at = String(before.headers['x-consul-index']);
  const readWait = call('GET', `/v1/catalog/services?index=${at}&wait=20s`, SECRETS.read);
  const neighbourWait = call('GET', `/v1/catalog/services?index=${at}&wait=20s`, SECRETS.neighbour);
  await new Promise((r) => setTimeout(r, 200));
  await ok('PUT', '/v1/catalog/register', { Node: 'ext', Address: '10.0.0.9', Service: { Service: 'late', ID: 'late' } });
  const [seen, unseen] = await Promise.all([readWait, neighbourWait]);
  assert.ok(Number(seen.headers['x-consul-index']) > Number(at));
  assert.ok('late' in (JSON.parse(seen.body) as Record<string, unknown>));
  assert.ok(Number(unseen.headers['x-consul-index']) > Number(at));
  assert.deepEqual(JSON.parse(unseen.body), {});
  assert.equal(unseen.headers['x-consul-results-filtered-by-acls'], 'true');
});

test('ACL matrix: every route and method, five kinds of token, as Consul decides', { timeout: 300_000 }, async () => {
  const covered = new Set(MATRIX.map((r) => `${r.method} ${r.route}`));
  assert.equal(covered.size, MATRIX.length, 'one row per route and method');
  const all = ROUTES.flatMap((r) => Object.keys(r.methods).map((m) => `${m} ${r.path}`));
  const missing = all.filter((k) => !covered.has(k));
  assert.deepEqual(missing, [], 'routes without a row in the ACL matrix table');
  const failures: string[] = [];
  const ordered = [...MATRIX.filter((r) => !r.last), ...EXTRA_ROWS, ...MATRIX.filter((r) => r.last)];
  // The DNS check runs before the last rows (agent/leave stops the agent when allowed).
  for (const row of ordered) {
    if (row.last) failures.push(...(await dnsChecks()));
    failures.push(...(await runRow(row)));
  }
  console.log(`ACL matrix: ${covered.size} of ${all.length} route methods covered, ${(MATRIX.length + EXTRA_ROWS.length) * TOKEN_KINDS.length} calls`);
  assert.equal(covered.size, all.length);
  assert.deepEqual(failures, []);
});

const rcode = (p: dnsPacket.Packet): string => (p as { rcode?: string }).rcode ?? 'NOERROR';

function dnsAsk(name: string): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`dns ${name}: no answer`));
    }, 5000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(msg));
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), dnsPort, '127.0.0.1');
  });
}

/** DNS answers as the anonymous token: nothing without rules, the service once it may read it. */
async function dnsChecks(): Promise<string[]> {
  const failures: string[] = [];
  const denied = await dnsAsk('web.service.consul');
  if (rcode(denied) !== 'NXDOMAIN') failures.push(`dns web.service.consul as anonymous (no rules): ${rcode(denied)}`);
  const node = await dnsAsk(`${NODE}.node.consul`);
  if (rcode(node) !== 'NXDOMAIN') failures.push(`dns ${NODE}.node.consul as anonymous (no rules): ${rcode(node)}`);
  resolver.setAnonymousRules('service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }');
  try {
    const allowed = await dnsAsk('web.service.consul');
    if (rcode(allowed) !== 'NOERROR' || (allowed.answers ?? []).length === 0) failures.push(`dns web.service.consul with read rules: ${rcode(allowed)} ${(allowed.answers ?? []).length}`);
  } finally {
    resolver.setAnonymousRules('');
  }
  return failures;
}
