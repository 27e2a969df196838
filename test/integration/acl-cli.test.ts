// The ACL CLI against a real agent with ACLs on (default deny), as Consul's "secure the cluster"
// steps run it: bootstrap, a policy from a rules file, a token linked by policy name, read, list,
// clone, delete, then agent tokens. The same agent keeps an audit log: its lines name the callers
// by AccessorID and never hold a secret.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestAgent, runCli } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';
import type { AuditRecord } from '../../src/core/audit/index.js';

const field = (out: string, name: string): string => {
  const m = new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(out);
  assert.ok(m, `${name} in:\n${out}`);
  return m[1]!;
};

describe('consul acl CLI on a real agent with ACLs on', { timeout: 180_000 }, () => {
  const dir = tmpDir('acl-cli-it-');
  const auditFile = join(dir.path, 'audit.json');
  let agent: TestAgent;
  let env: Record<string, string>;
  const consul = (args: string[], extra: Record<string, string> = {}, input?: string) => runCli(args, { ...env, ...extra }, input);

  before(async () => {
    const hcl = [
      'acl { enabled = true default_policy = "deny" }',
      `audit { enabled = true sink "it" { type = "file" format = "json" path = "${auditFile}" } }`,
    ];
    agent = await TestAgent.start({ args: hcl.flatMap((h) => ['-hcl', h]) });
    env = { CONSUL_HTTP_ADDR: agent.addr, CONSUL_HTTP_TOKEN: '', CONSUL_HTTP_TOKEN_FILE: '' };
  });
  after(async () => {
    await agent?.stop();
    dir.remove();
  });

  it('bootstrap -> policy create -rules @file -> token create -policy-name -> read/list/clone/delete -> set-agent-token', async () => {
    const boot = await consul(['acl', 'bootstrap']);
    assert.equal(boot.code, 0, boot.stderr);
    const mgmtAccessor = field(boot.stdout, 'AccessorID');
    const mgmt = field(boot.stdout, 'SecretID');
    assert.match(boot.stdout, /\nPolicies:\n   00000000-0000-0000-0000-000000000001 - global-management\n\n$/);
    const again = await consul(['acl', 'bootstrap']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^Failed ACL bootstrapping: Unexpected response code: 403 \(Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)\)\n$/);

    // Without a token (the anonymous one), default deny refuses the policy list.
    const denied = await consul(['acl', 'policy', 'list']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^Failed to retrieve the policy list: Unexpected response code: 403 \(/);

    const rules = join(dir.path, 'app.hcl');
    writeFileSync(rules, 'key_prefix "app/" {\n  policy = "write"\n}\n');
    const pol = await consul(['acl', 'policy', 'create', '-name', 'app-write', '-rules', `@${rules}`], { CONSUL_HTTP_TOKEN: mgmt });
    assert.equal(pol.code, 0, pol.stderr);
    const policyId = field(pol.stdout, 'ID');
    assert.match(pol.stdout, /\nRules:\nkey_prefix "app\/" \{\n  policy = "write"\n\}\n\n$/);

    const tokenFile = join(dir.path, 'mgmt.token');
    writeFileSync(tokenFile, `${mgmt}\n`);
    const tok = await consul(['acl', 'token', 'create', '-policy-name', 'app-write', '-description', 'app', '-token-file', tokenFile]);
    assert.equal(tok.code, 0, tok.stderr);
    const accessor = field(tok.stdout, 'AccessorID');
    const secret = field(tok.stdout, 'SecretID');
    assert.match(tok.stdout, new RegExp(`\\nPolicies:\\n   ${policyId} - app-write\\n`));

    // The new token works, and holds no acl rule: the ACL endpoints refuse it.
    assert.equal((await consul(['kv', 'put', 'app/x', '1'], { CONSUL_HTTP_TOKEN: secret })).code, 0);
    const other = await consul(['acl', 'policy', 'list'], { CONSUL_HTTP_TOKEN: secret });
    assert.equal(other.code, 1);
    assert.match(other.stderr, new RegExp(`^Failed to retrieve the policy list: Unexpected response code: 403 \\(Permission denied: token with AccessorID '${accessor}' lacks permission 'acl:read'\\)\n$`));

    const read = await consul(['acl', 'token', 'read', '-accessor-id', accessor.slice(0, 8)], { CONSUL_HTTP_TOKEN_FILE: tokenFile });
    assert.equal(read.code, 0, read.stderr);
    assert.equal(field(read.stdout, 'SecretID'), secret);
    const self = await consul(['acl', 'token', 'read', '-self', '-token', secret]);
    assert.equal(self.code, 0, self.stderr);
    assert.equal(field(self.stdout, 'AccessorID'), accessor);

    const list = await consul(['acl', 'token', 'list', '-token', mgmt]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.stdout.includes(`AccessorID:       ${accessor}\n`));
    assert.ok(list.stdout.includes(`AccessorID:       ${mgmtAccessor}\n`));
    const json = await consul(['acl', 'token', 'list', '-token', mgmt, '-format=json']);
    assert.ok((JSON.parse(json.stdout) as Array<{ AccessorID: string }>).some((t) => t.AccessorID === accessor));

    const clone = await consul(['acl', 'token', 'clone', '-accessor-id', accessor, '-description', 'app copy', '-token', mgmt]);
    assert.equal(clone.code, 0, clone.stderr);
    const cloneAccessor = field(clone.stdout, 'AccessorID');
    assert.notEqual(cloneAccessor, accessor);
    assert.match(clone.stdout, new RegExp(`Description:      app copy\\n[\\s\\S]*Policies:\\n   ${policyId} - app-write\\n`));

    const del = await consul(['acl', 'token', 'delete', '-accessor-id', cloneAccessor, '-token', mgmt]);
    assert.deepEqual([del.code, del.stdout], [0, `Token "${cloneAccessor}" deleted successfully\n`]);
    const gone = await consul(['acl', 'token', 'read', '-accessor-id', cloneAccessor, '-token', mgmt]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^Error reading token "[0-9a-f-]{36}": Unexpected response code: 403 \(ACL not found\)\n$/);

    const agentTok = await consul(['acl', 'set-agent-token', '-token', mgmt, 'agent', mgmt]);
    assert.deepEqual([agentTok.code, agentTok.stdout, agentTok.stderr], [0, 'ACL token "agent" set successfully\n', '']);
    const dflt = await consul(['acl', 'set-agent-token', '-token', mgmt, 'default', '-'], {}, secret);
    assert.equal(dflt.code, 0, dflt.stderr);
    // The default token now applies to requests without one.
    assert.equal((await consul(['kv', 'get', 'app/x'])).stdout, '1\n');

    // The audit log named each caller by AccessorID and never holds a secret.
    const deadline = Date.now() + 15_000;
    let records: AuditRecord[] = [];
    for (;;) {
      records = readFileSync(auditFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as AuditRecord);
      if (records.some((r) => r.path === '/v1/agent/token/default')) break;
      if (Date.now() > deadline) throw new Error('no audit line for PUT /v1/agent/token/default');
      await new Promise((r) => setTimeout(r, 100));
    }
    const text = readFileSync(auditFile, 'utf8');
    for (const s of [mgmt, secret]) assert.ok(!text.includes(s), 'a secret reached the audit log');
    assert.ok(records.some((r) => r.method === 'PUT' && r.path === '/v1/acl/policy' && r.accessor_id === mgmtAccessor && r.status === 200));
    assert.ok(records.some((r) => r.method === 'PUT' && r.path === '/v1/kv/app/x' && r.accessor_id === accessor && r.status === 200));
    assert.ok(records.some((r) => r.method === 'GET' && r.path === '/v1/acl/policies' && r.accessor_id === accessor && r.status === 403));
    assert.ok(records.some((r) => r.method === 'GET' && r.path === '/v1/acl/policies' && r.accessor_id === '00000000-0000-0000-0000-000000000002' && r.status === 403));
  });
});
