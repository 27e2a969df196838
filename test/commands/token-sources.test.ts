// Every CLI command that talks to an agent sends the ACL token from each of Consul's sources
// (-token, -token-file, CONSUL_HTTP_TOKEN, CONSUL_HTTP_TOKEN_FILE), with api.NewClient's precedence:
// a token file (flag before env) whose content is not blank wins over a token (flag before env).
// The command list comes from the generated manifest, so a new command without an entry here fails.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type FakeAclAgent, startFakeAclAgent } from './fake-acl-agent.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONSUL = join(ROOT, 'bin/consul');
const UUID = '11111111-2222-3333-4444-555555555555';

interface Run {
  code: number | null;
  stderr: string;
}

/** Run consul until it exits or the agent has seen a request from it (then kill it): long-running commands stop there. */
function runUntilRequest(agent: FakeAclAgent, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const full: NodeJS.ProcessEnv = { ...process.env, CONSUL_HTTP_ADDR: agent.addr, ...env };
    for (const k of ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_TOKEN_FILE'] as const) if (!(k in env)) delete full[k];
    const child = spawn(CONSUL, args, { env: full, stdio: ['pipe', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const seen = agent.requests.length;
    const poll = setInterval(() => {
      if (agent.requests.length > seen) child.kill('SIGKILL');
    }, 20);
    const deadline = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve({ code, stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end('');
  });
}

describe('ACL token sources reach the agent from every command', { timeout: 300_000 }, () => {
  let agent: FakeAclAgent;
  let dir: string;
  const file = (name: string, content: string): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  before(async () => {
    agent = await startFakeAclAgent();
    dir = mkdtempSync(join(tmpdir(), 'token-sources-'));
  });
  after(() => agent.close());

  /** Arguments that make each command send at least one request. */
  const argsFor = (): Record<string, string[]> => ({
    'acl:bootstrap': [],
    'acl:policy:create': ['-name', 'p'],
    'acl:policy:delete': ['-id', UUID],
    'acl:policy:list': [],
    'acl:policy:read': ['-name', 'p'],
    'acl:policy:update': ['-id', UUID],
    'acl:role:create': ['-name', 'r', '-policy-name', 'p'],
    'acl:role:delete': ['-id', UUID],
    'acl:role:list': [],
    'acl:role:read': ['-name', 'r'],
    'acl:role:update': ['-id', UUID],
    'acl:set-agent-token': ['agent', 'x'],
    'acl:token:clone': ['-accessor-id', UUID],
    'acl:token:create': ['-policy-name', 'p'],
    'acl:token:delete': ['-accessor-id', UUID],
    'acl:token:list': [],
    'acl:token:read': ['-self'],
    'acl:token:update': ['-accessor-id', UUID],
    'catalog:datacenters': [],
    'catalog:nodes': [],
    'catalog:services': [],
    'config:delete': ['-kind', 'service-defaults', '-name', 'web'],
    'config:list': ['-kind', 'service-defaults'],
    'config:read': ['-kind', 'service-defaults', '-name', 'web'],
    'config:write': [file('entry.json', '{"Kind": "service-defaults", "Name": "web"}')],
    'connect:ca:get-config': [],
    'connect:ca:set-config': ['-config-file', file('ca.json', '{"Provider": "consul", "Config": {}}')],
    'connect:proxy': ['-service', 'web'],
    debug: ['-output', join(dir, 'debug')],
    event: ['-name', 'deploy'],
    exec: ['uptime'],
    'force-leave': ['node1'],
    info: [],
    'intention:check': ['web', 'db'],
    'intention:create': ['web', 'db'],
    'intention:delete': ['web', 'db'],
    'intention:get': ['web', 'db'],
    'intention:list': [],
    'intention:match': ['db'],
    join: ['127.0.0.1'],
    keyring: ['-list'],
    'kv:delete': ['k'],
    'kv:export': ['k'],
    'kv:get': ['k'],
    'kv:import': ['@' + file('kv.json', '[{"key": "a", "flags": 0, "value": "YQ=="}]')],
    'kv:put': ['k', 'v'],
    leave: [],
    lock: ['prefix', 'true'],
    maint: ['-enable'],
    members: [],
    monitor: [],
    'operator:autopilot:get-config': [],
    'operator:autopilot:set-config': ['-cleanup-dead-servers=false'],
    'operator:raft:list-peers': [],
    'operator:raft:remove-peer': ['-address', '10.0.0.1:8300'],
    'operator:raft:transfer-leader': [],
    reload: [],
    rtt: ['node1'],
    'services:deregister': ['-id', 'web'],
    'services:register': ['-name', 'web'],
    'snapshot:restore': [file('backup.snap', 'not really a snapshot')],
    'snapshot:save': [join(dir, 'out.snap')],
    watch: ['-type', 'key', '-key', 'k'],
  });

  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { flags: Record<string, unknown> }> };
  const ids = Object.entries(manifest.commands)
    .filter(([, c]) => 'token' in c.flags)
    .map(([id]) => id)
    .sort();
  const sources = [
    (s: string) => ({ args: ['-token', s], env: {} }),
    (s: string) => ({ args: ['-token-file', file(`flag-${s}`, `${s}\n`)], env: {} }),
    (s: string) => ({ args: [], env: { CONSUL_HTTP_TOKEN: s } }),
    (s: string) => ({ args: [], env: { CONSUL_HTTP_TOKEN_FILE: file(`env-${s}`, ` ${s} \n`) } }),
  ];

  it('every command taking -token has arguments here', () => {
    const table = argsFor();
    assert.ok(ids.length > 50, `${ids.length} commands`);
    assert.deepEqual(ids.filter((id) => !(id in table)), []);
  });

  // Commands in four groups (each its own test, to stay well inside the per-test timeout on a
  // loaded machine); command i uses token source i mod 4, so every source reaches many commands.
  for (let g = 0; g < 4; g++) {
    it(`commands group ${g + 1}/4 send the token from -token, -token-file, CONSUL_HTTP_TOKEN and CONSUL_HTTP_TOKEN_FILE`, async () => {
      const table = argsFor();
      const failures: string[] = [];
      for (let i = g; i < ids.length; i += 4) {
        const id = ids[i]!;
        if (!(id in table)) continue;
        const secret = `secret-${i}`;
        const source = sources[Math.floor(i / 4) % sources.length]!(secret);
        const from = agent.requests.length;
        const r = await runUntilRequest(agent, [...id.split(':'), ...source.args, ...table[id]!], source.env);
        const mine = agent.requests.slice(from);
        if (mine.length === 0) failures.push(`${id}: no request (exit ${String(r.code)}: ${r.stderr.trim()})`);
        for (const q of mine) {
          if (q.headers['x-consul-token'] !== secret) failures.push(`${id}: ${q.method} ${q.path} sent ${String(q.headers['x-consul-token'])}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('a token file wins over a token, a flag over its variable, and a blank file falls back to the token', async () => {
    const cases: Array<{ args: string[]; env: NodeJS.ProcessEnv; want: string | undefined }> = [
      { args: ['-token', 'flag'], env: { CONSUL_HTTP_TOKEN: 'env' }, want: 'flag' },
      { args: ['-token', 'flag'], env: { CONSUL_HTTP_TOKEN_FILE: file('f1', 'envfile') }, want: 'envfile' },
      { args: ['-token-file', file('f2', 'flagfile')], env: { CONSUL_HTTP_TOKEN_FILE: file('f3', 'envfile') }, want: 'flagfile' },
      { args: ['-token-file', file('f4', '  \n')], env: { CONSUL_HTTP_TOKEN: 'env' }, want: 'env' },
      { args: ['-token-file=', '-token', 'flag'], env: { CONSUL_HTTP_TOKEN_FILE: file('f5', 'envfile') }, want: 'flag' },
      { args: [], env: {}, want: undefined },
    ];
    for (const c of cases) {
      const from = agent.requests.length;
      const r = await runUntilRequest(agent, ['kv', 'get', ...c.args, 'k'], c.env);
      const got = agent.requests.slice(from).map((q) => q.headers['x-consul-token']);
      assert.deepEqual(got, [c.want], `${JSON.stringify(c)}: ${r.stderr}`);
    }
    const missing = await runUntilRequest(agent, ['kv', 'get', '-token-file', join(dir, 'missing'), 'k'], {});
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `Error connecting to Consul agent: Error loading token file: open ${join(dir, 'missing')}: no such file or directory\n`);
  });
});
