// Two datacenters on loopback (issue: many datacenters): dc1 is one server and a client agent,
// dc2 three servers, all joined over the WAN pool. Calls for dc2 made through dc1's client agent
// travel client -> dc1 server -> a dc2 server and come back with dc2's answer and headers: KV,
// catalog register by the body's Datacenter, health, blocking queries, DNS for `.dc2.` names, and
// Consul's 500 "No path to datacenter" for a datacenter nobody knows. A killed dc2 server is
// stepped over: the call goes to another server of dc2.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, eventually, srvTargets } from '../support/cluster.js';
import { ServerSet } from '../support/servers.js';
import { TestAgent, runCli } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

describe('WAN federation: two datacenters', { timeout: 150_000 }, () => {
  const dir = tmpDir('consul-ts-wan-');
  let dc1: TestAgent;
  let client: TestAgent;
  let dc2: ServerSet;

  before(async () => {
    mkdirSync(path.join(dir.path, 'dc1'));
    mkdirSync(path.join(dir.path, 'client'));
    dc1 = await TestAgent.start({
      dev: false,
      dataDir: path.join(dir.path, 'dc1'),
      args: ['-node=dc1-server', '-server', '-bootstrap-expect=1', '-datacenter=dc1'],
    });
    client = await TestAgent.start({
      dev: false,
      dataDir: path.join(dir.path, 'client'),
      waitForLeader: false,
      args: ['-node=dc1-client', '-datacenter=dc1', `-retry-join=127.0.0.1:${dc1.ports.serfLan}`, '-retry-interval=1s'],
    });
    dc2 = await ServerSet.create({ count: 3, raftMultiplier: 1, args: ['-datacenter=dc2', `-retry-join-wan=127.0.0.1:${dc1.ports.serfWan}`, '-retry-interval-wan=1s'] });
    await dc2.startAll();
    await dc2.waitCommonLeader(60_000);
    await client.waitForLeader(30_000);
    await eventually(
      'dc1 sees all three dc2 servers in the WAN pool',
      async () => {
        const r = await api(dc1, 'GET', '/v1/agent/members?wan=1');
        return r.json<{ Tags: Record<string, string>; Status: number }[]>().filter((m) => m.Tags.dc === 'dc2' && m.Status === 1).length === 3;
      },
      30_000,
    );
  });

  after(async () => {
    await Promise.all([client?.stop(), dc1?.stop(), dc2?.stopAll()]);
    dir.remove();
  });

  test('datacenters are listed, ours first, from a client agent and the CLI', async () => {
    const r = await api(client, 'GET', '/v1/catalog/datacenters');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), ['dc1', 'dc2']);
    const cli = await runCli(['catalog', 'datacenters', `-http-addr=${client.addr}`]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.stdout.trim().split('\n'), ['dc1', 'dc2']);
  });

  test('KV through dc1 for dc2 lands in dc2 only, with dc2 headers; a blocking read across the WAN wakes', async () => {
    const put = await api(client, 'PUT', '/v1/kv/wan/key?dc=dc2', 'from-dc1');
    assert.equal(put.status, 200, put.text);
    const there = await fetch(`${(dc2.slots[0] as { url: string }).url}/v1/kv/wan/key?raw&stale`);
    assert.equal(await there.text(), 'from-dc1');
    const here = await api(dc1, 'GET', '/v1/kv/wan/key');
    assert.equal(here.status, 404, 'the key must not exist in dc1');

    const got = await api(client, 'GET', '/v1/kv/wan/key?dc=DC2');
    assert.equal(got.status, 200, got.text);
    const index = Number(got.headers.get('x-consul-index'));
    assert.ok(index > 0, 'the answer carries dc2 X-Consul-Index');
    assert.equal(got.headers.get('x-consul-knownleader'), 'true');

    const t0 = Date.now();
    const blocked = api(client, 'GET', `/v1/kv/wan/key?dc=dc2&index=${index}&wait=20s`);
    await new Promise((r) => setTimeout(r, 300));
    const cli = await runCli(['kv', 'put', '-datacenter=dc2', `-http-addr=${client.addr}`, 'wan/key', 'changed']);
    assert.equal(cli.code, 0, cli.stderr);
    const woke = await blocked;
    assert.ok(Date.now() - t0 < 15_000, 'the blocking query woke on the write, not on its timeout');
    assert.ok(Number(woke.headers.get('x-consul-index')) > index);
    assert.equal(Buffer.from(woke.json<{ Value: string }[]>()[0]?.Value ?? '', 'base64').toString(), 'changed');
  });

  test('catalog register goes where the body says, and health answers for dc2', async () => {
    const reg = await api(client, 'PUT', '/v1/catalog/register', {
      datacenter: 'dc2',
      Node: 'ext-web',
      Address: '10.2.0.5',
      Service: { Service: 'web', Port: 8080 },
      Check: { Name: 'web alive', Status: 'passing', ServiceID: 'web' },
    });
    assert.equal(reg.status, 200, reg.text);
    const local = await api(dc1, 'GET', '/v1/catalog/service/web');
    assert.deepEqual(local.json(), [], 'nothing registered in dc1');
    const h = await api(client, 'GET', '/v1/health/service/web?dc=dc2&passing');
    assert.equal(h.status, 200, h.text);
    const rows = h.json<{ Node: { Node: string; Datacenter: string }; Service: { Port: number } }[]>();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.Node.Node, 'ext-web');
    assert.equal(rows[0]?.Node.Datacenter, 'dc2');
    assert.ok(h.headers.get('x-consul-index'));
  });

  test('DNS answers .dc2. names through the WAN, from the client agent', async () => {
    await eventually('web.service.dc2.consul resolves through dc1', async () => (await srvTargets(client.ports.dns, 'web.service.dc2.consul')).length === 1, 15_000);
    assert.deepEqual(await srvTargets(client.ports.dns, 'web.service.dc2.consul'), ['ext-web.node.dc2.consul:8080']);
    assert.deepEqual(await srvTargets(dc1.ports.dns, 'web.service.dc1.consul'), [], 'dc1 has no web');
    assert.deepEqual(await srvTargets(dc1.ports.dns, 'web.service.dc9.consul'), [], 'an unknown datacenter is NXDOMAIN');
  });

  test('a prepared query fails over to dc2 when every dc1 instance is critical, over HTTP and DNS', async () => {
    const reg = await api(dc1, 'PUT', '/v1/catalog/register', {
      Node: 'dc1-web',
      Address: '10.1.0.5',
      Service: { Service: 'web', Port: 8080 },
      Check: { Name: 'web down', Status: 'critical', ServiceID: 'web' },
    });
    assert.equal(reg.status, 200, reg.text);
    const q = await api(client, 'POST', '/v1/query', { Name: 'web-fo', Service: { Service: 'web', Failover: { NearestN: 1, Datacenters: ['dc9', 'dc2'] } } });
    assert.equal(q.status, 200, q.text);
    const r = await api(client, 'GET', '/v1/query/web-fo/execute');
    assert.equal(r.status, 200, r.text);
    const out = r.json<{ Datacenter: string; Failovers: number; Nodes: { Node: { Node: string } }[] }>();
    assert.equal(out.Datacenter, 'dc2');
    assert.equal(out.Failovers, 1, 'dc2 is the nearest other datacenter; unknown dc9 is skipped');
    assert.deepEqual(out.Nodes.map((n) => n.Node.Node), ['ext-web']);
    assert.deepEqual(await srvTargets(client.ports.dns, 'web-fo.query.consul'), ['ext-web.node.dc2.consul:8080']);
  });

  test('an unknown datacenter gets 500 "No path to datacenter", by ?dc= or by body', async () => {
    const q = await api(client, 'GET', '/v1/kv/x?dc=dc9');
    assert.equal(q.status, 500);
    assert.equal(q.text, 'No path to datacenter');
    const b = await api(client, 'PUT', '/v1/catalog/register', { Datacenter: 'dc9', Node: 'n', Address: '1.2.3.4' });
    assert.equal(b.status, 500);
    assert.equal(b.text, 'No path to datacenter');
    const s = await api(dc1, 'GET', '/v1/catalog/services?dc=dc9');
    assert.equal(s.status, 500);
    assert.equal(s.text, 'No path to datacenter');
  });

  test('WAN coordinates: /v1/coordinate/datacenters maps both datacenters, and consul rtt -wan estimates across them', async () => {
    await eventually(
      'dc1 has WAN coordinates for dc1 and all dc2 servers',
      async () => {
        const maps = (await api(client, 'GET', '/v1/coordinate/datacenters')).json<{ Datacenter: string; AreaID: string; Coordinates: { Node: string }[] }[]>();
        const dc2Nodes = maps.find((m) => m.Datacenter === 'dc2')?.Coordinates.length ?? 0;
        return maps.some((m) => m.Datacenter === 'dc1' && m.AreaID === 'wan') && dc2Nodes === 3;
      },
      // The WAN profile probes one member every 5 s: each of the three is pinged within ~15 s.
      60_000,
      250,
    );
    const r = await runCli(['rtt', '-wan', `-http-addr=${dc1.addr}`, 's2.dc2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Estimated s2\.dc2 <-> dc1-server\.dc1 rtt: \d+\.\d{3} ms \(using WAN coordinates\)/);
  });

  test('a dead dc2 server is stepped over: calls go to another dc2 server', async () => {
    const victim = dc2.slots[0];
    assert.ok(victim);
    await dc2.kill9(victim);
    await dc2.waitCommonLeader(60_000, victim);
    // The WAN pool still lists the killed server for a while (WAN failure detection is slow):
    // every call must still succeed by moving on to a live server.
    for (let i = 0; i < 6; i++) {
      const r = await api(client, 'GET', `/v1/kv/wan/key?dc=dc2&stale&n=${i}`);
      assert.equal(r.status, 200, `call ${i}: ${r.status} ${r.text}`);
    }
  });
});
