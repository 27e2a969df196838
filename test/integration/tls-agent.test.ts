// TLS on a real agent, checked with the openssl CLI: the HTTPS port with and without client
// certificates and its minimum version; the server RPC port behind Consul's RPCTLS byte (a small
// proxy prepends 0x03 so openssl s_client speaks to it); plaintext RPC refused under
// verify_incoming; bad TLS settings refuse to start with tlsutil's texts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/cluster.js';
import { freePort } from '../support/free-port.js';
import { TestAgent, runCli } from '../support/test-agent.js';
import { makeTestCerts, type CertPair, type TestCerts } from '../support/tls-certs.js';

interface Run {
  code: number | null;
  out: string;
}

/** openssl s_client with `input` on stdin; bounded. */
function sClient(args: string[], input = 'Q\n', timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn('openssl', ['s_client', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

/** GET over HTTPS with an optional client certificate: [status, body], or the error text. */
function httpsGet(port: number, p: string, ca: string, pair?: CertPair): Promise<[number, string] | string> {
  return new Promise((resolve) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: p, ca: readFileSync(ca), servername: 'localhost', ...(pair ? { cert: readFileSync(pair.cert), key: readFileSync(pair.key) } : {}), agent: false, timeout: 5_000 },
      (res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve([res.statusCode ?? 0, body]));
      },
    );
    req.on('error', (err) => resolve(err.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** A local TCP proxy that sends Consul's RPCTLS byte before the client's bytes. */
async function rpcTlsProxy(target: number): Promise<{ port: number; close(): void }> {
  const server = net.createServer((client) => {
    const up = net.connect({ host: '127.0.0.1', port: target });
    up.write(Buffer.from([0x03]));
    client.pipe(up).pipe(client);
    const end = (): void => {
      client.destroy();
      up.destroy();
    };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as net.AddressInfo;
  return { port: addr.port, close: () => server.close() };
}

/** Connects, sends `bytes`; resolves 'closed' if the peer closes within `ms`, else 'open'. */
function plainSession(port: number, bytes: Buffer, ms = 3_000): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(bytes));
    s.on('error', () => undefined);
    const timer = setTimeout(() => {
      s.destroy();
      resolve('open');
    }, ms);
    s.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

let certs: TestCerts;
before(() => {
  certs = makeTestCerts();
});
after(() => certs.remove());

describe('a TLS agent', { timeout: 120_000 }, () => {
  let agent: TestAgent;
  let httpsPort: number;
  let proxy: { port: number; close(): void };

  before(async () => {
    httpsPort = await freePort();
    const conf = path.join(certs.dir, 'agent.hcl');
    writeFileSync(
      conf,
      `ports { https = ${httpsPort} }
tls {
  defaults { ca_file = "${certs.caFile}" cert_file = "${certs.server.cert}" key_file = "${certs.server.key}" verify_incoming = true verify_outgoing = true }
  https { tls_min_version = "TLSv1_3" }
  internal_rpc { verify_server_hostname = true tls_min_version = "TLSv1_2" }
}
`,
    );
    agent = await TestAgent.start({ args: [`-config-file=${conf}`, '-http-port=-1'], waitForLeader: false });
    await eventually('the leader over HTTPS', async () => {
      const r = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile, certs.client);
      return Array.isArray(r) && r[0] === 200 && r[1] !== '""';
    }, 30_000);
    proxy = await rpcTlsProxy(agent.ports.server);
  });
  after(async () => {
    proxy?.close();
    await agent?.stop();
  });

  test('HTTPS: a client certificate is required; a handshake without one is refused and others are still served', async () => {
    const ok = await httpsGet(httpsPort, '/v1/agent/self', certs.caFile, certs.client);
    assert.ok(Array.isArray(ok) && ok[0] === 200, String(ok));
    const withCert = await sClient(['-connect', `127.0.0.1:${httpsPort}`, '-CAfile', certs.caFile, '-cert', certs.client.cert, '-key', certs.client.key, '-servername', 'localhost', '-quiet'], 'GET /v1/status/leader HTTP/1.0\r\n\r\n');
    assert.match(withCert.out, /HTTP\/1\.1 200 OK/, withCert.out);
    // TLS 1.3 refuses a missing certificate after the client thinks it is done, so the alert may
    // come after s_client has hung up; no answer is the check there.
    const without = await sClient(['-connect', `127.0.0.1:${httpsPort}`, '-CAfile', certs.caFile, '-servername', 'localhost'], 'GET /v1/status/leader HTTP/1.0\r\n\r\n');
    assert.doesNotMatch(without.out, /HTTP\/1\.1 200/, without.out);
    const noCert = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile);
    assert.equal(typeof noCert, 'string', `answered without a client certificate: ${String(noCert)}`);
    const untrusted = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile, certs.untrusted);
    assert.ok(typeof untrusted === 'string', `a certificate from another CA was accepted: ${String(untrusted)}`);
    const again = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile, certs.client);
    assert.ok(Array.isArray(again) && again[0] === 200, String(again));
  });

  test('HTTPS: tls_min_version TLSv1_3 refuses a TLS 1.2-only client', async () => {
    const tls12 = await sClient(['-connect', `127.0.0.1:${httpsPort}`, '-CAfile', certs.caFile, '-cert', certs.client.cert, '-key', certs.client.key, '-tls1_2']);
    assert.match(tls12.out, /alert protocol version/, tls12.out);
    assert.match(tls12.out, /Cipher is \(NONE\)/, tls12.out);
    const tls13 = await sClient(['-connect', `127.0.0.1:${httpsPort}`, '-CAfile', certs.caFile, '-cert', certs.client.cert, '-key', certs.client.key, '-tls1_3']);
    assert.match(tls13.out, /New, TLSv1\.3, Cipher is TLS_/, tls13.out);
    assert.match(tls13.out, /Verify return code: 0 \(ok\)/, tls13.out);
  });

  test('RPC port: TLS after the 0x03 byte, with a client certificate only; plaintext refused', async () => {
    const withCert = await sClient(['-connect', `127.0.0.1:${proxy.port}`, '-CAfile', certs.caFile, '-cert', certs.client.cert, '-key', certs.client.key, '-servername', 'server.dc1.consul', '-verify_hostname', 'server.dc1.consul', '-tls1_2']);
    assert.match(withCert.out, /Verify return code: 0 \(ok\)/, withCert.out);
    assert.match(withCert.out, /New, TLSv1\.2, Cipher is ECDHE-/, withCert.out);
    assert.doesNotMatch(withCert.out, /alert/, withCert.out);
    const without = await sClient(['-connect', `127.0.0.1:${proxy.port}`, '-CAfile', certs.caFile, '-tls1_2']);
    assert.match(without.out, /alert handshake failure/, without.out);
    assert.equal(await plainSession(agent.ports.server, Buffer.from([0x01, 0, 0, 0, 1, 0x80])), 'closed');
    assert.match(agent.output, /Non-TLS connection attempted with VerifyIncoming set/);
    // Still serving.
    const r = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile, certs.client);
    assert.ok(Array.isArray(r) && r[0] === 200, String(r));
  });
});

