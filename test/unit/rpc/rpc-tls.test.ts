// The RPC port with TLS (Consul's RPCTLS byte, then a handshake, then the inner protocol): mTLS
// calls, plaintext refused under verify_incoming, clients without or with untrusted certificates
// refused, verify_server_hostname checking server.<dc>.<domain>, and TLS bytes sent with the
// first byte in one segment.
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { buildRuntime } from '../../../src/core/config/index.js';
import { RpcClient, RpcError } from '../../../src/core/rpc/index.js';
import { incomingTlsOptions, loadAgentTls, outgoingRpcTlsDialer, TlsConfigError, type AgentTls } from '../../../src/core/tls/index.js';
import { makeTestCerts, type CertPair, type TestCerts } from '../../support/tls-certs.js';
import { CaptureLogger, startServer } from './harness.js';

let certs: TestCerts;
const cleanups: (() => unknown)[] = [];
before(() => {
  certs = makeTestCerts();
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  certs.remove();
});

async function agentTls(pair: CertPair | undefined, rpc: Record<string, unknown>): Promise<AgentTls> {
  const rt = buildRuntime({ tls: { defaults: { ca_file: certs.caFile, ...(pair ? { cert_file: pair.cert, key_file: pair.key } : {}) }, internal_rpc: rpc } }, { dev: true, paths: [], flags: {} });
  return loadAgentTls(rt.tls);
}

async function tlsServer(verifyIncoming: boolean, pair: CertPair = certs.server): Promise<{ address: string; port: number; log: CaptureLogger }> {
  const t = await agentTls(pair, { verify_incoming: verifyIncoming });
  const log = new CaptureLogger();
  const server = await startServer({ logger: log, tls: { options: incomingTlsOptions(t.internalRpc), verifyIncoming } });
  cleanups.push(() => server.close());
  return { address: server.address, port: server.port, log };
}

async function tlsClient(pair: CertPair | undefined, rpc: Record<string, unknown> = { verify_outgoing: true }, dcOf: (addr: string) => string = () => 'dc1'): Promise<RpcClient> {
  const t = await agentTls(pair, rpc);
  const c = new RpcClient({ timeoutMs: 5_000, connectTimeoutMs: 5_000 });
  const forDc = outgoingRpcTlsDialer(t, 'consul');
  c.useTls((addr) => forDc(dcOf(addr)));
  cleanups.push(() => c.close());
  return c;
}

async function refused(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof RpcError && (err.kind === 'conn' || err.kind === 'timeout'));
}

test('mTLS calls work; plaintext, no client cert and an untrusted cert are refused under verify_incoming', async () => {
  const s = await tlsServer(true);
  const good = await tlsClient(certs.client);
  assert.deepEqual(await good.call(s.address, 'echo', { hello: 'tls' }), { hello: 'tls' });

  const plain = new RpcClient({ timeoutMs: 3_000 });
  cleanups.push(() => plain.close());
  await refused(plain.call(s.address, 'echo', 1));
  assert.ok(s.log.lines.some((l) => /Non-TLS connection attempted with VerifyIncoming set/.test(l)), s.log.lines.join('\n'));

  await refused((await tlsClient(undefined)).call(s.address, 'echo', 1));
  await refused((await tlsClient(certs.untrusted)).call(s.address, 'echo', 1));
  // The server kept serving through all of that.
  assert.deepEqual(await good.call(s.address, 'echo', 2), 2);
});

test('without verify_incoming both plaintext and TLS dialers are served', async () => {
  const s = await tlsServer(false);
  const plain = new RpcClient({ timeoutMs: 3_000 });
  cleanups.push(() => plain.close());
  assert.equal(await plain.call(s.address, 'echo', 'p'), 'p');
  assert.equal(await (await tlsClient(undefined)).call(s.address, 'echo', 't'), 't');
});

test('verify_server_hostname: the server must be server.<dc>.<domain>; without it any name under the CA passes', async () => {
  const wrongDc = await tlsServer(false, certs.otherDcServer);
  const strict = await tlsClient(certs.client, { verify_server_hostname: true });
  await refused(strict.call(wrongDc.address, 'echo', 1));
  const right = await tlsServer(false);
  assert.equal(await strict.call(right.address, 'echo', 1), 1);
  // A server of another datacenter is checked against its own datacenter's name.
  const perDc = await tlsClient(certs.client, { verify_server_hostname: true }, (addr) => (addr === wrongDc.address ? 'dc2' : 'dc1'));
  assert.equal(await perDc.call(wrongDc.address, 'echo', 3), 3);
  assert.equal(await perDc.call(right.address, 'echo', 4), 4);
  const lax = await tlsClient(certs.client, { verify_outgoing: true });
  assert.equal(await lax.call(wrongDc.address, 'echo', 1), 1);
  // The chain is checked even without the name: a server under another CA is refused.
  const untrusted = await tlsServer(false, certs.untrusted);
  await refused(lax.call(untrusted.address, 'echo', 1));
});

