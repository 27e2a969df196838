import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runConsul } from './fake-agent.js';
import { type FakeAclAgent, MANAGEMENT_POLICY_ID, startFakeAclAgent } from './fake-acl-agent.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CREATED = 'Create Time:      2026-12-04 10:30:00.123456789 +0000 UTC';

describe('consul acl', { timeout: 120_000 }, () => {
  let agent: FakeAclAgent;
  let dir: string;
  const run = (args: string[], input?: string) => runConsul(['acl', ...args], { addr: agent.addr, ...(input !== undefined ? { input } : {}) });
  before(async () => {
    agent = await startFakeAclAgent();
    dir = mkdtempSync(join(tmpdir(), 'acl-cli-'));
  });
  after(() => agent.close());

  it('bootstrap prints the management token as Consul does, then fails with the agent text', async () => {
    const r = await run(['bootstrap']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const t = [...agent.tokens.values()][0]!;
    assert.equal(
      r.stdout,
      `AccessorID:       ${String(t.AccessorID)}\nSecretID:         ${String(t.SecretID)}\nDescription:      Bootstrap Token (Global Management)\nLocal:            false\n${CREATED}\nPolicies:\n   ${MANAGEMENT_POLICY_ID} - global-management\n\n`,
    );
    const again = await run(['bootstrap']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Failed ACL bootstrapping: Unexpected response code: 403 (Permission denied: ACL bootstrap no longer allowed (reset index: 13))\n');
  });

  it('policy create reads -rules from @file and from stdin, with -valid-datacenter', async () => {
    const file = join(dir, 'rules.hcl');
    writeFileSync(file, 'key_prefix "app/" {\n  policy = "write"\n}\n');
    const r = await run(['policy', 'create', '-name', 'app-write', '-description', 'App writer', '-rules', `@${file}`, '-valid-datacenter', 'dc1', '-valid-datacenter', 'dc2']);
    assert.equal(r.stderr, '');
    const p = [...agent.policies.values()].find((x) => x.Name === 'app-write')!;
    assert.equal(
      r.stdout,
      `ID:           ${String(p.ID)}\nName:         app-write\nDescription:  App writer\nDatacenters:  dc1, dc2\nRules:\nkey_prefix "app/" {\n  policy = "write"\n}\n\n`,
    );
    const stdin = await run(['policy', 'create', '-name', 'svc-read', '-rules', '-'], 'service_prefix "" { policy = "read" }');
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal([...agent.policies.values()].find((x) => x.Name === 'svc-read')?.Rules, 'service_prefix "" { policy = "read" }');
    const missing = await run(['policy', 'create', '-name', 'x', '-rules', `@${join(dir, 'nope.hcl')}`]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `Error loading rules: Failed to read file: open ${join(dir, 'nope.hcl')}: no such file or directory\n`);
    const dup = await run(['policy', 'create', '-name', 'app-write']);
    assert.equal(dup.stderr, 'Failed to create new policy: Unexpected response code: 400 (Invalid Policy: A Policy with Name "app-write" already exists)\n');
    const noName = await run(['policy', 'create']);
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /^Missing require '-name' flag\nUsage: consul acl policy create -name NAME \[options\]\n/);
  });

  it('policy read by name and by ID prefix, -meta, -format=json in api.ACLPolicy field order', async () => {
    const p = [...agent.policies.values()].find((x) => x.Name === 'app-write')!;
    const byName = await run(['policy', 'read', '-name', 'app-write', '-meta']);
    const hex = Buffer.from(String(p.Hash), 'base64').toString('hex');
    assert.match(byName.stdout, new RegExp(`Datacenters:  dc1, dc2\\nHash:         ${hex}\\nCreate Index: ${String(p.CreateIndex)}\\nModify Index: ${String(p.ModifyIndex)}\\nRules:\\n`));
    const byId = await run(['policy', 'read', '-id', String(p.ID).slice(0, 8), '-format=json']);
    assert.equal(byId.code, 0, byId.stderr);
    assert.deepEqual(Object.keys(JSON.parse(byId.stdout) as object), ['ID', 'Name', 'Description', 'Rules', 'Datacenters', 'Hash', 'CreateIndex', 'ModifyIndex']);
    assert.ok(byId.stdout.startsWith('{\n    "ID": '));
    const none = await run(['policy', 'read', '-name', 'nope']);
    assert.deepEqual([none.code, none.stderr], [1, 'Error policy not found: nope\n']);
    const neither = await run(['policy', 'read']);
    assert.equal(neither.stderr, 'Must specify either the -id or -name parameters\n');
    const bad = await run(['policy', 'read', '-name', 'app-write', '-format', 'yaml']);
    assert.deepEqual([bad.code, bad.stderr], [1, 'Unknown format: yaml\n']);
  });

  it('policy list, update (merging only the flags given) and delete', async () => {
    const list = await run(['policy', 'list']);
    assert.match(list.stdout, /^global-management:\n   ID:           00000000-0000-0000-0000-000000000001\n   Description:  Builtin Policy that grants unlimited access\n   Datacenters:  \n/);
    const up = await run(['policy', 'update', '-name', 'svc-read', '-description', 'Reads services']);
    assert.equal(up.code, 0, up.stderr);
    const p = [...agent.policies.values()].find((x) => x.Name === 'svc-read')!;
    assert.equal(p.Description, 'Reads services');
    assert.equal(p.Rules, 'service_prefix "" { policy = "read" }');
    const del = await run(['policy', 'delete', '-name', 'svc-read']);
    assert.equal(del.stdout, `Policy "${String(p.ID)}" deleted successfully\n`);
    const gone = await run(['policy', 'delete', '-name', 'svc-read']);
    assert.equal(gone.stderr, 'Error determining policy ID: No such policy with name svc-read\n');
  });

  it('token create -policy-name, read, list, clone, update, delete', async () => {
    const c = await run(['token', 'create', '-policy-name', 'app-write', '-description', 'app token', '-expires-ttl', '1h']);
    assert.equal(c.code, 0, c.stderr);
    const sent = JSON.parse(agent.requests.findLast((q) => q.path === '/v1/acl/token')!.body.toString()) as Record<string, unknown>;
    assert.deepEqual(sent.Policies, [{ Name: 'app-write' }]);
    assert.equal(sent.ExpirationTTL, 3_600_000_000_000);
    const accessor = /^AccessorID:\s+(\S+)$/m.exec(c.stdout)![1]!;
    assert.match(accessor, UUID);
    assert.match(c.stdout, /\nExpiration Time:  2026-12-04 11:30:00\.123 \+0000 UTC\n/);
    const read = await run(['token', 'read', '-accessor-id', accessor.slice(0, 6)]);
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stdout, /\nPolicies:\n   [0-9a-f-]{36} - app-write\n\n$/);
    const json = await run(['token', 'read', '-accessor-id', accessor, '-format=json']);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout) as object), [
      'CreateIndex', 'ModifyIndex', 'AccessorID', 'SecretID', 'Description', 'Policies', 'Local', 'ExpirationTTL', 'ExpirationTime', 'CreateTime', 'Hash',
    ]);
    assert.equal((JSON.parse(json.stdout) as { ExpirationTTL: number }).ExpirationTTL, 3_600_000_000_000);
    const list = await run(['token', 'list']);
    assert.equal(list.stdout.split('\nAccessorID:').length, agent.tokens.size, 'entries are separated by a blank line');
    const clone = await run(['token', 'clone', '-accessor-id', accessor, '-description', 'copy']);
    assert.equal(clone.code, 0, clone.stderr);
    assert.match(clone.stdout, /Description:      copy\n/);
    const up = await run(['token', 'update', '-accessor-id', accessor, '-append-policy-name', 'global-management']);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual((agent.tokens.get(accessor)!.Policies as Array<{ Name: string }>).map((l) => l.Name), ['app-write', 'global-management']);
    const both = await run(['token', 'update', '-accessor-id', accessor, '-policy-name', 'a', '-append-policy-name', 'b']);
    assert.match(both.stderr, /^Cannot combine the use of policy-id\/policy-name flags with append- variants\./);
    const del = await run(['token', 'delete', '-accessor-id', accessor]);
    assert.equal(del.stdout, `Token "${accessor}" deleted successfully\n`);
    const gone = await run(['token', 'read', '-accessor-id', accessor]);
    assert.equal(gone.stderr, `Error reading token "${accessor}": Unexpected response code: 403 (ACL not found)\n`);
  });

  it('token create and read validate their flags like Consul', async () => {
    const none = await run(['token', 'create']);
    assert.equal(
      none.stderr,
      'Cannot create a token without specifying -policy-name, -policy-id, -role-name, -role-id, -service-identity, or -node-identity at least once\n',
    );
    const ttl = await run(['token', 'create', '-policy-name', 'x', '-expires-ttl', 'soon']);
    assert.equal(ttl.code, 1);
    assert.match(ttl.stderr, /^invalid value "soon" for flag -expires-ttl: parse error\nUsage:\n/);
    const noId = await run(['token', 'read']);
    assert.equal(noId.stderr, 'Must specify the -accessor-id parameter\n');
    const svc = await run(['token', 'create', '-service-identity', 'a:b:c']);
    assert.equal(svc.stderr, 'Malformed -service-identity argument: "a:b:c"\n');
  });

  it('token read -self reads the token given by -token', async () => {
    const t = [...agent.tokens.values()].find((x) => String(x.Description).startsWith('Bootstrap'))!;
    const r = await run(['token', 'read', '-self', '-token', String(t.SecretID)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^AccessorID:       ${String(t.AccessorID)}\\n`));
    const bad = await run(['token', 'read', '-self', '-token', 'nope']);
    assert.equal(bad.stderr, 'Error reading token: Unexpected response code: 403 (ACL not found)\n');
  });

  it('role create, read, list, update and delete', async () => {
    const c = await run(['role', 'create', '-name', 'web', '-policy-name', 'app-write', '-service-identity', 'web:dc1,dc2', '-node-identity', 'n1:dc1']);
    assert.equal(c.code, 0, c.stderr);
    const r = [...agent.roles.values()][0]!;
    const pid = [...agent.policies.values()].find((x) => x.Name === 'app-write')!.ID as string;
    assert.equal(
      c.stdout,
      `ID:           ${String(r.ID)}\nName:         web\nDescription:  \nPolicies:\n   ${pid} - app-write\nService Identities:\n   web (Datacenters: dc1, dc2)\nNode Identities:\n   n1 (Datacenter: dc1)\n\n`,
    );
    const list = await run(['role', 'list']);
    assert.equal(
      list.stdout,
      `web:\n   ID:           ${String(r.ID)}\n   Description:  \n   Policies:\n      ${pid} - app-write\n   Service Identities:\n      web (Datacenters: dc1, dc2)\n   Node Identities:\n      n1 (Datacenter: dc1)\n\n`,
    );
    const up = await run(['role', 'update', '-id', String(r.ID).slice(0, 5), '-description', 'web role', '-service-identity', 'api']);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(agent.roles.get(String(r.ID))!.ServiceIdentities, [{ ServiceName: 'web', Datacenters: ['dc1', 'dc2'] }, { ServiceName: 'api' }]);
    const byName = await run(['role', 'read', '-name', 'web', '-format', 'json']);
    assert.deepEqual(Object.keys(JSON.parse(byName.stdout) as object), ['ID', 'Name', 'Description', 'Policies', 'ServiceIdentities', 'NodeIdentities', 'Hash', 'CreateIndex', 'ModifyIndex']);
    const missing = await run(['role', 'read', '-name', 'nope']);
    assert.equal(missing.stderr, 'Role not found with name "nope"\n');
    const noPol = await run(['role', 'create', '-name', 'x']);
    assert.equal(noPol.stderr, 'Cannot create a role without specifying -policy-name, -policy-id, -service-identity, or -node-identity at least once\n');
    const token = await run(['token', 'create', '-role-name', 'web']);
    assert.match(token.stdout, new RegExp(`\\nRoles:\\n   ${String(r.ID)} - web\\n`));
    const del = await run(['role', 'delete', '-name', 'web']);
    assert.equal(del.stdout, `Role "${String(r.ID)}" deleted successfully\n`);
  });

  it('set-agent-token sets each type and words errors as Consul does', async () => {
    const r = await run(['set-agent-token', 'agent', 'abc-123']);
    assert.deepEqual([r.code, r.stdout], [0, 'ACL token "agent" set successfully\n']);
    assert.equal(agent.agentTokens.get('agent'), 'abc-123');
    const rec = await run(['set-agent-token', 'recovery', '-'], 'from-stdin');
    assert.equal(rec.code, 0, rec.stderr);
    assert.equal(agent.agentTokens.get('agent_recovery'), 'from-stdin');
    assert.equal((await run(['set-agent-token'])).stderr, 'Error! Missing TYPE and TOKEN arguments\n');
    assert.equal((await run(['set-agent-token', 'agent'])).stderr, 'Error! Missing TOKEN argument\n');
    assert.equal((await run(['set-agent-token', 'bogus'])).stderr, 'Error! MISSING TYPE argument\n');
    // (sic) Consul's one-argument check does not know the newest type.
    assert.equal((await run(['set-agent-token', 'config_file_service_registration'])).stderr, 'Error! MISSING TYPE argument\n');
    assert.equal((await run(['set-agent-token', 'bogus', 'x'])).stderr, 'Unknown token type\n');
    assert.equal((await run(['set-agent-token', 'a', 'b', 'c'])).stderr, 'Error! Too many arguments: expected 2 got 3\n');
  });

  it('`consul acl` lists its subcommands and nested topics with their synopses (exit 1, as mitchellh/cli)', async () => {
    const r = await run([]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\n    policy             Manage Consul's ACL policies\n    role               Manage Consul's ACL roles\n/);
  });
});
