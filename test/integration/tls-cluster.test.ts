// Three servers and a client agent on mTLS (verify_incoming, verify_outgoing,
// verify_server_hostname on the internal RPC port): Raft, forwarding and client-to-server calls
// all go over TLS; plaintext RPC is refused by every server; the leader is killed and the
// cluster (through the client agent) keeps reading and writing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { eventually } from '../support/cluster.js';
import { ServerSet, tryPut, type ServerSlot } from '../support/servers.js';
import { TestAgent } from '../support/test-agent.js';
import { makeTestCerts, type CertPair } from '../support/tls-certs.js';

const certs = makeTestCerts();
const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  certs.remove();
});

function tlsHcl(pair: CertPair): string {
  return `tls {
  defaults { ca_file = "${certs.caFile}" cert_file = "${pair.cert}" key_file = "${pair.key}" verify_incoming = true verify_outgoing = true }
  internal_rpc { verify_server_hostname = true }
}
`;
}

/** Connects and speaks plaintext RPC (protocol byte + a frame); 'closed' if the server hangs up. */
function plaintextRpc(port: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(Buffer.from([0x01, 0, 0, 0, 1, 0x80])));
    s.on('error', () => undefined);
    const timer = setTimeout(() => (s.destroy(), resolve('open')), 3_000);
    s.on('close', () => (clearTimeout(timer), resolve('closed')));
  });
}

async function clientPut(client: TestAgent, key: string, value: string): Promise<boolean> {
  try {
    const res = await fetch(`${client.url}/v1/kv/${key}`, { method: 'PUT', body: value, signal: AbortSignal.timeout(3_000) });
    return res.status === 200 && (await res.text()).trim() === 'true';
  } catch {
    return false;
  }
}

async function clientGet(client: TestAgent, key: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${client.url}/v1/kv/${key}?raw`, { signal: AbortSignal.timeout(3_000) });
    return res.status === 200 ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

test('3 servers + a client agent on mTLS survive a leader kill', { timeout: 240_000 }, async () => {
  const set = await ServerSet.create({ count: 3, raftMultiplier: 1, extraHcl: tlsHcl(certs.server) });
  cleanups.push(() => set.stopAll());
  await set.startAll();
  const leader = await set.waitCommonLeader(60_000);

  const clientConf = path.join(certs.dir, 'client.hcl');
  writeFileSync(clientConf, tlsHcl(certs.client));
  const first = set.slots[0] as ServerSlot;
  const client = await TestAgent.start({ dev: false, dataDir: path.join(certs.dir, 'client-data'), waitForLeader: false, args: ['-node=c1', `-retry-join=127.0.0.1:${first.ports.serfLan}`, '-retry-interval=1s', `-config-file=${clientConf}`] });
  cleanups.push(() => client.stop());
  await eventually('a write through the client agent', () => clientPut(client, 'tls/before', 'one'), 60_000, 200);
  assert.equal(await clientGet(client, 'tls/before'), 'one');
  assert.match(client.output, /Internal RPC TLS: Verify Incoming: true, Verify Outgoing: true \(Verify Hostname: true\)/);

  // Every server refuses plaintext RPC, so everything above went over TLS.
  for (const s of set.slots) assert.equal(await plaintextRpc(s.ports.server), 'closed', `${s.name} accepted plaintext RPC`);

  await set.kill9(leader);
  const next = await set.waitCommonLeader(60_000, leader);
  assert.notEqual(next, leader);
  await eventually('a write through the client agent after the failover', () => clientPut(client, 'tls/after', 'two'), 60_000, 200);
  assert.equal(await clientGet(client, 'tls/after'), 'two');
  assert.equal(await clientGet(client, 'tls/before'), 'one');
  assert.ok(await tryPut(next, 'tls/direct', 'three'));

  // The killed server comes back and catches up over TLS.
  await set.start(leader);
  await eventually('the restarted server serves a stale read of the latest key', async () => {
    const res = await fetch(`${leader.url}/v1/kv/tls/direct?raw&stale`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    return res !== undefined && res.status === 200 && (await res.text()) === 'three';
  }, 60_000, 200);
  // The only plaintext attempts any server saw are the three probes above.
  const logs = set.slots.map((s) => s.pastOutput + (s.agent?.output ?? '')).join('\n');
  assert.equal(logs.match(/Non-TLS connection attempted with VerifyIncoming set/g)?.length, 3, 'an agent dialled without TLS');
  assert.doesNotMatch(logs + client.output, /TLS handshake failed|refusing Raft|dropping Raft/, 'a handshake or a Raft call was refused between the agents');
});

test('WAN federation over mTLS: a dc1 server reaches dc2 servers whose certificates name server.dc2.consul', { timeout: 180_000 }, async () => {
  const dc1Conf = path.join(certs.dir, 'wan-dc1.hcl');
  writeFileSync(dc1Conf, tlsHcl(certs.server));
  const dc1 = await TestAgent.start({ dev: false, dataDir: path.join(certs.dir, 'wan-dc1'), args: ['-node=dc1-server', '-server', '-bootstrap-expect=1', '-datacenter=dc1', `-config-file=${dc1Conf}`] });
  cleanups.push(() => dc1.stop());
  const dc2 = await ServerSet.create({
    count: 1,
    raftMultiplier: 1,
    extraHcl: tlsHcl(certs.otherDcServer),
    args: ['-datacenter=dc2', `-retry-join-wan=127.0.0.1:${dc1.ports.serfWan}`, '-retry-interval-wan=1s'],
  });
  cleanups.push(() => dc2.stopAll());
  await dc2.startAll();
  const dc2Leader = await dc2.waitCommonLeader(60_000);
  assert.ok(await tryPut(dc2Leader, 'wan/tls', 'in-dc2'));
  await eventually('a dc2 read through dc1 over TLS', async () => {
    const res = await fetch(`${dc1.url}/v1/kv/wan/tls?raw&dc=dc2`, { signal: AbortSignal.timeout(3_000) });
    return res.status === 200 && (await res.text()) === 'in-dc2';
  }, 60_000, 200);
  assert.equal(await plaintextRpc(dc2Leader.ports.server), 'closed', 'dc2 refuses plaintext RPC');
});