test('the TLS byte and the ClientHello in one segment are both read', async () => {
  const s = await tlsServer(true);
  const raw = net.connect({ host: '127.0.0.1', port: s.port });
  await new Promise((r) => raw.once('connect', r));
  // Cork so the 0x03 byte and the handshake leave in one write.
  raw.cork();
  raw.write(Buffer.from([0x03]));
  const secure = tls.connect({ socket: raw, ca: readFileSync(certs.caFile), cert: readFileSync(certs.client.cert), key: readFileSync(certs.client.key), servername: 'server.dc1.consul' });
  process.nextTick(() => raw.uncork());
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  assert.equal(secure.authorized, true);
  secure.destroy();
});

test("the loader's errors are tlsutil's", async () => {
  const load = (t: Record<string, unknown>): Promise<AgentTls> => loadAgentTls(buildRuntime({ tls: t }, { dev: true, paths: [], flags: {} }).tls);
  const fails = async (t: Record<string, unknown>, re: RegExp): Promise<void> => {
    await assert.rejects(load(t), (e: Error) => e instanceof TlsConfigError && re.test(e.message));
  };
  await fails({ defaults: { verify_incoming: true } }, /^VerifyIncoming set but no CA certificates were provided$/);
  await fails({ defaults: { verify_incoming: true, ca_file: certs.caFile, cert_file: certs.server.cert } }, /^VerifyIncoming requires either a Cert and Key pair in the configuration file, or auto_encrypt\/auto_config be enabled$/);
  await fails({ internal_rpc: { verify_outgoing: true } }, /^VerifyOutgoing set but no CA certificates were provided$/);
  await fails({ defaults: { ca_file: '/nonexistent/ca.pem' } }, /^Error loading from \/nonexistent\/ca\.pem: open \/nonexistent\/ca\.pem: no such file or directory$/);
  await fails({ defaults: { cert_file: '/nonexistent/c.pem', key_file: certs.server.key } }, /^Failed to load cert\/key pair: open \/nonexistent\/c\.pem: no such file or directory$/);
  await fails({ defaults: { cert_file: certs.server.cert, key_file: certs.client.key } }, /^Failed to load cert\/key pair: tls: private key does not match public key$/);
  await fails({ defaults: { ca_file: certs.server.key } }, /^failed to parse PEM /);
  await fails({ defaults: { ca_path: certs.dir + '/nothing-here' } }, /no such file or directory/);
  // A cert without its key is no certificate at all (tlsutil loadKeyPair), not an error.
  const t = await load({ defaults: { cert_file: certs.server.cert } });
  assert.equal(t.https.cert, undefined);
});

test('with verify_server_hostname, server-only methods (Raft) answer only peers whose certificate names a server', async () => {
  const t = await agentTls(certs.server, { verify_incoming: true, verify_server_hostname: true });
  const log = new CaptureLogger();
  const server = await startServer({
    logger: log,
    tls: { options: incomingTlsOptions(t.internalRpc), verifyIncoming: true, serverOnly: { name: 'server.dc1.consul', isServerOnly: (m) => m.startsWith('Raft.') } },
  });
  cleanups.push(() => server.close());
  let raftMessages = 0;
  server.handle('Raft.Call', () => 'raft');
  server.onMessage('Raft.Message', () => void raftMessages++);
  const asClient = await tlsClient(certs.client, { verify_server_hostname: true });
  assert.equal(await asClient.call(server.address, 'echo', 'x'), 'x', 'ordinary calls are served to client agents');
  await assert.rejects(asClient.call(server.address, 'Raft.Call'), (e: unknown) => e instanceof RpcError && e.kind === 'remote' && e.message === 'Permission denied');
  asClient.send(server.address, 'Raft.Message', 1);
  const asServer = await tlsClient(certs.server, { verify_server_hostname: true });
  assert.equal(await asServer.call(server.address, 'Raft.Call'), 'raft');
  asServer.send(server.address, 'Raft.Message', 2);
  await asServer.call(server.address, 'echo', 'flush');
  await asClient.call(server.address, 'echo', 'flush');
  assert.equal(raftMessages, 1, 'only the server peer reached Raft');
  assert.ok(log.lines.some((l) => /dropping Raft\.Message from a peer whose certificate does not name a server/.test(l)), log.lines.join('\n'));
});

test('a TLS connection outlives the handshake timeout; a peer that never finishes the handshake does not', async () => {
  const t = await agentTls(certs.server, { verify_incoming: true });
  const server = await startServer({ handshakeTimeoutMs: 200, tls: { options: incomingTlsOptions(t.internalRpc), verifyIncoming: true } });
  cleanups.push(() => server.close());
  const c = await tlsClient(certs.client);
  assert.equal(await c.call(server.address, 'echo', 1), 1);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(await c.call(server.address, 'echo', 2), 2);
  assert.equal(c.stats.dials, 1, 'the pooled TLS connection was not cut');
  // The 0x03 byte and then silence: closed after the handshake timeout.
  const raw = net.connect({ host: '127.0.0.1', port: server.port }, () => raw.write(Buffer.from([0x03])));
  raw.on('error', () => undefined);
  const closedIn = await new Promise<number>((resolve) => {
    const t0 = Date.now();
    raw.on('close', () => resolve(Date.now() - t0));
    setTimeout(() => resolve(-1), 5_000);
  });
  assert.ok(closedIn >= 0, 'a stalled handshake was never closed');
});
