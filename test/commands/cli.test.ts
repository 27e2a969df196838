import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runConsul } from './fake-agent.js';

// Nothing listens on port 1, so no request can succeed by accident.
const addr = '127.0.0.1:1';

describe('consul command line conventions', { timeout: 60_000 }, () => {
  it('rejects unknown flags with Go’s message and the flag list, exit 1', async () => {
    const r = await runConsul(['kv', 'get', '-bogus-flag', 'foo'], { addr });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^flag provided but not defined: -bogus-flag\nUsage:\n {2}-base64\n/);
    assert.equal(r.stdout, '');
  });

  it('rejects bad flag values, exit 1', async () => {
    const r = await runConsul(['kv', 'put', '-modify-index=abc', 'foo', 'bar'], { addr });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^invalid value "abc" for flag -modify-index: parse error\nUsage:\n/);
    const neg = await runConsul(['kv', 'put', '-flags=-1', 'foo'], { addr });
    assert.match(neg.stderr, /^invalid value "-1" for flag -flags: parse error\n/);
    const b = await runConsul(['kv', 'get', '-recurse=maybe', 'foo'], { addr });
    assert.match(b.stderr, /^invalid boolean value "maybe" for -recurse: parse error\n/);
  });

  it('prints command help for -h, -help and --help, exit 0', async () => {
    for (const h of ['-h', '-help', '--help']) {
      const r = await runConsul(['kv', 'put', h], { addr });
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage: consul kv put \[options\] KEY \[DATA\]\n/);
      assert.match(r.stdout, /\nHTTP API Options\n\n {2}-ca-file=<value>\n/);
      assert.match(r.stdout, /\nCommand Options\n\n {2}-acquire\n/);
    }
  });

  it('answers an unknown command with the command list, exit 127', async () => {
    const r = await runConsul(['nosuchcommand'], { addr });
    assert.equal(r.code, 127);
    assert.match(r.stdout, /^Usage: consul \[--version\] \[--help\] <command> \[<args>\]\n\nAvailable commands are:\n/);
    assert.match(r.stdout, /\n {4}kv {2,}Interact with the key-value store\n/);
  });

  it('prints a topic’s subcommands (exit 1, or 0 with -h)', async () => {
    const r = await runConsul(['kv'], { addr });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Subcommands:\n {4}delete {4}Removes data from the KV store\n/);
    assert.equal((await runConsul(['kv', '-h'], { addr })).code, 0);
  });

  it('treats -v and --version as `consul version`', async () => {
    for (const v of ['-v', '--version', 'version']) {
      const r = await runConsul([v], { addr });
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Consul v1\.21\.5\nRevision .+\nBuild Date .+\nProtocol 2 spoken by default, understands 2 to 3 \(agent will automatically use protocol >2 when speaking to compatible agents\)\n.*consul-ts v\d/);
    }
    const j = await runConsul(['version', '-format=json'], { addr });
    const info = JSON.parse(j.stdout) as { Version: string; RPC: { Default: number; Min: number; Max: number } };
    assert.equal(info.Version, '1.21.5');
    assert.deepEqual(info.RPC, { Default: 2, Min: 2, Max: 3 });
  });

  it('names the URL and the cause when the agent is unreachable', async () => {
    const r = await runConsul(['kv', 'get', 'foo'], { addr });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error querying Consul agent: Get "http://127.0.0.1:1/v1/kv/foo": dial tcp 127.0.0.1:1: connect: connection refused\n');
    const m = await runConsul(['members'], { addr });
    assert.equal(m.code, 1);
    assert.match(m.stderr, /^Error retrieving members: Get "http:\/\/127\.0\.0\.1:1\/v1\/agent\/members\?segment=_all": dial tcp 127\.0\.0\.1:1: connect: connection refused\n$/);
  });

  it('takes -http-addr over CONSUL_HTTP_ADDR and rejects unknown schemes', async () => {
    const r = await runConsul(['kv', 'get', '-http-addr=ftp://x', 'foo'], { addr });
    assert.deepEqual([r.code, r.stderr], [1, 'Error connecting to Consul agent: Unknown protocol scheme: ftp\n']);
  });
});
