// The seeds' walkthroughs for status, KV, the catalog, DNS, snapshots and CLI errors, through the
// real `consul` CLI and ports of one dev agent. This is the project's own cover of the ground the
// shared conformance scenarios 01, 02, 04, 05, 12 and 14 walk, so a fresh clone without
// ../shared still tests it.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Packet } from 'dns-packet';
import { api, dnsAsk, eventually } from '../support/cluster.js';
import { TestAgent, runCli } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const NODE = 'walk-kv';
let agent: TestAgent;
let work: ReturnType<typeof tmpDir>;

before(async () => {
  work = tmpDir('walk-kv-');
  const conf = path.join(work.path, 'conf');
  mkdirSync(conf);
  writeFileSync(path.join(conf, 'web.json'), JSON.stringify({ service: { name: 'web', tags: ['rails'], port: 80 } }));
  writeFileSync(path.join(conf, 'lb.json'), JSON.stringify({ services: [{ id: 'lb', name: 'nginx', tags: ['lb'], port: 8080, address: '127.0.0.2' }] }));
  agent = await TestAgent.start({ args: [`-node=${NODE}`, `-config-dir=${conf}`] });
});
after(async () => {
  await agent?.stop();
  work?.remove();
});

/** The CLI against the agent, as a shell user runs it (CONSUL_HTTP_ADDR in the environment). */
async function consul(args: string[], input?: string): Promise<{ out: string; code: number | null }> {
  const r = await runCli(args, { CONSUL_HTTP_ADDR: agent.addr }, input);
  return { out: (r.stdout + r.stderr).replace(/\n$/, ''), code: r.code };
}
async function ok(...args: string[]): Promise<string> {
  const r = await consul(args);
  assert.equal(r.code, 0, `consul ${args.join(' ')} exited ${r.code}: ${r.out}`);
  return r.out;
}
async function fails(...args: string[]): Promise<string> {
  const r = await consul(args);
  assert.notEqual(r.code, 0, `consul ${args.join(' ')} should fail: ${r.out}`);
  return r.out;
}

/** dig +short: the answer records' data, one string each. */
async function dig(name: string, type: 'A' | 'SRV' = 'A'): Promise<string[]> {
  const p = await dnsAsk(agent.ports.dns, name, type);
  assert.ok(p, `no DNS answer for ${name}`);
  return (p.answers ?? []).map((a) => {
    const d = (a as { data: unknown }).data;
    if (a.type === 'SRV') {
      const s = d as { priority: number; weight: number; port: number; target: string };
      return `${s.priority} ${s.weight} ${s.port} ${s.target}.`;
    }
    return a.type === 'CNAME' ? `${String(d)}.` : String(d);
  });
}
const rcode = (p: Packet | undefined): string => (p as { rcode?: string } | undefined)?.rcode ?? 'NOERROR';

