// The DNS interface of a real dev agent over UDP and TCP: catalog registrations over HTTP show up in
// DNS, dns_config from a config file applies, and garbage does not hurt the server.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import dnsPacket, { type Packet, type RecordType } from 'dns-packet';
import { TestAgent } from '../support/test-agent.js';

let agent: TestAgent;
let confDir: string;

before(async () => {
  confDir = mkdtempSync(path.join(os.tmpdir(), 'dns-it-'));
  writeFileSync(path.join(confDir, 'dns.json'), JSON.stringify({ alt_domain: 'test-domain', dns_config: { service_ttl: { '*': '5s', 'db-*': '10s' }, node_ttl: '7s', enable_truncate: true } }));
  agent = await TestAgent.start({ args: [`-config-dir=${confDir}`] });
});
after(async () => {
  await agent?.stop();
  rmSync(confDir, { recursive: true, force: true });
});

function udpAsk(raw: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => (s.close(), resolve(undefined)), 2000);
    s.on('message', (m) => (clearTimeout(timer), s.close(), resolve(m)));
    s.send(raw, agent.ports.dns, '127.0.0.1');
  });
}

function tcpAsk(raw: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(agent.ports.dns, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('connect', () => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(raw.length);
      s.write(Buffer.concat([head, raw]));
    });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) (s.destroy(), resolve(buf.subarray(2, 2 + buf.readUInt16BE(0))));
    });
  });
}

const q = (name: string, type: RecordType = 'A', edns = false): Buffer =>
  dnsPacket.encode({ type: 'query', id: 1234, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }], additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0, options: [] } as never] : [] });

async function ask(name: string, type: RecordType = 'A', edns = false): Promise<Packet> {
  const out = await udpAsk(q(name, type, edns));
  assert.ok(out, `no answer for ${name}`);
  return dnsPacket.decode(out);
}

const rcode = (p: Packet): string => (p as { rcode?: string }).rcode ?? 'NOERROR';
const ttl = (p: Packet): number | undefined => (p.answers?.[0] as { ttl?: number } | undefined)?.ttl;
const data = (p: Packet, type?: string): unknown[] => (p.answers ?? []).filter((a) => !type || a.type === type).map((a) => (a as { data: unknown }).data);

async function register(body: unknown): Promise<void> {
  const res = await fetch(`${agent.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

describe('DNS interface', { timeout: 60_000 }, () => {
  test('registered services answer A and SRV over UDP and TCP, with TTL rules', async () => {
    for (let i = 1; i <= 5; i++) await register({ Node: `db-node-${i}`, Address: `10.5.0.${i}`, Service: { Service: 'db-main', Port: 5432, Tags: ['primary'] } });
    const a = await ask('db-main.service.consul', 'A', true);
    assert.equal(rcode(a), 'NOERROR');
    assert.deepEqual(data(a).sort(), ['10.5.0.1', '10.5.0.2', '10.5.0.3', '10.5.0.4', '10.5.0.5']);
    assert.equal(ttl(a), 10, 'db-* rule');
    const limited = await ask('db-main.service.consul');
    assert.equal(limited.answers?.length, 3, 'no EDNS: udp_answer_limit');
    assert.ok((limited.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE, 'enable_truncate sets TC');
    const tcp = dnsPacket.decode(await tcpAsk(q('_db-main._primary.service.consul', 'SRV')));
    assert.equal(tcp.answers?.length, 5);
    assert.equal((tcp.additionals ?? []).filter((r) => r.type === 'A').length, 5);
  });

  test('nodes, alt domain, NXDOMAIN with SOA, REFUSED outside', async () => {
    const n = await ask('db-node-1.node.test-domain');
    assert.deepEqual(data(n, 'A'), ['10.5.0.1']);
    assert.equal(ttl(n), 7);
    const nx = await ask('nothing.service.consul');
    assert.equal(rcode(nx), 'NXDOMAIN');
    assert.equal(nx.authorities?.[0]?.type, 'SOA');
    assert.equal(rcode(await ask('example.com')), 'REFUSED');
  });

  test('garbage is dropped and the server keeps answering', async () => {
    for (const junk of [Buffer.from('garbage'), Buffer.alloc(600, 0xff), q('x.node.consul').subarray(0, 20)]) {
      assert.equal(await udpAsk(junk), undefined);
    }
    const s = net.connect(agent.ports.dns, '127.0.0.1');
    await new Promise((r) => s.on('connect', r));
    s.write(Buffer.from([0, 3, 1, 2, 3]));
    await new Promise((r) => s.on('close', r));
    assert.deepEqual(data(await ask('db-node-2.node.consul')), ['10.5.0.2']);
  });
});
