// Client-side TLS of every CLI command (command/flags/http.go + api.DefaultConfig/SetupTLSConfig):
// the real CLI against an HTTPS server that requires a client certificate (verify_incoming), with
// certificates made by our own `consul tls` code.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type HttpsAgentStub, makeTlsFiles, startHttpsAgentStub, type TlsFiles } from '../support/tls-fixtures.js';
import { runConsul } from './fake-agent.js';

describe('CLI over HTTPS', { timeout: 120_000 }, () => {
  let files: TlsFiles;
  let stub: HttpsAgentStub;
  before(async () => {
    files = await makeTlsFiles();
    stub = await startHttpsAgentStub(files);
  });
  after(async () => {
    await stub.close();
    files.remove();
  });

  const clientFlags = () => ['-ca-file', files.ca, '-client-cert', files.cliCert, '-client-key', files.cliKey];

  it('talks to a verify_incoming agent with -ca-file, -client-cert and -client-key (https:// in -http-addr)', async () => {
    const r = await runConsul(['kv', 'get', '-http-addr', `https://${stub.address}`, ...clientFlags(), 'greeting']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'hello over tls\n');
    assert.equal(r.code, 0);
    assert.ok(stub.seen.includes('/v1/kv/greeting'));
  });

  it('takes the same settings from CONSUL_HTTP_SSL, CONSUL_CACERT, CONSUL_CLIENT_CERT/KEY and CONSUL_TLS_SERVER_NAME', async () => {
    const env = {
      CONSUL_HTTP_ADDR: stub.address,
      CONSUL_HTTP_SSL: 'true',
      CONSUL_CACERT: files.ca,
      CONSUL_CLIENT_CERT: files.cliCert,
      CONSUL_CLIENT_KEY: files.cliKey,
      CONSUL_TLS_SERVER_NAME: 'server.dc1.consul:8501',
    };
    const r = await runConsul(['kv', 'get', 'greeting'], { env });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    // A flag beats its variable: a wrong CA on the command line fails even with CONSUL_CACERT right.
    const flagWins = await runConsul(['kv', 'get', '-ca-file', files.otherCa, 'greeting'], { env });
    assert.equal(flagWins.code, 1);
    assert.match(flagWins.stderr, /x509: certificate signed by unknown authority\n$/);
    // -ca-path: a directory of CA files (the CA file wins when both are given).
    const caDir = path.join(files.dir, 'cas');
    mkdirSync(caDir);
    copyFileSync(files.ca, path.join(caDir, 'a.pem'));
    copyFileSync(files.otherCa, path.join(caDir, 'b.pem'));
    const byPath = await runConsul(['kv', 'get', 'greeting'], { env: { ...env, CONSUL_CACERT: '', CONSUL_CAPATH: caDir } });
    assert.equal(byPath.stderr, '');
    assert.equal(byPath.code, 0);
    const fileWins = await runConsul(['kv', 'get', '-ca-path', caDir, '-ca-file', files.otherCa, 'greeting'], { env });
    assert.match(fileWins.stderr, /unknown authority/);
  });

  it('fails as Consul does without a client certificate, with an untrusted one, or without the CA', async () => {
    const addr = `https://${stub.address}`;
    const url = `https://${stub.address}/v1/kv/greeting`;
    // Several runs: the refusal arrives as a TLS alert after the handshake; it must be reported every time.
    for (let i = 0; i < 3; i++) {
      const noCert = await runConsul(['kv', 'get', '-http-addr', addr, '-ca-file', files.ca, 'greeting']);
      assert.equal(noCert.code, 1);
      assert.equal(noCert.stderr, `Error querying Consul agent: Get "${url}": remote error: tls: certificate required\n`);
    }
    const untrusted = await runConsul(['kv', 'get', '-http-addr', addr, '-ca-file', files.ca, '-client-cert', files.otherCliCert, '-client-key', files.otherCliKey, 'greeting']);
    assert.equal(untrusted.code, 1);
    // A Go server sends "bad certificate"; Node's TLS server verifies the chain after the handshake
    // and just closes, which Go's client, like ours, reports as EOF.
    assert.match(untrusted.stderr, /^Error querying Consul agent: Get "[^"]+": (remote error: tls: bad certificate|EOF)\n$/);
    const noCa = await runConsul(['kv', 'get', '-http-addr', addr, '-client-cert', files.cliCert, '-client-key', files.cliKey, 'greeting']);
    assert.equal(noCa.stderr, `Error querying Consul agent: Get "${url}": tls: failed to verify certificate: x509: certificate signed by unknown authority\n`);
    const wrongName = await runConsul(['kv', 'get', '-http-addr', addr, ...clientFlags(), '-tls-server-name', 'other.dc1.consul', 'greeting']);
    assert.equal(
      wrongName.stderr,
      `Error querying Consul agent: Get "${url}": tls: failed to verify certificate: x509: certificate is valid for server.dc1.consul, localhost, not other.dc1.consul\n`,
    );
    // CONSUL_HTTP_SSL_VERIFY=false skips verification of the server (the client cert is still sent).
    const insecure = await runConsul(['kv', 'get', '-http-addr', addr, '-client-cert', files.cliCert, '-client-key', files.cliKey, 'greeting'], {
      env: { CONSUL_HTTP_SSL_VERIFY: 'false' },
    });
    assert.equal(insecure.stderr, '');
    assert.equal(insecure.code, 0);
  });

  it('reports unreadable or mismatched TLS files before sending anything, in Go’s words', async () => {
    const garbage = path.join(files.dir, 'garbage.pem');
    writeFileSync(garbage, 'not pem\n');
    const missing = path.join(files.dir, 'missing.pem');
    const cases: Array<[string[], string]> = [
      [['-ca-file', missing], `Error loading CA File: open ${missing}: no such file or directory`],
      [['-ca-file', garbage], `Error loading CA File: Couldn't parse PEM in: ${garbage}`],
      [['-ca-file', files.dir], `Error loading CA File: read ${files.dir}: is a directory`],
      [['-ca-path', missing], `lstat ${missing}: no such file or directory`],
      [['-client-cert', files.cliCert], 'both client cert and client key must be provided'],
      [['-client-key', files.cliKey], 'both client cert and client key must be provided'],
      [['-client-cert', missing, '-client-key', files.cliKey], `open ${missing}: no such file or directory`],
      [['-client-cert', garbage, '-client-key', files.cliKey], 'tls: failed to find any PEM data in certificate input'],
      [['-client-cert', files.cliKey, '-client-key', files.cliKey], 'tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [EC PRIVATE KEY]'],
      [['-client-cert', files.cliCert, '-client-key', files.cliCert], 'tls: found a certificate rather than a key in the PEM for the private key'],
      [['-client-cert', files.cliCert, '-client-key', files.serverKey], 'tls: private key does not match public key'],
    ];
    for (const [flags, err] of cases) {
      // Plain http:// on a closed port: the files are checked anyway, as api.NewClient does.
      const r = await runConsul(['kv', 'get', '-http-addr', '127.0.0.1:1', ...flags, 'greeting']);
      assert.equal(r.code, 1, flags.join(' '));
      assert.equal(r.stderr, `Error connecting to Consul agent: ${err}\n`, flags.join(' '));
    }
  });

  it('warns about an unparsable CONSUL_HTTP_SSL / CONSUL_HTTP_SSL_VERIFY as api.DefaultConfig does', async () => {
    const r = await runConsul(['kv', 'get', 'greeting'], { env: { CONSUL_HTTP_ADDR: `https://${stub.address}`, CONSUL_HTTP_SSL_VERIFY: 'nope', CONSUL_CLIENT_CERT: files.cliCert, CONSUL_CLIENT_KEY: files.cliKey } });
    // A value ParseBool refuses reads as false: verification is off, so this succeeds.
    assert.equal(r.code, 0);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) {
      assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[WARN\] {2}consul-api: could not parse CONSUL_HTTP_SSL_VERIFY: error="strconv\.ParseBool: parsing \\"nope\\": invalid syntax"$/);
    }
  });
});
