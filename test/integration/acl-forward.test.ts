// Forwarded calls are enforced by the server (issue 12): a client agent with no ACL resolver of its
// own forwards whole HTTP calls over RPC, and the server that answers checks the token the call
// carried — as X-Consul-Token, Authorization: Bearer or ?token= — with Consul's texts and headers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { FAST_GOSSIP_HCL } from '../support/cluster.js';
import { startInProcessAgent, type InProcessAgent } from '../support/in-process-agent.js';
import { TestAclResolver } from '../support/acl-test-resolver.js';
import { tmpDir } from '../support/tmp-dir.js';

const READ_ACCESSOR = randomUUID();
const resolver = new TestAclResolver(
  [
    { secret: 'secret-read', accessorId: READ_ACCESSOR, rules: 'key_prefix "app/" { policy = "read" }' },
    { secret: 'secret-manage', accessorId: randomUUID(), rules: 'management' },
  ],
  'deny',
);
const dir = tmpDir('consul-ts-acl-forward-');
let server: InProcessAgent | undefined;
let client: InProcessAgent | undefined;
/** The client agent's acl.tokens.default. */
let clientDefaultToken: string | undefined;

async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn().catch(() => false))) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const viaClient = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`http://127.0.0.1:${client?.ports.http}${path}`, init);

before(async () => {
  server = await startInProcessAgent({ dev: true, hcl: `node_name = "acl-server"\n${FAST_GOSSIP_HCL}`, acl: resolver });
  await until('a leader', async () => (await (await fetch(`http://127.0.0.1:${server?.ports.http}/v1/status/leader`)).text()) !== '""');
  const put = await fetch(`http://127.0.0.1:${server.ports.http}/v1/kv/app/config`, { method: 'PUT', body: 'v1', headers: { 'X-Consul-Token': 'secret-manage' } });
  assert.equal(put.status, 200);
  client = await startInProcessAgent({
    dev: false,
    hcl: `node_name = "acl-client"
data_dir = "${dir.path}"
bind_addr = "127.0.0.1"
client_addr = "127.0.0.1"
retry_join = ["127.0.0.1:${server.ports.serfLan}"]
${FAST_GOSSIP_HCL}`,
    defaultToken: () => clientDefaultToken,
  });
  await until('the client to reach a server', async () => (await (await viaClient('/v1/status/leader')).text()) !== '""');
});

after(async () => {
  await client?.stop();
  await server?.stop();
  dir.remove();
});

test('a client agent forwards the token; the server enforces it', { timeout: 120_000 }, async () => {
  const write = await viaClient('/v1/kv/app/config', { method: 'PUT', body: 'v2', headers: { 'X-Consul-Token': 'secret-read' } });
  assert.equal(write.status, 403);
  assert.equal(await write.text(), `Permission denied: token with AccessorID '${READ_ACCESSOR}' lacks permission 'key:write' on "app/config"`);
  assert.equal(write.headers.get('x-consul-default-acl-policy'), 'deny');

  const bearer = await viaClient('/v1/kv/app/config?raw', { headers: { Authorization: 'Bearer secret-read' } });
  assert.equal(bearer.status, 200);
  assert.equal(await bearer.text(), 'v1');
  const query = await viaClient('/v1/kv/app/config?raw&token=secret-read');
  assert.equal(query.status, 200);

  const anonymous = await viaClient('/v1/kv/app/config');
  assert.equal(anonymous.status, 403);
  assert.match(await anonymous.text(), /^Permission denied: anonymous token lacks permission 'key:read' on "app\/config"/);

  const unknown = await viaClient('/v1/kv/app/config', { headers: { 'X-Consul-Token': 'no-such-secret' } });
  assert.equal(unknown.status, 403);
  assert.equal(await unknown.text(), 'ACL not found');

  // A list through the client: the read token sees no nodes, and is told so.
  const nodes = await viaClient('/v1/catalog/nodes', { headers: { 'X-Consul-Token': 'secret-read' } });
  assert.equal(nodes.status, 200);
  assert.deepEqual(await nodes.json(), []);
  assert.equal(nodes.headers.get('x-consul-results-filtered-by-acls'), 'true');

  const managed = await viaClient('/v1/kv/app/config', { method: 'PUT', body: 'v3', headers: { 'X-Consul-Token': 'secret-manage' } });
  assert.equal(managed.status, 200);
});

test("a call without a token carries the client agent's default token (Consul's parseToken)", { timeout: 60_000 }, async () => {
  assert.equal((await viaClient('/v1/kv/app/config')).status, 403, 'no default token: anonymous');
  // No default token: the client forwards the anonymous secret, and the answer does not tell an
  // anonymous caller that anything was hidden (maskResultsFilteredByACLs).
  clientDefaultToken = 'anonymous';
  const anon = await viaClient('/v1/catalog/nodes');
  assert.equal(anon.status, 200);
  assert.deepEqual(await anon.json(), []);
  assert.equal(anon.headers.get('x-consul-results-filtered-by-acls'), null);
  clientDefaultToken = 'secret-read';
  try {
    const r = await viaClient('/v1/kv/app/config?raw');
    assert.equal(r.status, 200);
    const denied = await viaClient('/v1/kv/app/config', { method: 'PUT', body: 'x' });
    assert.equal(denied.status, 403);
    assert.match(await denied.text(), new RegExp(`AccessorID '${READ_ACCESSOR}' lacks permission 'key:write'`));
    // A token given with the call wins over the default.
    assert.equal((await viaClient('/v1/kv/app/config', { method: 'PUT', body: 'y', headers: { 'X-Consul-Token': 'secret-manage' } })).status, 200);
  } finally {
    clientDefaultToken = undefined;
  }
});