test('bad TLS settings refuse to start with Consul\'s texts; deprecated keys start with warnings', { timeout: 60_000 }, async () => {
  const conf = path.join(certs.dir, 'bad.json');
  writeFileSync(conf, JSON.stringify({ tls: { defaults: { verify_incoming: true } } }));
  const bad = await runCli(['agent', '-dev', `-config-file=${conf}`]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /VerifyIncoming set but no CA certificates were provided/);
  writeFileSync(conf, JSON.stringify({ tls: { defaults: { tls_min_version: 'tls14' } } }));
  const badVersion = await runCli(['agent', '-dev', `-config-file=${conf}`]);
  assert.equal(badVersion.code, 1);
  assert.match(badVersion.stderr, /tls\.defaults\.tls_min_version: invalid TLS version: no matching TLS version found for tls14/);

  const httpsPort = await freePort();
  writeFileSync(conf, JSON.stringify({ ca_file: certs.caFile, cert_file: certs.server.cert, key_file: certs.server.key, verify_incoming: true, tls_min_version: 'tls12', ports: { https: httpsPort } }));
  const agent = await TestAgent.start({ args: [`-config-file=${conf}`], waitForLeader: true });
  try {
    assert.match(agent.output, /\[WARN\]  agent: The 'ca_file' field is deprecated\. Use the 'tls\.defaults\.ca_file' field instead\./);
    assert.match(agent.output, /\[WARN\]  agent: 'tls_min_version' value 'tls12' is deprecated, please specify 'TLSv1_2' instead/);
    const r = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile, certs.client);
    assert.ok(Array.isArray(r) && r[0] === 200, String(r));
    assert.equal(typeof (await httpsGet(httpsPort, '/v1/status/leader', certs.caFile)), 'string', 'no client cert refused');
  } finally {
    await agent.stop();
  }
});

/** The SANs of the certificate the HTTPS port presents now. */
function presentedSans(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, cert: readFileSync(certs.client.cert), key: readFileSync(certs.client.key) }, () => {
      resolve(s.getPeerCertificate().subjectaltname ?? '');
      s.destroy();
    });
    s.on('error', reject);
  });
}

test('consul reload picks up new certificates and verification for new connections; a bad file keeps the running TLS', { timeout: 60_000 }, async () => {
  const httpsPort = await freePort();
  const conf = path.join(certs.dir, 'reload.json');
  const write = (tlsBlock: object): void => writeFileSync(conf, JSON.stringify({ ports: { https: httpsPort }, tls: tlsBlock }));
  write({ defaults: { ca_file: certs.caFile, cert_file: certs.server.cert, key_file: certs.server.key } });
  const agent = await TestAgent.start({ args: [`-config-file=${conf}`] });
  try {
    const open = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile);
    assert.ok(Array.isArray(open) && open[0] === 200, String(open));
    assert.match(await presentedSans(httpsPort), /server\.dc1\.consul/);

    write({ defaults: { ca_file: certs.caFile, cert_file: certs.otherDcServer.cert, key_file: certs.otherDcServer.key, verify_incoming: true } });
    const reloaded = await fetch(`${agent.url}/v1/agent/reload`, { method: 'PUT' });
    assert.equal(reloaded.status, 200, await reloaded.text());
    assert.match(await presentedSans(httpsPort), /server\.dc2\.consul/);
    assert.equal(typeof (await httpsGet(httpsPort, '/v1/status/leader', certs.caFile)), 'string', 'verify_incoming now requires a client certificate');
    const withCert = await httpsGet(httpsPort, '/v1/status/leader', certs.caFile, certs.client);
    assert.ok(Array.isArray(withCert) && withCert[0] === 200, String(withCert));

    write({ defaults: { ca_file: path.join(certs.dir, 'missing.pem'), cert_file: certs.server.cert, key_file: certs.server.key } });
    const bad = await fetch(`${agent.url}/v1/agent/reload`, { method: 'PUT' });
    assert.equal(bad.status, 500);
    assert.match(await bad.text(), /^Failed reloading tls configuration: Error loading from \S+missing\.pem: open \S+missing\.pem: no such file or directory/);
    assert.match(await presentedSans(httpsPort), /server\.dc2\.consul/, 'the running TLS stays');
  } finally {
    await agent.stop();
  }
});
