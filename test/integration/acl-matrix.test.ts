// The ACL matrix (issue 12): every route and method of ROUTES, called with no token, a token
// with no policies, a read token, a write token of neighbouring prefixes and a management token,
// against an in-process dev agent whose ACL resolver is a TestAclResolver (default_policy deny).
// Each answer must match test/support/acl-matrix-table.ts; a route or method missing from the
// table fails the test. Also: DNS answers as the default (anonymous) token, and cached or blocking
// answers never cross tokens.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { startInProcessAgent, type InProcessAgent } from '../support/in-process-agent.js';
import { TestAclResolver } from '../support/acl-test-resolver.js';
import { NODE, TOKEN_RULES } from '../support/acl-matrix-table.js';
import { MatrixRunner, type Secrets } from '../support/acl-matrix-runner.js';

const SECRETS: Secrets = {
  empty: 'secret-empty',
  read: 'secret-read',
  neighbour: 'secret-neighbour',
  manage: 'secret-manage',
};

let started: InProcessAgent | undefined;
let resolver: TestAclResolver;
let runner: MatrixRunner;
let dnsPort = 0;

before(async () => {
  resolver = new TestAclResolver(
    (Object.keys(SECRETS) as (keyof Secrets)[]).map((k) => ({ secret: SECRETS[k], accessorId: randomUUID(), rules: TOKEN_RULES[k] })),
    'deny',
  );
  started = await startInProcessAgent({ dev: true, hcl: `node_name = "${NODE}"`, acl: resolver });
  dnsPort = started.ports.dns;
  runner = new MatrixRunner(started.ports.http, SECRETS);
  await runner.waitForLeader();
  await runner.prepare();
});

after(async () => {
  await started?.stop();
});

test('shared answers never cross tokens, and blocking queries wake with filtered answers', { timeout: 60_000 }, async () => {
  await runner.setUp();
  // The response cache serves one serialized answer per index: per authorizer, in both directions.
  const full = await runner.call('GET', '/v1/health/service/web', SECRETS.manage);
  const index = full.headers['x-consul-index'];
  assert.ok((JSON.parse(full.body) as unknown[]).length > 0);
  const hidden = await runner.call('GET', '/v1/health/service/web', SECRETS.empty);
  assert.equal(hidden.headers['x-consul-index'], index, 'same index: a cache hit would be possible');
  assert.deepEqual(JSON.parse(hidden.body), []);
  assert.equal(hidden.headers['x-consul-results-filtered-by-acls'], 'true');
  const again = await runner.call('GET', '/v1/health/service/web', SECRETS.manage);
  assert.equal(again.body, full.body);
  assert.equal(again.headers['x-consul-results-filtered-by-acls'], undefined);
  const hiddenAgain = await runner.call('GET', '/v1/health/service/web', SECRETS.empty);
  assert.deepEqual(JSON.parse(hiddenAgain.body), []);
  assert.equal(hiddenAgain.headers['x-consul-results-filtered-by-acls'], 'true', 'a cache hit still reports the filtering');

  // Blocking: the read token wakes on a new service and sees it; the neighbour token wakes too and
  // sees nothing, told that something was hidden.
  const before = await runner.call('GET', '/v1/catalog/services', SECRETS.read);
  const at = String(before.headers['x-consul-index']);
  const readWait = runner.call('GET', `/v1/catalog/services?index=${at}&wait=20s`, SECRETS.read);
  const neighbourWait = runner.call('GET', `/v1/catalog/services?index=${at}&wait=20s`, SECRETS.neighbour);
  await new Promise((r) => setTimeout(r, 200));
  await runner.ok('PUT', '/v1/catalog/register', { Node: 'ext', Address: '10.0.0.9', Service: { Service: 'late', ID: 'late' } });
  const [seen, unseen] = await Promise.all([readWait, neighbourWait]);
  assert.ok(Number(seen.headers['x-consul-index']) > Number(at));
  assert.ok('late' in (JSON.parse(seen.body) as Record<string, unknown>));
  assert.ok(Number(unseen.headers['x-consul-index']) > Number(at));
  assert.deepEqual(JSON.parse(unseen.body), {});
  assert.equal(unseen.headers['x-consul-results-filtered-by-acls'], 'true');
});

test('ACL matrix: every route and method, five kinds of token, as Consul decides', { timeout: 300_000 }, async () => {
  // The DNS check runs before the last rows (agent/leave stops the agent when allowed).
  const r = await runner.runAll(dnsChecks);
  console.log(`ACL matrix: ${r.covered} of ${r.total} route methods covered, ${r.calls} calls`);
  assert.equal(r.covered, r.total);
  assert.deepEqual(r.failures, []);
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
