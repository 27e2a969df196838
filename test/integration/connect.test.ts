// Issue 11's walkthrough through real processes: a dev agent with sidecar definitions, two
// `consul connect proxy -sidecar-for` processes, nc through the upstream, an intention that
// refuses new connections (existing ones stay), openssl against the public listener, and a root
// rotation under a live connection.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { stopProcessGroup } from '../support/process-group.js';
import { CONSUL_BIN, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dir = tmpDir('connect-it-');
let agent: TestAgent;
let echo: net.Server;
let upPort = 0;
const proxies: { proc: ChildProcess; exited: Promise<number | null>; out: () => string }[] = [];

function startProxy(args: string[]): void {
  const proc = spawn(process.execPath, [CONSUL_BIN, 'connect', 'proxy', ...args], { env: { ...process.env, CONSUL_HTTP_ADDR: agent.addr }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  proxies.push({ proc, exited: new Promise((r) => proc.once('exit', r)), out: () => out });
}

/** `printf 'line\n' | nc -q1 127.0.0.1 port`: what came back. */
function ncEcho(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const p = execFile('nc', ['-q1', '127.0.0.1', String(port)], { timeout: 4000 }, (_err, stdout) => resolve(stdout.trim()));
    p.stdin?.on('error', () => {}); // nc may be gone already (a refused connection)
    p.stdin?.end(`${line}\n`);
  });
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; proxies: ${proxies.map((p) => p.out().slice(-400)).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - start;
}

const api = async <T>(p: string, init?: RequestInit): Promise<T> => (await (await fetch(`${agent.url}${p}`, init)).json()) as T;
const cli = (...args: string[]) => runCli(args, { CONSUL_HTTP_ADDR: agent.addr });

before(async () => {
  echo = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const echoPort = (echo.address() as net.AddressInfo).port;
  upPort = await freePort();
  writeFileSync(path.join(dir.path, 'socat.json'), JSON.stringify({ service: { name: 'socat', port: echoPort, connect: { sidecar_service: {} } } }));
  writeFileSync(
    path.join(dir.path, 'web.json'),
    JSON.stringify({ service: { name: 'web', port: 8080, connect: { sidecar_service: { proxy: { upstreams: [{ destination_name: 'socat', local_bind_port: upPort }] } } } } }),
  );
  agent = await TestAgent.start({ args: [`-config-dir=${dir.path}`] });
  startProxy(['-sidecar-for', 'socat']);
  startProxy(['-sidecar-for', 'web']);
});

after(async () => {
  for (const p of proxies) await stopProcessGroup(p.proc, p.exited, 'SIGTERM', 5000);
  await agent?.stop();
  echo?.close();
  dir.remove();
});

test('sidecars are registered with Consul\'s shape', async () => {
  const svcs = await api<Record<string, { Kind?: string; Port: number; Proxy?: { DestinationServiceName: string; LocalServicePort: number; Upstreams: { DestinationName: string; LocalBindPort: number }[] } }>>('/v1/agent/services');
  const sc = svcs['socat-sidecar-proxy'];
  assert.equal(sc?.Kind, 'connect-proxy');
  assert.equal(sc?.Proxy?.DestinationServiceName, 'socat');
  assert.ok(sc && sc.Port >= 21000 && sc.Port <= 21255);
  assert.deepEqual(svcs['web-sidecar-proxy']?.Proxy?.Upstreams.map((u) => [u.DestinationName, u.LocalBindPort]), [['socat', upPort]]);
  const checks = await api<Record<string, { Name: string; ServiceID: string }>>('/v1/agent/checks');
  assert.deepEqual(
    Object.values(checks).filter((c) => c.ServiceID === 'socat-sidecar-proxy').map((c) => c.Name).sort(),
    ['Connect Sidecar Aliasing socat', 'Connect Sidecar Listening'],
  );
});

test('echo through the upstream; a deny intention refuses new connections while an open one stays; delete allows again', async () => {
  await waitFor('the first echo', async () => (await ncEcho(upPort, 'Hello Consul via Connect')) === 'Hello Consul via Connect', 30_000);
  // A connection that stays open across the intention change (Consul does not cut it).
  const live = net.connect(upPort, '127.0.0.1');
  let got = '';
  live.on('data', (d) => (got += d.toString()));
  live.write('before\n');
  await waitFor('the live connection to echo', async () => got.includes('before'), 5000);
  const created = await cli('intention', 'create', '-deny', 'web', 'socat');
  assert.equal(created.stdout.trim(), 'Created: web => socat (deny)');
  const check = await cli('intention', 'check', 'web', 'socat');
  assert.deepEqual([check.stdout.trim(), check.code], ['Denied', 2]);
  const flipMs = await waitFor('new connections to be refused', async () => (await ncEcho(upPort, 'denied?')) === '', 5000);
  assert.ok(flipMs < 5000);
  live.write('after\n');
  await waitFor('the existing connection to keep working', async () => got.includes('after'), 5000);
  live.destroy();
  const deleted = await cli('intention', 'delete', 'web', 'socat');
  assert.equal(deleted.stdout.trim(), 'Intention deleted.');
  await waitFor('echo after the delete', async () => (await ncEcho(upPort, 'again')) === 'again', 5000);
});

function openssl(args: string[], input = ''): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = execFile('openssl', args, { timeout: 10_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
    p.stdin?.on('error', () => {});
    p.stdin?.end(input);
  });
}

test('openssl: the leaf verifies against the active root, a client with the leaf handshakes, one without or self-signed is refused', async () => {
  const roots = await api<{ Roots: { Active: boolean; RootCert: string }[] }>('/v1/agent/connect/ca/roots');
  const leaf = await api<{ CertPEM: string; PrivateKeyPEM: string }>('/v1/agent/connect/ca/leaf/web');
  const f = (name: string, text: string): string => {
    writeFileSync(path.join(dir.path, name), text);
    return path.join(dir.path, name);
  };
  const ca = f('ca.pem', roots.Roots.filter((r) => r.Active).map((r) => r.RootCert).join(''));
  const cert = f('leaf.pem', leaf.CertPEM);
  const key = f('leaf.key', leaf.PrivateKeyPEM);
  assert.equal((await openssl(['verify', '-CAfile', ca, cert])).code, 0);
  assert.match((await openssl(['x509', '-in', cert, '-noout', '-ext', 'subjectAltName'])).out, /URI:spiffe:\/\/[0-9a-f-]+\.consul\/ns\/default\/dc\/dc1\/svc\/web/);
  const svcs = await api<Record<string, { Port: number }>>('/v1/agent/services');
  const port = String(svcs['socat-sidecar-proxy']?.Port);
  await waitFor('the socat proxy to listen', async () => (await ncEcho(upPort, 'ping')) === 'ping', 10_000);
  const good = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-cert', cert, '-key', key, '-verify_return_error', '-quiet'], 'hello-openssl\n');
  assert.match(good.out, /hello-openssl/, good.out);
  const none = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-quiet'], 'x\n');
  assert.doesNotMatch(none.out, /^x$/m);
  // A self-signed client certificate from outside the trust domain.
  const self = await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=intruder', '-days', '1', '-keyout', path.join(dir.path, 'self.key'), '-out', path.join(dir.path, 'self.pem')]);
  assert.equal(self.code, 0, self.out);
  const bad = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-cert', path.join(dir.path, 'self.pem'), '-key', path.join(dir.path, 'self.key'), '-quiet'], 'intruder\n');
  assert.doesNotMatch(bad.out, /^intruder$/m);
  // A plain TCP client gets nothing either, and the proxy survives all of it.
  assert.equal(await new Promise<string>((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1', () => s.end('GET / HTTP/1.0\r\n\r\n'));
    let d = '';
    s.on('data', (b) => (d += b.toString()));
    s.on('close', () => resolve(d.includes('GET') ? d : ''));
    s.on('error', () => resolve(''));
  }), '');
  assert.equal(await ncEcho(upPort, 'still-up'), 'still-up');
});

test('root rotation by set-config: the old connection keeps running, new connections use the new root', async () => {
  const live = net.connect(upPort, '127.0.0.1');
  let got = '';
  live.on('data', (d) => (got += d.toString()));
  live.write('pre-rotation\n');
  await waitFor('the live connection', async () => got.includes('pre-rotation'), 5000);
  const before = await api<{ ActiveRootID: string }>('/v1/connect/ca/roots');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cfg = path.join(dir.path, 'ca.json');
  writeFileSync(cfg, JSON.stringify({ Provider: 'consul', Config: { PrivateKey: privateKey.export({ format: 'pem', type: 'sec1' }).toString() } }));
  const set = await cli('connect', 'ca', 'set-config', '-config-file', cfg);
  assert.equal(set.stdout.trim(), 'Configuration updated!', set.stderr);
  const rotated = await api<{ ActiveRootID: string; Roots: { ID: string; Active: boolean }[] }>('/v1/connect/ca/roots');
  assert.notEqual(rotated.ActiveRootID, before.ActiveRootID);
  assert.deepEqual(rotated.Roots.map((r) => r.Active).sort(), [false, true], 'old and new root both trusted');
  live.write('post-rotation\n');
  await waitFor('the live connection after rotation', async () => got.includes('post-rotation'), 5000);
  live.destroy();
  // New connections work once the proxies have their new leaves (watched, no restart).
  await waitFor('a leaf from the new root', async () => {
    const leaf = await api<{ CertPEM: string }>('/v1/agent/connect/ca/leaf/socat');
    const active = (await api<{ Roots: { Active: boolean; RootCert: string }[] }>('/v1/connect/ca/roots')).Roots.find((r) => r.Active)?.RootCert ?? '';
    writeFileSync(path.join(dir.path, 'new-ca.pem'), active);
    writeFileSync(path.join(dir.path, 'new-leaf.pem'), leaf.CertPEM);
    return (await openssl(['verify', '-CAfile', path.join(dir.path, 'new-ca.pem'), path.join(dir.path, 'new-leaf.pem')])).code === 0;
  }, 10_000);
  await waitFor('echo after the rotation', async () => (await ncEcho(upPort, 'rotated')) === 'rotated', 10_000);
  // A bad key type is refused before anything changes.
  writeFileSync(cfg, JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'foo' } }));
  const bad = await cli('connect', 'ca', 'set-config', '-config-file', cfg);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /private key type must be either 'ec' or 'rsa'/);
  assert.equal((await api<{ ActiveRootID: string }>('/v1/connect/ca/roots')).ActiveRootID, rotated.ActiveRootID);
});

