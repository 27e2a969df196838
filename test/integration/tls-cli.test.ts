// The CLI against a real agent serving HTTPS with verify_incoming, all certificates made by
// `consul tls ca create` / `consul tls cert create` through the real CLI: with -ca-file,
// -client-cert and -client-key (or their CONSUL_* variables) commands work; without them they fail
// as Consul's do.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { CONSUL_BIN, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

/** Run `consul tls ...` in `cwd` (the command writes to the current directory). */
function tls(args: string[], cwd: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CONSUL_BIN, 'tls', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

describe('CLI over HTTPS to an agent with verify_incoming', { timeout: 180_000 }, () => {
  const dir = tmpDir('consul-tls-int-');
  const f = (name: string) => path.join(dir.path, name);
  let agent: TestAgent | undefined;
  let httpsAddr = '';

  before(async () => {
    for (const args of [['ca', 'create'], ['cert', 'create', '-server'], ['cert', 'create', '-cli']]) {
      const r = await tls(args, dir.path);
      assert.equal(r.code, 0, r.stderr);
    }
    const httpsPort = await freePort();
    httpsAddr = `127.0.0.1:${httpsPort}`;
    const config = {
      ports: { https: httpsPort },
      tls: {
        defaults: {
          ca_file: f('consul-agent-ca.pem'),
          cert_file: f('dc1-server-consul-0.pem'),
          key_file: f('dc1-server-consul-0-key.pem'),
          verify_incoming: true,
        },
      },
    };
    writeFileSync(f('tls.json'), JSON.stringify(config));
    agent = await TestAgent.start({ args: [`-config-file=${f('tls.json')}`] });
  });

  after(async () => {
    await agent?.stop();
    dir.remove();
  });

  const certFlags = () => ['-ca-file', f('consul-agent-ca.pem'), '-client-cert', f('dc1-cli-consul-0.pem'), '-client-key', f('dc1-cli-consul-0-key.pem')];

  it('works with -ca-file, -client-cert and -client-key, and with the CONSUL_* variables', async () => {
    const put = await runCli(['kv', 'put', '-http-addr', `https://${httpsAddr}`, ...certFlags(), 'secure/key', 'over-tls']);
    assert.equal(put.stderr, '');
    assert.equal(put.stdout, 'Success! Data written to: secure/key\n');
    assert.equal(put.code, 0);
    const get = await runCli(['kv', 'get', 'secure/key'], {
      CONSUL_HTTP_ADDR: httpsAddr,
      CONSUL_HTTP_SSL: 'true',
      CONSUL_CACERT: f('consul-agent-ca.pem'),
      CONSUL_CLIENT_CERT: f('dc1-cli-consul-0.pem'),
      CONSUL_CLIENT_KEY: f('dc1-cli-consul-0-key.pem'),
      CONSUL_TLS_SERVER_NAME: 'server.dc1.consul',
    });
    assert.equal(get.stderr, '');
    assert.equal(get.stdout, 'over-tls\n');
    const members = await runCli(['members', '-http-addr', `https://${httpsAddr}`, ...certFlags()]);
    assert.equal(members.code, 0, members.stderr);
    assert.match(members.stdout, /^Node\s+Address\s+Status\s+Type\s+Build\s+Protocol\s+DC\s+Partition\s+Segment\n/);
  });

  it('fails as Consul does without the client certificate or the CA, and the agent keeps serving', async () => {
    const url = `https://${httpsAddr}/v1/kv/secure/key`;
    const noCert = await runCli(['kv', 'get', '-http-addr', `https://${httpsAddr}`, '-ca-file', f('consul-agent-ca.pem'), 'secure/key']);
    assert.equal(noCert.code, 1);
    assert.equal(noCert.stdout, '');
    assert.equal(noCert.stderr, `Error querying Consul agent: Get "${url}": remote error: tls: certificate required\n`);
    const noCa = await runCli(['kv', 'get', '-http-addr', `https://${httpsAddr}`, '-client-cert', f('dc1-cli-consul-0.pem'), '-client-key', f('dc1-cli-consul-0-key.pem'), 'secure/key']);
    assert.equal(noCa.code, 1);
    assert.equal(noCa.stderr, `Error querying Consul agent: Get "${url}": tls: failed to verify certificate: x509: certificate signed by unknown authority\n`);
    const badFile = await runCli(['kv', 'get', '-http-addr', `https://${httpsAddr}`, '-ca-file', f('missing.pem'), 'secure/key']);
    assert.equal(badFile.stderr, `Error connecting to Consul agent: Error loading CA File: open ${f('missing.pem')}: no such file or directory\n`);
    // The refused handshakes did not hurt the agent.
    const again = await runCli(['kv', 'get', '-http-addr', `https://${httpsAddr}`, ...certFlags(), 'secure/key']);
    assert.equal(again.stdout, 'over-tls\n');
  });
});
