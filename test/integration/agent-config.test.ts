// `consul agent` config compatibility as a process: Consul's texts for unreadable and malformed
// files and for unknown definition keys, deprecated keys accepted with Consul's warnings, -hcl,
// -ui-dir, -syslog, and a banner that says what runs.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { SYSLOG_SOCKETS } from '../../src/core/support/syslog.js';
import { allocatePorts, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dir = tmpDir();
after(() => dir.remove());

async function agentWith(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const ports = await allocatePorts();
  return runCli(['agent', '-dev', `-http-port=${ports.http}`, `-dns-port=${ports.dns}`, `-server-port=${ports.server}`, `-serf-lan-port=${ports.serfLan}`, `-serf-wan-port=${ports.serfWan}`, ...args], {}, undefined, 20_000);
}

describe('agent config compatibility', { timeout: 120_000 }, () => {
  test('a missing config file and a JSON syntax error get Consul\'s texts, exit 1', async () => {
    const missing = path.join(dir.path, 'missing.json');
    let r = await agentWith(`-config-file=${missing}`);
    assert.deepEqual([r.code, r.stderr], [1, `==> config: Open failed on ${missing}. open ${missing}: no such file or directory\n`]);
    const bad = path.join(dir.path, 'bad.json');
    writeFileSync(bad, '{\n  "node_name": "x",\n  log_level: "debug"\n}\n');
    r = await agentWith(`-config-file=${bad}`);
    assert.deepEqual([r.code, r.stderr], [1, `==> failed to parse ${bad}: invalid character 'l' looking for beginning of object key string (line 3, column 3)\n`]);
  });

  test('an unknown key in a service definition stops the agent instead of being dropped', async () => {
    const file = path.join(dir.path, 'nginx.json');
    writeFileSync(file, JSON.stringify({ service: { name: 'nginx', tag: 'lb', port: 80 } }));
    const r = await agentWith(`-config-file=${file}`);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `==> failed to parse ${file}: 1 error occurred:\n\t* invalid config key service.tag\n\n`);
  });

  test('deprecated ui_dir, -ui-dir, -hcl, -syslog and -encrypt: the agent starts and says so', async () => {
    const confDir = path.join(dir.path, 'conf.d');
    mkdirSync(confDir);
    writeFileSync(path.join(confDir, 'ui.json'), JSON.stringify({ ui_dir: '/usr/share/consul/ui' }));
    const key = Buffer.alloc(32, 3).toString('base64');
    const agent = await TestAgent.start({
      args: [`-config-dir=${confDir}`, '-ui-dir=/srv/ui', '-node=from-flag', '-hcl', 'node_name = "from-hcl"', '-syslog', `-encrypt=${key}`],
    });
    try {
      const out = agent.output;
      assert.match(out, /^ {12}Gossip Encryption: true$/m);
      assert.match(out, / \(HTTP: \d+, HTTPS: -1, gRPC: -1, gRPC-TLS: -1, DNS: \d+\)$/m);
      assert.match(out, /^\S+ \[WARN\]  agent: The 'ui_dir' field is deprecated\. Use the 'ui_config\.dir' field instead\.$/m);
      // A -hcl fragment is applied after the flags (Consul: builder.go), so it wins over -node.
      const self = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as { Config: Record<string, unknown> };
      assert.equal(self.Config.NodeName, 'from-hcl');
      if (!SYSLOG_SOCKETS.some((p) => existsSync(p))) {
        assert.match(out, /\[WARN\]  agent: Syslog setup failed: no syslog socket found \(tried \/dev\/log, \/var\/run\/syslog, \/var\/run\/log\); logging to stdout only$/m);
      }
    } finally {
      await agent.stop();
    }
  });
});