test('ad-hoc proxies from flags: -listen/-service-addr/-register on one side, -service/-upstream on the other', async () => {
  const echoPort = (echo.address() as net.AddressInfo).port;
  const listenPort = await freePort();
  const up2 = await freePort();
  startProxy(['-service', 'socat2', '-service-addr', `127.0.0.1:${echoPort}`, '-listen', `127.0.0.1:${listenPort}`, '-register']);
  startProxy(['-service', 'client2', '-upstream', `socat2:${up2}`]);
  await waitFor('the self-registration', async () => {
    const svcs = await api<Record<string, { Kind?: string; Port: number; Proxy?: { DestinationServiceName: string } }>>('/v1/agent/services');
    const r = svcs['socat2-proxy'];
    return r?.Kind === 'connect-proxy' && r.Port === listenPort && r.Proxy?.DestinationServiceName === 'socat2';
  }, 15_000);
  await waitFor('echo through the ad-hoc pair', async () => (await ncEcho(up2, 'adhoc')) === 'adhoc', 20_000);
  const p = proxies[proxies.length - 2];
  assert.ok(p);
  await stopProcessGroup(p.proc, p.exited, 'SIGTERM', 5000);
  await waitFor('deregistration on shutdown', async () => !('socat2-proxy' in (await api<Record<string, unknown>>('/v1/agent/services'))), 10_000);
});

