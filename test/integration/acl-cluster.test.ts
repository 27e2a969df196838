// ACLs on a 3-server cluster with a client agent: writes through any server land once, tokens and
// policies replicate to every server (read there with ?stale), the client agent resolves tokens
// over the server port (ACL.ResolveToken) and forwards /v1/acl/* whole, and its agent_recovery
// token keeps working on its own /v1/agent/* with every server gone.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ServerSet, type ServerSlot } from '../support/servers.js';
import { TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';
import { eventually } from '../support/cluster.js';

const MGMT = '7b1f4c2e-2222-4a2b-9c3d-000000000001';
const CLIENT_RECOVERY = 'client-recovery-secret';
const ACL_HCL = `acl {
  enabled = true
  default_policy = "deny"
  tokens {
    initial_management = "${MGMT}"
  }
}
`;

let set: ServerSet;
let client: TestAgent | undefined;
const dir = tmpDir('consul-ts-acl-client-');

async function call(base: string, method: string, p: string, token?: string, body?: unknown): Promise<{ status: number; text: string; json<T = Record<string, unknown>>(): T }> {
  const headers: Record<string, string> = token === undefined ? {} : { 'X-Consul-Token': token };
  const res = await fetch(`${base}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, text, json: <T>() => JSON.parse(text) as T };
}

before(async () => {
  set = await ServerSet.create({ count: 3, raftMultiplier: 1, extraHcl: ACL_HCL });
  await set.startAll();
  const leader = await set.waitCommonLeader(30_000);
  await eventually('the management token works', async () => (await call(leader.url, 'GET', '/v1/acl/token/self', MGMT)).status === 200, 20_000);
  const clientConfig = path.join(dir.path, 'client.hcl');
  writeFileSync(clientConfig, `acl {\n  enabled = true\n  default_policy = "deny"\n  tokens {\n    agent_recovery = "${CLIENT_RECOVERY}"\n  }\n}\n`);
  const first = set.slots[0] as ServerSlot;
  client = await TestAgent.start({
    dev: false,
    dataDir: path.join(dir.path, 'client-data'),
    waitForLeader: false,
    args: ['-node=c1', `-retry-join=127.0.0.1:${first.ports.serfLan}`, `-config-file=${clientConfig}`],
  });
  await eventually('the client reaches a server', async () => (await call(client!.url, 'GET', '/v1/acl/token/self', MGMT)).status === 200, 20_000);
});

after(async () => {
  await client?.stop();
  await set?.stopAll();
  dir.remove();
});

test('a token written through a follower replicates to every server', async () => {
  const leader = await set.waitCommonLeader(10_000);
  const follower = set.slots.find((s) => s !== leader) as ServerSlot;
  const pol = await call(follower.url, 'PUT', '/v1/acl/policy', MGMT, { Name: 'kv-app', Rules: 'key_prefix "app/" { policy = "write" }\nacl = "read"' });
  assert.equal(pol.status, 200, pol.text);
  const tok = await call(follower.url, 'PUT', '/v1/acl/token', MGMT, { Description: 'app', Policies: [{ Name: 'kv-app' }] });
  assert.equal(tok.status, 200, tok.text);
  const { AccessorID, SecretID } = tok.json<{ AccessorID: string; SecretID: string }>();
  for (const s of set.slots) {
    await eventually(`${s.name} has the token`, async () => {
      const r = await call(s.url, 'GET', `/v1/acl/token/${AccessorID}?stale`, MGMT);
      return r.status === 200 && r.json().SecretID === SecretID;
    });
    const self = await call(s.url, 'GET', '/v1/acl/token/self?stale', SecretID);
    assert.equal(self.json().AccessorID, AccessorID, `${s.name} resolves the new secret`);
  }
});

test('client agent: /v1/acl/* is forwarded whole, agent endpoints resolve the token over RPC', async () => {
  const c = client as TestAgent;
  const tok = await call(c.url, 'PUT', '/v1/acl/token', MGMT, { Description: 'made through the client', Policies: [{ Name: 'kv-app' }] });
  assert.equal(tok.status, 200, tok.text);
  const { AccessorID, SecretID } = tok.json<{ AccessorID: string; SecretID: string }>();
  assert.equal((await call(c.url, 'GET', '/v1/acl/token/self', SecretID)).json().AccessorID, AccessorID);
  // /v1/agent/token/* is answered by the client itself, after resolving the secret through a server.
  const unknown = await call(c.url, 'PUT', '/v1/agent/token/agent', 'no-such-secret', { Token: 'x' });
  assert.deepEqual([unknown.status, unknown.text], [403, 'ACL not found']);
  const weak = await call(c.url, 'PUT', '/v1/agent/token/agent', SecretID, { Token: 'x' });
  assert.deepEqual([weak.status, weak.text], [403, `Permission denied: token with AccessorID '${AccessorID}' lacks permission 'agent:write' on "c1"`]);
  const ok = await call(c.url, 'PUT', '/v1/agent/token/default', MGMT, { Token: SecretID });
  assert.equal(ok.status, 200, ok.text);
  // No token on the request: the client's default token travels with the forwarded call.
  assert.equal((await call(c.url, 'GET', '/v1/acl/token/self')).json().AccessorID, AccessorID);
});

test('client agent: agent_recovery works on its own agent endpoints with every server gone', async () => {
  const c = client as TestAgent;
  await Promise.all(set.slots.map((s) => s.agent?.stop('SIGKILL')));
  const r = await call(c.url, 'PUT', '/v1/agent/token/replication', CLIENT_RECOVERY, { Token: 'r' });
  assert.equal(r.status, 200, r.text);
  const other = await call(c.url, 'PUT', '/v1/agent/token/replication', 'not-the-recovery-token', { Token: 'r' });
  assert.equal(other.status, 403, 'without servers an unknown token gets the default policy (deny)');
});
