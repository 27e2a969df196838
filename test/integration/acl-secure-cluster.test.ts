// Consul's "secure the cluster" steps end to end (issue: security): three servers and a client
// agent with ACLs on (default_policy deny) and every RPC on mTLS. The operator bootstraps with the
// CLI, writes a policy from a file, makes tokens, gives the client agent its agent token with
// `consul acl set-agent-token`, and the client registers itself. The leader is killed; the tokens
// made before keep working through the client agent and the new leader, and a new token can be made.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { eventually } from '../support/cluster.js';
import { ServerSet, type ServerSlot } from '../support/servers.js';
import { TestAgent, runCli } from '../support/test-agent.js';
import { makeTestCerts, type CertPair } from '../support/tls-certs.js';

const certs = makeTestCerts();
const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  certs.remove();
});

function hcl(pair: CertPair): string {
  return `tls {
  defaults { ca_file = "${certs.caFile}" cert_file = "${pair.cert}" key_file = "${pair.key}" verify_incoming = true verify_outgoing = true }
  internal_rpc { verify_server_hostname = true }
  https { verify_incoming = false }
}
sync_coordinate_interval_min = "500ms"
acl {
  enabled = true
  default_policy = "deny"
  enable_token_persistence = true
}
`;
}

async function call(agent: { url: string }, method: string, p: string, token: string | undefined, body?: string): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(`${agent.url}${p}`, { method, body, headers: token ? { 'X-Consul-Token': token } : {}, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { status: 0, text: (err as Error).message };
  }
}

test('bootstrap, policy, tokens and the agent token on 3 mTLS servers and a client; tokens survive a leader kill', { timeout: 280_000 }, async () => {
  const set = await ServerSet.create({ count: 3, raftMultiplier: 1, extraHcl: hcl(certs.server) });
  cleanups.push(() => set.stopAll());
  await set.startAll();
  const leader = await set.waitCommonLeader(60_000);

  const clientConf = path.join(certs.dir, 'client.hcl');
  writeFileSync(clientConf, hcl(certs.client));
  const first = set.slots[0] as ServerSlot;
  const client = await TestAgent.start({
    dev: false,
    dataDir: path.join(certs.dir, 'client-data'),
    waitForLeader: false,
    args: ['-node=secure-client', `-retry-join=127.0.0.1:${first.ports.serfLan}`, '-retry-interval=1s', `-config-file=${clientConf}`],
  });
  cleanups.push(() => client.stop());
  const env = { CONSUL_HTTP_ADDR: client.addr };

  // 1. Bootstrap through the client agent (forwarded to the leader over mTLS).
  let boot = { stdout: '', stderr: '', code: null as number | null };
  await eventually('consul acl bootstrap succeeds', async () => {
    boot = await runCli(['acl', 'bootstrap', '-format=json'], env);
    return boot.code === 0;
  }, 60_000, 500);
  const management = (JSON.parse(boot.stdout) as { SecretID: string }).SecretID;
  const again = await runCli(['acl', 'bootstrap'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /ACL bootstrap no longer allowed \(reset index: \d+\)/);

  // 2. A policy from a file, tokens for an application and for the client agent.
  const rulesFile = path.join(certs.dir, 'app.hcl');
  writeFileSync(rulesFile, 'key_prefix "app/" { policy = "write" }\nservice_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }\n');
  const mgmt = { ...env, CONSUL_HTTP_TOKEN: management };
  const pol = await runCli(['acl', 'policy', 'create', '-name', 'app', '-rules', `@${rulesFile}`], mgmt);
  assert.equal(pol.code, 0, pol.stderr);
  const agentPol = await runCli(['acl', 'policy', 'create', '-name', 'agent-secure-client', '-rules', 'node "secure-client" { policy = "write" }\nservice_prefix "" { policy = "read" }'], mgmt);
  assert.equal(agentPol.code, 0, agentPol.stderr);
  const appTok = await runCli(['acl', 'token', 'create', '-description', 'app', '-policy-name', 'app', '-format=json'], mgmt);
  assert.equal(appTok.code, 0, appTok.stderr);
  const app = (JSON.parse(appTok.stdout) as { SecretID: string; AccessorID: string });
  const agentTok = await runCli(['acl', 'token', 'create', '-description', 'agent', '-policy-name', 'agent-secure-client', '-format=json'], mgmt);
  assert.equal(agentTok.code, 0, agentTok.stderr);
  const agentSecret = (JSON.parse(agentTok.stdout) as { SecretID: string }).SecretID;

  // 3. The client agent gets its agent token; its anti-entropy can now register the node.
  const set1 = await runCli(['acl', 'set-agent-token', 'agent', agentSecret], mgmt);
  assert.equal(set1.code, 0, set1.stderr);
  assert.match(set1.stdout, /ACL token "agent" set successfully/);
  await eventually('the client node is in the catalog', async () => (await call(client, 'GET', '/v1/catalog/node/secure-client', management)).text.includes('"Node":"secure-client"'), 60_000, 500);
  // Its coordinate reports carry the agent token too (node:write on itself), so they are stored.
  await eventually('the client agent\'s coordinate is stored', async () => (await call(client, 'GET', '/v1/coordinate/node/secure-client', management)).status === 200, 30_000, 500);

  // The app token: writes its prefix, not another; anonymous reads nothing.
  assert.equal((await call(client, 'PUT', '/v1/kv/app/config', app.SecretID, 'v1')).status, 200);
  const denied = await call(client, 'PUT', '/v1/kv/other/x', app.SecretID, 'no');
  assert.equal(denied.status, 403);
  assert.equal(denied.text, `Permission denied: token with AccessorID '${app.AccessorID}' lacks permission 'key:write' on "other/x"`);
  assert.equal((await call(client, 'GET', '/v1/kv/app/config', undefined)).status, 403);

  // 4. Kill the leader. Tokens made before keep working, through the client and the new leader.
  await set.kill9(leader);
  const next = await set.waitCommonLeader(60_000, leader);
  await eventually('the app token writes through the client after the failover', async () => (await call(client, 'PUT', '/v1/kv/app/after', app.SecretID, 'v2')).status === 200, 60_000, 300);
  assert.equal((await call(next, 'GET', '/v1/kv/app/after?raw', app.SecretID)).text, 'v2');
  assert.equal((await call(next, 'PUT', '/v1/kv/other/y', app.SecretID, 'no')).status, 403);
  const self = await runCli(['acl', 'token', 'read', '-self', '-format=json'], { ...env, CONSUL_HTTP_TOKEN: app.SecretID });
  assert.equal(self.code, 0, self.stderr);
  assert.equal((JSON.parse(self.stdout) as { AccessorID: string }).AccessorID, app.AccessorID);
  const later = await runCli(['acl', 'token', 'create', '-description', 'after failover', '-policy-name', 'app'], mgmt);
  assert.equal(later.code, 0, later.stderr);

  // The killed server comes back over mTLS and knows the tokens.
  await set.start(leader);
  await eventually('the restarted server resolves the app token', async () => (await call(leader, 'GET', '/v1/kv/app/after?raw&stale', app.SecretID)).text === 'v2', 60_000, 500);
});