test('beyond Consul: L7 intentions are enforced for a service whose service-defaults protocol is http', async () => {
  const { createServer } = await import('node:http');
  const backendHttp = createServer((req, res) => res.end(`ok ${req.method ?? ''} ${req.url ?? ''}`));
  await new Promise<void>((r) => backendHttp.listen(0, '127.0.0.1', r));
  try {
    const httpPort = (backendHttp.address() as net.AddressInfo).port;
    const listenPort = await freePort();
    const up = await freePort();
    writeFileSync(path.join(dir.path, 'sd.json'), JSON.stringify({ Kind: 'service-defaults', Name: 'api7', Protocol: 'http' }));
    writeFileSync(
      path.join(dir.path, 'si.hcl'),
      'Kind = "service-intentions"\nName = "api7"\nSources = [\n  {\n    Name = "client7"\n    Permissions = [\n      {\n        Action = "allow"\n        HTTP {\n          PathPrefix = "/public"\n          Methods = ["GET"]\n        }\n      }\n    ]\n  }\n]\n',
    );
    assert.equal((await cli('config', 'write', path.join(dir.path, 'sd.json'))).stdout.trim(), 'Config entry written: service-defaults/api7');
    assert.equal((await cli('config', 'write', path.join(dir.path, 'si.hcl'))).stdout.trim(), 'Config entry written: service-intentions/api7');
    startProxy(['-service', 'api7', '-service-addr', `127.0.0.1:${httpPort}`, '-listen', `127.0.0.1:${listenPort}`, '-register']);
    startProxy(['-service', 'client7', '-upstream', `api7:${up}`]);
    const get = async (p: string, method = 'GET'): Promise<{ status: number; body: string }> => {
      try {
        const r = await fetch(`http://127.0.0.1:${up}${p}`, { method });
        return { status: r.status, body: await r.text() };
      } catch {
        return { status: 0, body: '' };
      }
    };
    await waitFor('an allowed L7 request', async () => (await get('/public/a')).status === 200, 20_000);
    assert.deepEqual(await get('/public/a'), { status: 200, body: 'ok GET /public/a' });
    assert.deepEqual(await get('/private'), { status: 403, body: 'RBAC: access denied' });
    assert.equal((await get('/public/a', 'POST')).status, 403, 'method not allowed by the permission');
    // The built-in authorize still reports L7 intentions as a deny at L4, as Consul does.
    const auth = await api<{ Authorized: boolean; Reason: string }>('/v1/agent/connect/authorize', {
      method: 'POST',
      body: JSON.stringify({ Target: 'api7', ClientCertURI: 'spiffe://x.consul/ns/default/dc/dc1/svc/client7' }),
    });
    assert.equal(auth.Authorized, false);
    assert.match(auth.Reason, /^Matched L7 intention: client7 => api7 \(Precedence: 9, Permissions: 1\)$/);
  } finally {
    backendHttp.close();
  }
});
