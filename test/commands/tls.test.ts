// `consul tls ca create` and `consul tls cert create` through the real CLI, checked with openssl
// (the files must be what Consul writes: names, SANs, key usages, EC P-256 keys, verifying chains).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { tmpDir } from '../support/tmp-dir.js';
import { runConsul } from './fake-agent.js';

const run = promisify(execFile);

async function x509Text(file: string): Promise<string> {
  return (await run('openssl', ['x509', '-in', file, '-noout', '-text'])).stdout;
}

async function opensslVerify(dir: string, ca: string, cert: string): Promise<string> {
  const { stdout } = await run('openssl', ['verify', '-CAfile', path.join(dir, ca), path.join(dir, cert)]);
  return stdout.trim();
}

function sanLine(text: string): string {
  const m = /X509v3 Subject Alternative Name: *\n\s*(.+)\n/.exec(text);
  return m ? m[1]!.trim() : '';
}

const SERVER_WARNING = `==> WARNING: Server Certificates grants authority to become a
    server and access all state in the cluster including root keys
    and all ACL tokens. Do not distribute them to production hosts
    that are not server nodes. Store them as securely as CA keys.
`;

describe('consul tls', { timeout: 120_000 }, () => {
  const tmp = tmpDir('consul-tls-');
  const cwd = tmp.path;
  const tls = (args: string[]) => runConsul(['tls', ...args], { cwd });
  after(() => tmp.remove());

  before(async () => {
    const r = await tls(['ca', 'create']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '==> Saved consul-agent-ca.pem\n==> Saved consul-agent-ca-key.pem\n');
    assert.equal(r.code, 0);
  });

  it('creates a self-signed EC P-256 CA with HashiCorp’s subject, key 0600, and refuses to overwrite it', async () => {
    const text = await x509Text(path.join(cwd, 'consul-agent-ca.pem'));
    assert.match(text, /Subject: C = US, ST = CA, L = San Francisco, street = 101 Second Street, postalCode = 94105, O = HashiCorp Inc\., CN = Consul Agent CA \d+\n/);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text, /NIST CURVE: P-256/);
    assert.match(text, /Key Usage: critical\n\s+Digital Signature, Certificate Sign, CRL Sign\n/);
    assert.match(text, /Basic Constraints: critical\n\s+CA:TRUE\n/);
    const serial = /Serial Number:\n\s+([0-9a-f:]+)/.exec(text)![1]!.replace(/:/g, '');
    assert.match(text, new RegExp(`CN = Consul Agent CA ${BigInt(`0x${serial}`).toString(10)}\\n`), 'the CN carries the decimal serial');
    const days = /Not Before: (.+)\n\s+Not After : (.+)\n/.exec(text)!;
    assert.equal(Math.round((Date.parse(days[2]!) - Date.parse(days[1]!)) / 86_400_000), 1825);
    assert.match(readFileSync(path.join(cwd, 'consul-agent-ca-key.pem'), 'utf8'), /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.equal(statSync(path.join(cwd, 'consul-agent-ca-key.pem')).mode & 0o777, 0o600);

    const again = await tls(['ca', 'create']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'consul-agent-ca.pem already exists.\n');
    assert.equal(again.stdout, '');
  });

  it('creates server certificates with Consul’s names, SANs and usages, numbering the files', async () => {
    const r = await tls(['cert', 'create', '-server']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `${SERVER_WARNING}==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n==> Saved dc1-server-consul-0.pem\n==> Saved dc1-server-consul-0-key.pem\n`,
    );
    const text = await x509Text(path.join(cwd, 'dc1-server-consul-0.pem'));
    assert.match(text, /Subject: CN = server\.dc1\.consul\n/);
    assert.equal(sanLine(text), 'DNS:server.dc1.consul, DNS:localhost, IP Address:127.0.0.1');
    assert.match(text, /Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    assert.match(text, /Extended Key Usage: *\n\s+TLS Web Server Authentication, TLS Web Client Authentication\n/);
    assert.match(text, /Basic Constraints: critical\n\s+CA:FALSE\n/);
    assert.equal(await opensslVerify(cwd, 'consul-agent-ca.pem', 'dc1-server-consul-0.pem'), `${path.join(cwd, 'dc1-server-consul-0.pem')}: OK`);
    assert.equal(statSync(path.join(cwd, 'dc1-server-consul-0-key.pem')).mode & 0o777, 0o600);
    // The key is the certificate's: openssl derives the same public key from both.
    const fromKey = (await run('openssl', ['pkey', '-in', path.join(cwd, 'dc1-server-consul-0-key.pem'), '-pubout'])).stdout;
    const fromCert = (await run('openssl', ['x509', '-in', path.join(cwd, 'dc1-server-consul-0.pem'), '-noout', '-pubkey'])).stdout;
    assert.equal(fromKey, fromCert);

    const node = await tls(['cert', 'create', '-server', '-node', 'mysrv', '-additional-dnsname', ' extra.example ', '-additional-ipaddress', '10.1.2.3']);
    assert.equal(node.code, 0, node.stderr);
    assert.match(node.stdout, /==> Saved dc1-server-consul-1\.pem\n==> Saved dc1-server-consul-1-key\.pem\n$/);
    const nodeText = await x509Text(path.join(cwd, 'dc1-server-consul-1.pem'));
    assert.equal(
      sanLine(nodeText),
      'DNS:extra.example, DNS:mysrv.server.dc1.consul, DNS:server.dc1.consul, DNS:localhost, IP Address:10.1.2.3, IP Address:127.0.0.1',
    );
  });

  it('creates client and cli certificates (no warning; cli: no IP SAN, no extended key usage)', async () => {
    const c = await tls(['cert', 'create', '-client', '-additional-dnsname', 'ignored.for.cli']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, '==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n==> Saved dc1-client-consul-0.pem\n==> Saved dc1-client-consul-0-key.pem\n');
    const ct = await x509Text(path.join(cwd, 'dc1-client-consul-0.pem'));
    assert.match(ct, /Subject: CN = client\.dc1\.consul\n/);
    assert.equal(sanLine(ct), 'DNS:ignored.for.cli, DNS:client.dc1.consul, DNS:localhost, IP Address:127.0.0.1');
    assert.match(ct, /Extended Key Usage: *\n\s+TLS Web Client Authentication, TLS Web Server Authentication\n/);

    const cli = await tls(['cert', 'create', '-cli', '-additional-dnsname', 'dropped.example']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, '==> Using consul-agent-ca.pem and consul-agent-ca-key.pem\n==> Saved dc1-cli-consul-0.pem\n==> Saved dc1-cli-consul-0-key.pem\n');
    const t = await x509Text(path.join(cwd, 'dc1-cli-consul-0.pem'));
    assert.match(t, /Subject: CN = cli\.dc1\.consul\n/);
    assert.equal(sanLine(t), 'DNS:cli.dc1.consul, DNS:localhost');
    assert.doesNotMatch(t, /Extended Key Usage/);
    assert.equal(await opensslVerify(cwd, 'consul-agent-ca.pem', 'dc1-cli-consul-0.pem'), `${path.join(cwd, 'dc1-cli-consul-0.pem')}: OK`);
  });

  it('answers bad arguments with Consul’s errors and exit 1, writing nothing', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'Please provide either -server, -client, or -cli'],
      [['-server', '-client'], 'Please provide either -server, -client, or -cli'],
      [['-client', '-cli'], 'Please provide either -server, -client, or -cli'],
      [['-ca', '', '-key', ''], 'Please provide the ca'],
      [['-ca', 'foo.pem', '-key', ''], 'Please provide the key'],
      [['-client', '-node', 'foo'], '-node requires -server'],
      [['-cli', '-node', 'foo'], '-node requires -server'],
      [['-client', '-ca', 'missing.pem'], 'Error reading CA: open missing.pem: no such file or directory'],
      [['-client', '-key', 'missing-key.pem'], 'Error reading CA key: open missing-key.pem: no such file or directory'],
      [['-client', '-domain', 'nomad'], 'Error reading CA: open nomad-agent-ca.pem: no such file or directory'],
    ];
    for (const [args, err] of cases) {
      const r = await tls(['cert', 'create', ...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, `${err}\n`, args.join(' '));
    }
    writeFileSync(path.join(cwd, 'garbage.pem'), 'not a pem\n');
    const badKey = await tls(['cert', 'create', '-client', '-key', 'garbage.pem']);
    assert.equal(badKey.code, 1);
    assert.equal(badKey.stdout, '==> Using consul-agent-ca.pem and garbage.pem\n');
    assert.equal(badKey.stderr, 'no PEM-encoded data found\n');
    const badCa = await tls(['cert', 'create', '-client', '-ca', 'dc1-client-consul-0-key.pem']);
    assert.equal(badCa.stderr, 'failed to parse CA: first PEM-block should be CERTIFICATE type\n');
    const expired = await tls(['cert', 'create', '-client', '-days', '-1']);
    assert.equal(expired.code, 1);
    assert.match(expired.stderr, /^x509: certificate has expired or is not yet valid: current time \S+Z is after \S+Z\n$/);
    // A CA key that does not belong to the CA certificate: the chain does not verify.
    const wrongKey = await tls(['cert', 'create', '-client', '-key', 'dc1-client-consul-0-key.pem']);
    assert.equal(wrongKey.stderr, 'x509: certificate signed by unknown authority\n');
    // None of the failures left a file behind: the next client certificate is still number 1.
    const next = await tls(['cert', 'create', '-client']);
    assert.match(next.stdout, /Saved dc1-client-consul-1\.pem\n/);
  });

  it('honours -name-constraint, -cluster-id, -common-name and -days; -domain/-dc pick the file names', async () => {
    const dir = tmpDir('consul-tls-nc-');
    try {
      const opts = { cwd: dir.path };
      const ca = await runConsul(
        ['tls', 'ca', 'create', '-domain', 'nomad', '-name-constraint', '-additional-name-constraint', 'ui.example', '-cluster-id', 'c1a2b3', '-common-name', 'My CA', '-days', '30'],
        opts,
      );
      assert.equal(ca.stdout, '==> Saved nomad-agent-ca.pem\n==> Saved nomad-agent-ca-key.pem\n');
      const text = await x509Text(path.join(dir.path, 'nomad-agent-ca.pem'));
      assert.match(text, /CN = My CA\n/);
      assert.match(text, /X509v3 Name Constraints: critical\n\s+Permitted:\n\s+DNS:ui\.example\n\s+DNS:nomad\n\s+DNS:localhost\n/);
      assert.equal(sanLine(text), 'URI:spiffe://c1a2b3.nomad');
      const days = /Not Before: (.+)\n\s+Not After : (.+)\n/.exec(text)!;
      assert.equal(Math.round((Date.parse(days[2]!) - Date.parse(days[1]!)) / 86_400_000), 30);

      const ok = await runConsul(['tls', 'cert', 'create', '-server', '-dc', 'dc2', '-domain', 'nomad', '-additional-dnsname', 'www.ui.example'], opts);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /==> Using nomad-agent-ca\.pem and nomad-agent-ca-key\.pem\n==> Saved dc2-server-nomad-0\.pem\n/);
      assert.match(await opensslVerify(dir.path, 'nomad-agent-ca.pem', 'dc2-server-nomad-0.pem'), /: OK$/);

      const denied = await runConsul(['tls', 'cert', 'create', '-server', '-domain', 'nomad', '-additional-dnsname', 'evil.example'], opts);
      assert.equal(denied.code, 1);
      assert.equal(
        denied.stderr,
        'x509: a root or intermediate certificate is not authorized to sign for this name: DNS name "evil.example" is not permitted by any constraint\n',
      );
    } finally {
      dir.remove();
    }
  });

  it('signs with a CA made elsewhere (openssl, RSA key in PKCS#1; EC key in PKCS#8)', async () => {
    const dir = tmpDir('consul-tls-ext-');
    try {
      const p = (f: string) => path.join(dir.path, f);
      await run('openssl', ['genrsa', '-traditional', '-out', p('rsa.key'), '2048']);
      await run('openssl', ['req', '-x509', '-new', '-key', p('rsa.key'), '-out', p('rsa-ca.pem'), '-days', '2', '-utf8', '-subj', '/O=Ünïcode Org/CN=Ext RSA CA']);
      assert.match(readFileSync(p('rsa.key'), 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----/);
      const r = await runConsul(['tls', 'cert', 'create', '-client', '-ca', 'rsa-ca.pem', '-key', 'rsa.key'], { cwd: dir.path });
      assert.equal(r.code, 0, r.stderr);
      assert.match(await opensslVerify(dir.path, 'rsa-ca.pem', 'dc1-client-consul-0.pem'), /: OK$/);
      assert.match(await x509Text(p('dc1-client-consul-0.pem')), /Signature Algorithm: sha256WithRSAEncryption/);

      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ec.key'), '-out', p('ec-ca.pem'), '-days', '2', '-subj', '/CN=Ext EC CA']);
      assert.match(readFileSync(p('ec.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
      const e = await runConsul(['tls', 'cert', 'create', '-server', '-ca', 'ec-ca.pem', '-key', 'ec.key'], { cwd: dir.path });
      assert.equal(e.code, 0, e.stderr);
      assert.match(await opensslVerify(dir.path, 'ec-ca.pem', 'dc1-server-consul-0.pem'), /: OK$/);
    } finally {
      dir.remove();
    }
  });
});
