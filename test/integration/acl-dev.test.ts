// The ACL system on one real server agent: 401 when ACLs are off, bootstrap once (Consul's 403
// with the reset index, acl-bootstrap-reset reopening it once), token/policy/role CRUD in Consul's
// shapes and texts, token self, SecretID redaction, agent tokens persisted to acl-tokens.json, a
// restart that keeps everything (snapshot + log replay), and the deprecated top-level ACL keys.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TestAgent, allocatePorts, runCli, type AgentPorts } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const MGMT = '7b1f4c2e-1111-4a2b-9c3d-000000000001';
const RECOVERY = 'recovery-secret-for-tests';
const dir = tmpDir('consul-ts-acl-');
const dataDir = path.join(dir.path, 'data');
const configFile = path.join(dir.path, 'acl.hcl');
let ports: AgentPorts;
let agent: TestAgent | undefined;
/** A token made with ExpirationTTL 1m at the start; the last test checks it is refused once expired. */
let expiring: { AccessorID: string; SecretID: string; ExpirationTime: string } | undefined;

interface Res {
  status: number;
  text: string;
  headers: Headers;
  json<T = Record<string, unknown>>(): T;
}

async function call(method: string, p: string, token?: string, body?: unknown): Promise<Res> {
  const headers: Record<string, string> = token === undefined ? {} : { 'X-Consul-Token': token };
  const res = await fetch(`http://127.0.0.1:${ports.http}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: <T>() => JSON.parse(text) as T };
}

async function startServer(): Promise<TestAgent> {
  return TestAgent.start({ dev: false, dataDir, ports, args: ['-server', '-bootstrap', '-node=acl1', `-config-file=${configFile}`] });
}

/** The leader makes the built-ins after it is elected: wait for the management token to work. */
async function waitForAcls(): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await call('GET', '/v1/acl/token/self', MGMT).catch(() => undefined);
    if (r?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`ACLs not ready: ${r?.status} ${r?.text}\n${agent?.output ?? ''}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

before(async () => {
  ports = await allocatePorts();
  writeFileSync(
    configFile,
    `acl {
  enabled = true
  default_policy = "deny"
  enable_token_persistence = true
  tokens {
    initial_management = "${MGMT}"
    agent_recovery = "${RECOVERY}"
  }
}
raft_snapshot_threshold = 8
raft_snapshot_interval = "1s"
`,
  );
  agent = await startServer();
  await waitForAcls();
  const short = await call('PUT', '/v1/acl/token', MGMT, { Description: 'short', ExpirationTTL: '30s' });
  assert.deepEqual([short.status, short.text], [500, 'ExpirationTime cannot be less than 1m0s in the future (was 30s)']);
  const r = await call('PUT', '/v1/acl/token', MGMT, { Description: 'expires', ExpirationTTL: '1m' });
  assert.equal(r.status, 200, r.text);
  expiring = r.json();
});

after(async () => {
  await agent?.stop();
  dir.remove();
});

test('ACLs off: /v1/acl/* and /v1/agent/token/* answer 401 ACL support disabled', async (t) => {
  const off = await TestAgent.start({ dev: true });
  t.after(() => off.stop());
  for (const [method, p] of [
    ['GET', '/v1/acl/tokens'],
    ['PUT', '/v1/acl/bootstrap'],
    ['GET', '/v1/acl/policies'],
    ['GET', '/v1/acl/token/self'],
    ['PUT', '/v1/agent/token/default'],
    ['GET', '/v1/acl/replication'],
    ['GET', '/v1/acl/auth-methods'],
  ] as const) {
    const res = await fetch(`${off.url}${p}`, { method, body: method === 'PUT' ? '{}' : undefined });
    assert.equal(res.status, 401, `${method} ${p}`);
    assert.equal(await res.text(), 'ACL support disabled');
  }
});

test('built-ins: global-management policy, anonymous token, initial management token', async () => {
  const list = await call('GET', '/v1/acl/tokens', MGMT);
  assert.equal(list.status, 200);
  const tokens = list.json<Record<string, unknown>[]>();
  const anon = tokens.find((t) => t.AccessorID === '00000000-0000-0000-0000-000000000002');
  assert.equal(anon?.SecretID, 'anonymous');
  assert.equal(anon?.Description, 'Anonymous Token');
  const mgmt = tokens.find((t) => t.SecretID === MGMT);
  assert.equal(mgmt?.Description, 'Initial Management Token');
  assert.deepEqual(mgmt?.Policies, [{ ID: '00000000-0000-0000-0000-000000000001', Name: 'global-management' }]);
  const gm = await call('GET', '/v1/acl/policy/00000000-0000-0000-0000-000000000001', MGMT);
  assert.equal(gm.json().Name, 'global-management');
  assert.match(String(gm.json().Rules), /acl = "write"/);
  const repl = await call('GET', '/v1/acl/replication');
  assert.deepEqual([repl.status, repl.json().Enabled, repl.json().LastSuccess], [200, false, '0001-01-01T00:00:00Z']);
  assert.equal((await call('GET', '/v1/acl/binding-rules', MGMT)).text.trim(), '[]');
  const del = await call('DELETE', '/v1/acl/policy/00000000-0000-0000-0000-000000000001', MGMT);
  assert.deepEqual([del.status, del.text], [500, 'Delete operation not permitted on the builtin global-management policy']);
});

test('bootstrap: refused after initial_management bootstrapped; acl-bootstrap-reset reopens it once', async () => {
  const first = await call('PUT', '/v1/acl/bootstrap');
  assert.equal(first.status, 403);
  const m = /^Permission denied: ACL bootstrap no longer allowed \(reset index: (\d+)\)$/.exec(first.text);
  assert.ok(m, first.text);
  writeFileSync(path.join(dataDir, 'acl-bootstrap-reset'), `${m[1]}\n`);
  const again = await call('PUT', '/v1/acl/bootstrap');
  assert.equal(again.status, 200, again.text);
  const tok = again.json();
  assert.deepEqual(Object.keys(tok), ['AccessorID', 'SecretID', 'Description', 'Policies', 'Local', 'CreateTime', 'Hash', 'CreateIndex', 'ModifyIndex']);
  assert.equal(tok.Description, 'Bootstrap Token (Global Management)');
  assert.equal(existsSync(path.join(dataDir, 'acl-bootstrap-reset')), false, 'the reset file is consumed');
  const self = await call('GET', '/v1/acl/token/self', String(tok.SecretID));
  assert.equal(self.json().AccessorID, tok.AccessorID);
  const third = await call('PUT', '/v1/acl/bootstrap');
  assert.equal(third.status, 403);
  assert.equal(third.text, `Permission denied: ACL bootstrap no longer allowed (reset index: ${String(tok.CreateIndex)})`);
});

test('policies, roles and tokens: Consul shapes, validation texts, redaction and permission errors', async () => {
  const pol = await call('PUT', '/v1/acl/policy', MGMT, { Name: 'acl-reader', Description: 'reads', Rules: 'acl = "read"\nkey_prefix "app/" { policy = "write" }' });
  assert.equal(pol.status, 200, pol.text);
  assert.deepEqual(Object.keys(pol.json()), ['ID', 'Name', 'Description', 'Rules', 'Hash', 'CreateIndex', 'ModifyIndex']);
  const dup = await call('PUT', '/v1/acl/policy', MGMT, { Name: 'acl-reader', Rules: '' });
  assert.deepEqual([dup.status, dup.text], [500, 'Invalid Policy: A Policy with Name "acl-reader" already exists']);
  const bad = await call('PUT', '/v1/acl/policy', MGMT, { Name: 'bad', Rules: 'key_prefix "" { policy = "nope" }' });
  assert.equal(bad.status, 500);
  assert.match(bad.text, /^Invalid key_prefix policy: /);
  const withId = await call('PUT', '/v1/acl/policy', MGMT, { ID: 'x', Name: 'y' });
  assert.deepEqual([withId.status, withId.text], [400, 'Cannot specify the ID when creating a new policy']);
  const byName = await call('GET', '/v1/acl/policy/name/acl-reader', MGMT);
  assert.equal(byName.json().ID, pol.json().ID);
  const missing = await call('GET', '/v1/acl/policy/name/none', MGMT);
  assert.deepEqual([missing.status, missing.text], [403, 'ACL not found']);

  const role = await call('PUT', '/v1/acl/role', MGMT, { Name: 'readers', Policies: [{ Name: 'acl-reader' }], ServiceIdentities: [{ ServiceName: 'web' }] });
  assert.equal(role.status, 200, role.text);
  assert.deepEqual(role.json().Policies, [{ ID: pol.json().ID, Name: 'acl-reader' }]);
  const unknown = await call('PUT', '/v1/acl/token', MGMT, { Policies: [{ Name: 'nope' }] });
  assert.deepEqual([unknown.status, unknown.text], [500, 'No such ACL policy with name "nope"']);

  const created = await call('PUT', '/v1/acl/token', MGMT, { Description: 'reader', Roles: [{ Name: 'readers' }] });
  assert.equal(created.status, 200, created.text);
  const reader = created.json<{ AccessorID: string; SecretID: string }>();
  const noToken = await call('GET', `/v1/acl/token/${reader.AccessorID}`);
  assert.equal(noToken.status, 403);
  assert.equal(noToken.text, "Permission denied: anonymous token lacks permission 'acl:read'. The anonymous token is used implicitly when a request does not specify a token.");
  const notFound = await call('GET', '/v1/acl/tokens', 'no-such-secret');
  assert.deepEqual([notFound.status, notFound.text], [403, 'ACL not found']);
  const asReader = await call('GET', `/v1/acl/token/${reader.AccessorID}`, reader.SecretID);
  assert.equal(asReader.status, 200);
  assert.equal(asReader.json().SecretID, '<hidden>', 'acl:read without acl:write sees no secrets');
  assert.equal((await call('GET', `/v1/acl/token/${reader.AccessorID}`, MGMT)).json().SecretID, reader.SecretID);
  const write = await call('PUT', '/v1/acl/policy', reader.SecretID, { Name: 'z' });
  assert.equal(write.text, `Permission denied: token with AccessorID '${reader.AccessorID}' lacks permission 'acl:write'`);
  const filtered = await call('GET', `/v1/acl/tokens?role=readers`, MGMT);
  assert.deepEqual(filtered.json<{ AccessorID: string }[]>().map((x) => x.AccessorID), [reader.AccessorID]);

  const clone = await call('PUT', `/v1/acl/token/${reader.AccessorID}/clone`, MGMT, { Description: 'copy' });
  assert.equal(clone.status, 200, clone.text);
  assert.equal(clone.json().Description, 'copy');
  assert.deepEqual(clone.json().Roles, created.json().Roles);
  assert.notEqual(clone.json().SecretID, reader.SecretID);
  const upd = await call('PUT', `/v1/acl/token/${reader.AccessorID}`, MGMT, { Description: 'renamed', SecretID: '11111111-2222-3333-4444-555555555555' });
  assert.deepEqual([upd.status, upd.text], [500, 'Changing a tokens SecretID is not permitted']);
  const anonDel = await call('DELETE', '/v1/acl/token/00000000-0000-0000-0000-000000000002', MGMT);
  assert.deepEqual([anonDel.status, anonDel.text], [500, 'Delete operation not permitted on the anonymous token']);
  const del = await call('DELETE', `/v1/acl/token/${String(clone.json().AccessorID)}`, MGMT);
  assert.deepEqual([del.status, del.text.trim()], [200, 'true']);
  const gone = await call('GET', '/v1/acl/token/self', String(clone.json().SecretID));
  assert.deepEqual([gone.status, gone.text], [403, 'ACL not found']);
});

test('agent tokens: names and texts, persisted, and a restart keeps tokens and the default token', async () => {
  const unknown = await call('PUT', '/v1/agent/token/nope', MGMT, { Token: 'x' });
  assert.deepEqual([unknown.status, unknown.text], [404, 'Token "nope" is unknown']);
  const denied = await call('PUT', '/v1/agent/token/default', 'no-such-secret', { Token: 'x' });
  assert.deepEqual([denied.status, denied.text], [403, 'ACL not found']);
  const created = await call('PUT', '/v1/acl/token', MGMT, { Description: 'default for this agent', Policies: [{ Name: 'acl-reader' }] });
  const dflt = created.json<{ AccessorID: string; SecretID: string }>();
  // The agent_recovery token may set agent tokens on its own agent.
  const set = await call('PUT', '/v1/agent/token/acl_token', RECOVERY, { Token: dflt.SecretID });
  assert.equal(set.status, 200, set.text);
  const persisted = JSON.parse(readFileSync(path.join(dataDir, 'acl-tokens.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(persisted, { default: dflt.SecretID });
  assert.equal((await call('GET', '/v1/acl/token/self')).json().AccessorID, dflt.AccessorID, 'no token: the default token');

  // Enough writes to pass raft_snapshot_threshold, so the restart reads a snapshot and the log after it.
  for (let i = 0; i < 10; i++) assert.equal((await call('PUT', '/v1/acl/policy', MGMT, { Name: `p${i}`, Rules: '' })).status, 200);
  // The 1m token may expire during the restart on a slow machine: compare the others.
  const durable = (list: { AccessorID: string }[]): { AccessorID: string }[] => list.filter((t) => t.AccessorID !== expiring?.AccessorID);
  const before = durable((await call('GET', '/v1/acl/tokens', MGMT)).json());
  const snapshots = path.join(dataDir, 'raft', 'snapshots');
  const deadline = Date.now() + 15_000;
  while (!existsSync(snapshots) || readdirSync(snapshots).length === 0) {
    if (Date.now() > deadline) throw new Error('no Raft snapshot was taken');
    await new Promise((r) => setTimeout(r, 100));
  }
  await agent?.stop();
  agent = await startServer();
  await waitForAcls();
  const afterList = durable((await call('GET', '/v1/acl/tokens', MGMT)).json());
  assert.deepEqual(afterList, before, 'tokens survive the restart unchanged');
  assert.equal((await call('GET', '/v1/acl/token/self')).json().AccessorID, dflt.AccessorID, 'the persisted default token is loaded at start');
  assert.equal((await call('GET', '/v1/acl/policies', MGMT)).json<unknown[]>().length, 12);
});

test('deprecated top-level ACL keys: consul validate warns in Consul words and accepts them; the agent starts with ACLs on', async (t) => {
  const file = path.join(dir.path, 'legacy.json');
  writeFileSync(file, JSON.stringify({ data_dir: path.join(dir.path, 'legacy-data'), acl_datacenter: 'dc1', acl_default_policy: 'deny', acl_master_token: MGMT, acl_agent_token: 'y' }));
  const v = await runCli(['validate', file]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /Configuration is valid!/);
  assert.match(v.stderr, /The 'acl_datacenter' field is deprecated\. Use the 'primary_datacenter' field instead\./);
  assert.match(v.stderr, /The 'acl_master_token' field is deprecated\. Use the 'acl\.tokens\.initial_management' field instead\./);
  const legacy = await TestAgent.start({ dev: false, args: ['-server', '-bootstrap', '-node=legacy', `-config-file=${file}`] });
  t.after(() => legacy.stop());
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${legacy.url}/v1/acl/token/self`, { headers: { 'X-Consul-Token': MGMT } });
    if (res.status === 200) break;
    assert.notEqual(res.status, 401, 'acl_datacenter turns ACLs on');
    if (Date.now() > deadline) throw new Error(`legacy agent ACLs not ready: ${res.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const anon = await fetch(`${legacy.url}/v1/acl/tokens`);
  assert.equal(anon.headers.get('x-consul-default-acl-policy'), 'deny');
});

test('an expired token is refused as ACL not found and leaves the token list', async () => {
  const tok = expiring as NonNullable<typeof expiring>;
  assert.equal(Date.parse(tok.ExpirationTime) - Date.now() <= 60_000, true);
  // Wait (bounded) for the expiry Consul computed from ExpirationTTL 1m.
  const wait = Date.parse(tok.ExpirationTime) - Date.now() + 500;
  if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 65_000)));
  const self = await call('GET', '/v1/acl/token/self', tok.SecretID);
  assert.deepEqual([self.status, self.text], [403, 'ACL not found']);
  const read = await call('GET', `/v1/acl/token/${tok.AccessorID}`, MGMT);
  assert.deepEqual([read.status, read.text], [403, 'ACL not found']);
  const list = (await call('GET', '/v1/acl/tokens', MGMT)).json<{ AccessorID: string }[]>();
  assert.equal(list.some((t) => t.AccessorID === tok.AccessorID), false);
});

test('endpoints Consul checks no ACL on ignore even an unknown token; every answer names the real default policy', async () => {
  for (const p of ['/v1/status/leader', '/v1/status/peers', '/v1/catalog/datacenters', '/v1/coordinate/datacenters']) {
    const r = await call('GET', p, 'no-such-token');
    assert.equal(r.status, 200, `${p}: ${r.status} ${r.text}`);
    assert.equal(r.headers.get('x-consul-default-acl-policy'), 'deny');
  }
  const kv = await call('GET', '/v1/kv/x', 'no-such-token');
  assert.deepEqual([kv.status, kv.text], [403, 'ACL not found']);
  // Answered before any handler runs (405, 404): still the configured policy, not "allow".
  const head = await fetch(`http://127.0.0.1:${ports.http}/v1/kv/x`, { method: 'PATCH' });
  await head.text();
  assert.equal(head.status, 405);
  assert.equal(head.headers.get('x-consul-default-acl-policy'), 'deny');
  const missing = await fetch(`http://127.0.0.1:${ports.http}/v1/nothing-here`);
  await missing.text();
  assert.equal(missing.headers.get('x-consul-default-acl-policy'), 'deny');
});
