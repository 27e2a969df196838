// `consul agent` as a process: config errors, pid file, signals, leave, /v1/agent/self.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { allocatePorts, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dir = tmpDir();
after(() => dir.remove());

async function agentOutputWith(config: unknown): Promise<{ code: number | null; out: string }> {
  const file = path.join(dir.path, `cfg-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  const ports = await allocatePorts();
  const r = await runCli(['agent', '-dev', `-http-port=${ports.http}`, `-dns-port=${ports.dns}`, `-server-port=${ports.server}`, `-config-file=${file}`], {}, undefined, 20_000);
  return { code: r.code, out: r.stdout + r.stderr + `\n(file ${file})` };
}

describe('agent lifecycle', { timeout: 90_000 }, () => {
  test('an invalid config file stops the agent with exit 1 naming the file and the key', async () => {
    let r = await agentOutputWith({ server: 'yes-please' });
    assert.equal(r.code, 1);
    assert.match(r.out, /failed to parse .*cfg-.*\.json/);
    assert.match(r.out, /'server' expected type 'bool', got unconvertible type 'string', value: 'yes-please'/);
    r = await agentOutputWith({ no_such_key: 1 });
    assert.equal(r.code, 1);
    assert.match(r.out, /invalid config key no_such_key/);
    r = await agentOutputWith({ ports: { http: 'x' } });
    assert.match(r.out, /'ports\.http' expected type 'int'/);
    r = await agentOutputWith('{ not json');
    assert.equal(r.code, 1);
    assert.match(r.out, /failed to parse .*cfg-/);
  });

  test('a server without -dev needs a data dir', async () => {
    const ports = await allocatePorts();
    const r = await runCli(['agent', '-server', `-http-port=${ports.http}`], {}, undefined, 20_000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /data_dir cannot be empty/);
  });

  test('pid file with missing parents, SIGTERM exits 0 and removes it', async () => {
    const pidFile = path.join(dir.path, 'run', 'deep', 'consul.pid');
    const dataDir = path.join(dir.path, 'a', 'b', 'data');
    const agent = await TestAgent.start({ dataDir, args: [`-pid-file=${pidFile}`] });
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(agent.proc.pid));
    assert.ok(existsSync(path.join(dataDir, 'node-id')));
    const code = await agent.stop('SIGTERM');
    assert.equal(code, 0);
    assert.ok(!existsSync(pidFile));
    assert.match(agent.output, /==> Caught signal: terminated/);
  });

  test('banner, /v1/agent/self and consul info report the agent', async () => {
    const agent = await TestAgent.start({ args: ['-node=lifecycle-node', '-datacenter=DC7'] });
    try {
      assert.match(agent.output, /==> Starting Consul agent\.\.\./);
      assert.match(agent.output, /Node name: 'lifecycle-node'/);
      const self = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as { Config: Record<string, unknown>; Stats: Record<string, Record<string, string>> };
      assert.equal(self.Config.NodeName, 'lifecycle-node');
      assert.equal(self.Config.Datacenter, 'dc7', 'datacenter is lower-cased as Consul does');
      assert.equal(self.Config.Server, true);
      assert.equal(self.Config.Version, '1.21.5');
      assert.equal(self.Stats.raft?.state, 'Leader');
      const info = await runCli(['info', `-http-addr=${agent.addr}`]);
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, /^raft:$/m);
      assert.match(info.stdout, /^\tstate = Leader$/m);
      assert.match(info.stdout, /^\tcommit_index = \d+$/m);
    } finally {
      await agent.stop();
    }
  });

  test('-dev without -data-dir keeps state in memory', async () => {
    const ports = await allocatePorts();
    let agent = await TestAgent.start({ ports });
    await fetch(`${agent.url}/v1/kv/mem`, { method: 'PUT', body: 'x' });
    await agent.stop();
    agent = await TestAgent.start({ ports });
    try {
      assert.equal((await fetch(`${agent.url}/v1/kv/mem`)).status, 404);
    } finally {
      await agent.stop();
    }
  });

  test('consul leave stops the agent gracefully', async () => {
    const agent = await TestAgent.start();
    const r = await runCli(['leave', `-http-addr=${agent.addr}`]);
    assert.equal(r.stdout.trim(), 'Graceful leave complete');
    assert.equal(await agent.exited(), 0);
  });
});