describe('walkthroughs: status, KV, catalog, DNS, snapshot, CLI errors', { timeout: 120_000 }, () => {
  test('a dev agent describes itself: status, members, catalog node, agent/self, the consul service, info', async () => {
    const leader = await api(agent, 'GET', '/v1/status/leader');
    assert.equal(leader.json<string>(), `127.0.0.1:${agent.ports.server}`);
    assert.deepEqual(await api(agent, 'GET', '/v1/status/peers').then((r) => r.json<string[]>()), [`127.0.0.1:${agent.ports.server}`]);
    const members = await ok('members');
    assert.match(members, /Node\s+Address\s+Status\s+Type\s+Build\s+Protocol\s+DC/);
    assert.match(members, new RegExp(`${NODE}\\s+127\\.0\\.0\\.1:${agent.ports.serfLan}\\s+alive\\s+server\\s+\\S+\\s+2\\s+dc1`));
    const nodes = await api(agent, 'GET', '/v1/catalog/nodes');
    const me = nodes.json<Array<{ Node: string; Address: string; Datacenter: string; TaggedAddresses: { lan: string } }>>().find((n) => n.Node === NODE);
    assert.equal(me?.Address, '127.0.0.1');
    assert.equal(me?.TaggedAddresses.lan, '127.0.0.1');
    assert.equal(me?.Datacenter, 'dc1');
    assert.match(nodes.headers.get('x-consul-index') ?? '', /^[1-9]\d*$/);
    assert.equal(nodes.headers.get('x-consul-knownleader'), 'true');
    const self = (await api(agent, 'GET', '/v1/agent/self')).json<{ Config: { NodeName: string; Server: boolean } }>();
    assert.equal(self.Config.NodeName, NODE);
    assert.equal(self.Config.Server, true);
    const svc = (await api(agent, 'GET', '/v1/health/service/consul')).json<Array<{ Service: { Port: number }; Checks: Array<{ CheckID: string; Status: string; Output: string }> }>>();
    assert.equal(svc[0]?.Service.Port, agent.ports.server);
    const serf = svc[0]?.Checks.find((c) => c.CheckID === 'serfHealth');
    assert.deepEqual([serf?.Status, serf?.Output], ['passing', 'Agent alive and reachable']);
    assert.match(await ok('version'), /^Consul v\d+\.\d+/);
    assert.match(await ok('info'), /raft:[\s\S]*state = Leader/);
  });

  test('the consul kv walkthrough: put/get/delete, -flags, -detailed, -recurse, -keys, CAS, stdin, @file, export/import', async () => {
    assert.equal(await fails('kv', 'get', 'redis/config/minconns'), 'Error! No key exists at: redis/config/minconns');
    assert.equal(await ok('kv', 'put', 'redis/config/minconns', '1'), 'Success! Data written to: redis/config/minconns');
    await ok('kv', 'put', 'redis/config/maxconns', '25');
    await ok('kv', 'put', '-flags=42', 'redis/config/users/admin', 'abcd1234');
    assert.equal(await ok('kv', 'get', 'redis/config/minconns'), '1');
    const detailed = await ok('kv', 'get', '-detailed', 'redis/config/users/admin');
    for (const re of [/^CreateIndex\s+\d+$/m, /^Flags\s+42$/m, /^Key\s+redis\/config\/users\/admin$/m, /^LockIndex\s+0$/m, /^Session\s+-$/m, /^Value\s+abcd1234$/m]) assert.match(detailed, re);
    assert.equal(await ok('kv', 'get', '-recurse', 'redis/config'), 'redis/config/maxconns:25\nredis/config/minconns:1\nredis/config/users/admin:abcd1234');
    assert.equal(await ok('kv', 'get', '-keys', 'redis/config/'), 'redis/config/maxconns\nredis/config/minconns\nredis/config/users/');
    assert.equal(await ok('kv', 'delete', 'redis/config/minconns'), 'Success! Deleted key: redis/config/minconns');
    assert.equal(await ok('kv', 'delete', '-recurse', 'redis'), 'Success! Deleted keys with prefix: redis');
    assert.equal(await ok('kv', 'get', '-recurse', 'redis'), '');

    await ok('kv', 'put', 'foo', 'zip');
    const idx = Number(/^ModifyIndex\s+(\d+)$/m.exec(await ok('kv', 'get', '-detailed', 'foo'))?.[1]);
    assert.ok(idx > 0);
    assert.equal(await fails('kv', 'put', '-cas', `-modify-index=${idx + 1000}`, 'foo', 'bar'), 'Error! Did not write to foo: CAS failed');
    assert.equal(await ok('kv', 'put', '-cas', `-modify-index=${idx}`, 'foo', 'bar'), 'Success! Data written to: foo');
    assert.equal(await fails('kv', 'put', '-cas', `-modify-index=${idx}`, 'foo', 'bar'), 'Error! Did not write to foo: CAS failed');
    await fails('kv', 'put', '-cas', '-modify-index=0', 'foo', 'again');
    await ok('kv', 'put', '-cas', '-modify-index=0', 'newkey', 'first');
    assert.equal((await consul(['kv', 'put', 'stdin/key', '-'], 'from-stdin')).code, 0);
    assert.equal(await ok('kv', 'get', 'stdin/key'), 'from-stdin');
    const file = path.join(work.path, 'v.txt');
    writeFileSync(file, 'line1\nline2');
    await ok('kv', 'put', 'file/key', `@${file}`);
    const viaFlag = await runCli(['kv', 'get', `-http-addr=http://${agent.addr}`, 'foo'], { CONSUL_HTTP_ADDR: '127.0.0.1:1' });
    assert.equal(viaFlag.stdout, 'bar\n', '-http-addr wins over the environment');

    const exported = await ok('kv', 'export');
    const rows = JSON.parse(exported) as Array<{ key: string; value: string }>;
    assert.equal(rows.find((r) => r.key === 'foo')?.value, Buffer.from('bar').toString('base64'));
    for (const prefix of ['foo', 'newkey', 'stdin', 'file']) await ok('kv', 'delete', '-recurse', prefix);
    await fails('kv', 'get', 'file/key');
    const dump = path.join(work.path, 'export.json');
    writeFileSync(dump, exported);
    await ok('kv', 'import', `@${dump}`);
    assert.equal(await ok('kv', 'get', 'file/key'), 'line1\nline2');
  });

  test('external services registered in the catalog answer over HTTP and DNS, and leave with NXDOMAIN', async () => {
    assert.equal((await api(agent, 'PUT', '/v1/catalog/register', { Datacenter: 'dc1', Node: 'amazon', Address: 'www.amazon.com', Service: { Service: 'shop', Port: 80 } })).text.trim(), 'true');
    assert.equal((await api(agent, 'PUT', '/v1/catalog/register', { Node: 'vagrant', Address: '10.0.1.100', Service: { Service: 'vagrant', Tags: ['box'] } })).text.trim(), 'true');
    const services = (await api(agent, 'GET', '/v1/catalog/services')).json<Record<string, string[]>>();
    assert.deepEqual([services.shop, services.vagrant, 'consul' in services], [[], ['box'], true]);
    const shop = (await api(agent, 'GET', '/v1/catalog/service/shop')).json<Array<Record<string, unknown>>>()[0];
    assert.deepEqual([shop?.Node, shop?.Address, shop?.ServiceName, shop?.ServiceID, shop?.ServicePort], ['amazon', 'www.amazon.com', 'shop', 'shop', 80]);
    assert.deepEqual(await dig('vagrant.service.consul'), ['10.0.1.100']);
    assert.deepEqual(await dig('vagrant.node.consul'), ['10.0.1.100']);
    assert.deepEqual(await dig('box.vagrant.service.consul'), ['10.0.1.100']);
    assert.ok((await dig('shop.service.consul')).includes('www.amazon.com.'), 'a hostname address answers with a CNAME');
    assert.equal((await api(agent, 'PUT', '/v1/catalog/deregister', { Datacenter: 'dc1', Node: 'amazon' })).text.trim(), 'true');
    assert.deepEqual((await api(agent, 'GET', '/v1/catalog/service/shop')).json<unknown[]>(), []);
    await api(agent, 'PUT', '/v1/catalog/deregister', { Node: 'vagrant' });
    const nx = await dnsAsk(agent.ports.dns, 'vagrant.service.consul', 'A');
    assert.equal(rcode(nx), 'NXDOMAIN');
    assert.equal(nx?.authorities?.[0]?.type, 'SOA');
    assert.equal((await api(agent, 'PUT', '/v1/catalog/register', '{"Node":')).status, 400);
    const missing = await api(agent, 'PUT', '/v1/catalog/register', { Address: '1.2.3.4' });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /node/i);
  });

  test('services from the config dir and the agent API answer A, SRV, tag and RFC 2782 lookups', async () => {
    const local = (await api(agent, 'GET', '/v1/agent/services')).json<Record<string, { Service: string; Port: number }>>();
    assert.deepEqual([local.web?.Service, local.web?.Port, local.lb?.Service], ['web', 80, 'nginx']);
    await eventually('web reaches the catalog', async () => (await api(agent, 'GET', '/v1/catalog/service/web')).json<unknown[]>().length === 1);
    const target = `${NODE}.node.dc1.consul.`;
    assert.deepEqual(await dig('web.service.consul'), ['127.0.0.1']);
    assert.deepEqual(await dig('web.service.consul', 'SRV'), [`1 1 80 ${target}`]);
    assert.deepEqual(await dig('rails.web.service.consul'), ['127.0.0.1']);
    assert.deepEqual(await dig('_web._rails.service.consul', 'SRV'), [`1 1 80 ${target}`]);
    assert.deepEqual(await dig(`${NODE}.node.dc1.consul`), ['127.0.0.1']);
    assert.deepEqual(await dig('lb.nginx.service.consul'), ['127.0.0.2'], 'service address wins over the node address');
    assert.deepEqual(await dig('WEB.SERVICE.CONSUL'), ['127.0.0.1']);

    assert.equal((await api(agent, 'PUT', '/v1/agent/service/register', { ID: 'api1', Name: 'api', Tags: ['v1'], Port: 9001, Meta: { version: '1' } })).status, 200);
    await eventually('api in DNS', async () => (await dig('api.service.consul', 'SRV')).join() === `1 1 9001 ${target}`);
    assert.equal((await api(agent, 'GET', '/v1/catalog/service/api?tag=v1')).json<unknown[]>().length, 1);
    assert.equal((await api(agent, 'GET', '/v1/catalog/service/api?tag=v2')).json<unknown[]>().length, 0);
    assert.deepEqual(Object.keys((await api(agent, 'GET', '/v1/agent/services?filter=Service%20==%20"api"')).json<object>()), ['api1']);
    assert.equal((await api(agent, 'PUT', '/v1/agent/service/deregister/api1')).status, 200);
    await eventually('api leaves DNS', async () => (await dig('api.service.consul')).length === 0);
    assert.equal((await api(agent, 'PUT', '/v1/agent/service/deregister/nope')).status, 404);
    assert.equal((await api(agent, 'PUT', '/v1/agent/service/register', { Name: 'bad', Port: 'eighty' })).status, 400);
  });

  test('snapshot save, inspect and restore bring back KV and the catalog; damaged files are refused', async () => {
    await api(agent, 'PUT', '/v1/kv/keep/a', '1');
    await api(agent, 'PUT', '/v1/kv/keep/b', '2');
    await api(agent, 'PUT', '/v1/catalog/register', { Node: 'ext', Address: '10.9.9.9', Service: { Service: 'extsvc', Port: 1 } });
    const snap = path.join(work.path, 'backup.snap');
    assert.match(await ok('snapshot', 'save', snap), /^Saved and verified snapshot to index \d+$/);
    const inspect = await ok('snapshot', 'inspect', snap);
    for (const field of ['ID', 'Size', 'Index', 'Term', 'Version']) assert.match(inspect, new RegExp(`^\\s*${field}\\s`, 'm'));
    await api(agent, 'DELETE', '/v1/kv/keep?recurse');
    await api(agent, 'PUT', '/v1/kv/after', '3');
    await api(agent, 'PUT', '/v1/catalog/deregister', { Node: 'ext' });
    assert.equal(await ok('snapshot', 'restore', snap), 'Restored snapshot');
    assert.equal((await api(agent, 'GET', '/v1/kv/keep/b?raw')).text, '2');
    assert.equal((await api(agent, 'GET', '/v1/kv/after')).status, 404);
    assert.deepEqual(await dig('extsvc.service.consul'), ['10.9.9.9']);
    const viaApi = await api(agent, 'GET', '/v1/snapshot');
    assert.match(viaApi.headers.get('x-consul-index') ?? '', /^\d+$/);
    const bad = path.join(work.path, 'bad.snap');
    writeFileSync(bad, readFileSync(snap).subarray(0, 300));
    await fails('snapshot', 'restore', bad);
    await fails('snapshot', 'inspect', bad);
    assert.equal((await api(agent, 'GET', '/v1/kv/keep/a?raw')).text, '1', 'state intact after a refused restore');
  });

  test('bad CLI input, an unreachable agent and garbage on the ports get errors, not crashes', async () => {
    await fails('kv', 'put');
    await fails('kv', 'get', '-bogus-flag', 'foo');
    await fails('kv', 'put', '-modify-index=abc', 'foo', 'bar');
    await fails('nosuchcommand');
    assert.match(await fails('join', '127.0.0.1:1'), /Error joining/);
    const unreachable = await runCli(['kv', 'get', 'foo'], { CONSUL_HTTP_ADDR: '127.0.0.1:1' });
    assert.notEqual(unreachable.code, 0);
    assert.match(unreachable.stderr, /Error/);
    const help = await runCli(['kv', 'put', '-h']);
    assert.match(help.stdout + help.stderr, /Usage/);
    await new Promise<void>((resolve) => {
      const s = net.connect(agent.ports.http, '127.0.0.1', () => s.end('GARBAGE\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    for (const port of [agent.ports.dns, agent.ports.serfLan]) {
      const u = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => u.send(Buffer.alloc(512, 0xa5), port, '127.0.0.1', () => resolve()));
      u.close();
    }
    assert.equal((await api(agent, 'GET', '/v1/status/leader')).json<string>(), `127.0.0.1:${agent.ports.server}`);
  });
});
