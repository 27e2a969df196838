// Network coordinates end to end (issue: many datacenters): a server and a client agent on
// loopback ping each other, move their Vivaldi coordinates, and report them to the server
// (Coordinate.Update, batched into Raft). /v1/coordinate/nodes lists both, `consul rtt` estimates a
// loopback round trip (below 5 ms), blocking reads wake on new reports, and bad input gets clear
// errors. Report intervals are shortened through Consul's sync_coordinate_interval_min.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FAST_GOSSIP_HCL, api, eventually } from '../support/cluster.js';
import { TestAgent, runCli } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

interface Row {
  Node: string;
  Segment: string;
  Coord: { Vec: number[]; Error: number; Adjustment: number; Height: number };
}

describe('network coordinates', { timeout: 90_000 }, () => {
  const dir = tmpDir('consul-ts-coord-');
  let server: TestAgent;
  let client: TestAgent;

  before(async () => {
    const hcl = path.join(dir.path, 'fast.hcl');
    writeFileSync(hcl, `${FAST_GOSSIP_HCL}sync_coordinate_interval_min = "300ms"\n`);
    mkdirSync(path.join(dir.path, 'client'));
    server = await TestAgent.start({ args: ['-node=coord-server', `-config-file=${hcl}`] });
    client = await TestAgent.start({
      dev: false,
      waitForLeader: false,
      dataDir: path.join(dir.path, 'client'),
      args: ['-node=coord-client', `-config-file=${hcl}`, `-retry-join=127.0.0.1:${server.ports.serfLan}`, '-retry-interval=1s'],
    });
    await client.waitForLeader(30_000);
  });

  after(async () => {
    await Promise.all([client?.stop(), server?.stop()]);
    dir.remove();
  });

  test('both agents report a coordinate that has moved from the origin; the list and node endpoints show it', async () => {
    await eventually(
      'both nodes in /v1/coordinate/nodes with moved coordinates',
      async () => {
        const rows = (await api(client, 'GET', '/v1/coordinate/nodes')).json<Row[]>();
        const names = rows.filter((r) => r.Coord.Error < 1.5).map((r) => r.Node).sort();
        return names.join(',') === 'coord-client,coord-server';
      },
      30_000,
      200,
    );
    const one = await api(server, 'GET', '/v1/coordinate/node/coord-client');
    assert.equal(one.status, 200, one.text);
    const rows = one.json<Row[]>();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.Segment, '');
    assert.equal(rows[0]?.Coord.Vec.length, 8);
    assert.ok(Number(one.headers.get('x-consul-index')) > 0);
    const missing = await api(server, 'GET', '/v1/coordinate/node/nobody');
    assert.equal(missing.status, 404);
  });

  test('consul rtt estimates a loopback round trip between the two, and with one name from the agent', async () => {
    const two = await runCli(['rtt', `-http-addr=${client.addr}`, 'coord-server', 'coord-client']);
    assert.equal(two.code, 0, two.stderr);
    const m = /^Estimated coord-server <-> coord-client rtt: (\d+\.\d{3}) ms \(using LAN coordinates\)$/.exec(two.stdout.trim());
    assert.ok(m, two.stdout);
    assert.ok(Number(m[1]) < 5, `a loopback estimate below 5 ms, got ${m[1]} ms`);
    const one = await runCli(['rtt', `-http-addr=${client.addr}`, 'coord-server']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^Estimated coord-server <-> coord-client rtt: \d+\.\d{3} ms \(using LAN coordinates\)/);
  });

  test('?near sorts catalog and health answers by estimated RTT, _agent meaning the agent asked', async () => {
    for (const node of ['coord-server', 'coord-client']) {
      const r = await api(server, 'PUT', '/v1/catalog/register', { Node: node, Address: '127.0.0.1', SkipNodeUpdate: true, Service: { ID: `near-${node}`, Service: 'near-svc', Port: 1 } });
      assert.equal(r.status, 200, r.text);
    }
    const order = async (agent: TestAgent, p: string): Promise<string[]> => (await api(agent, 'GET', p)).json<{ Node: string | { Node: string } }[]>().map((e) => (typeof e.Node === 'string' ? e.Node : e.Node.Node));
    for (const first of ['coord-server', 'coord-client']) {
      assert.equal((await order(server, `/v1/catalog/service/near-svc?near=${first}`))[0], first);
      assert.equal((await order(server, `/v1/health/service/near-svc?near=${first}`))[0], first);
      assert.equal((await order(server, `/v1/catalog/nodes?near=${first}`))[0], first);
    }
    assert.equal((await order(client, '/v1/catalog/service/near-svc?near=_agent'))[0], 'coord-client', 'through the client agent, _agent is the client');
    assert.equal((await order(server, '/v1/catalog/service/near-svc?near=_agent'))[0], 'coord-server');
    const unknown = await api(server, 'GET', '/v1/catalog/service/near-svc?near=nobody');
    assert.equal(unknown.status, 200, 'an unknown source leaves the order alone');
  });

  test('consul rtt errors: no names, an unknown node, -wan names without a datacenter', async () => {
    const none = await runCli(['rtt', `-http-addr=${client.addr}`]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^One or two node names must be specified/);
    const unknown = await runCli(['rtt', `-http-addr=${client.addr}`, 'ghost', 'coord-server']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr.trim(), 'Could not find a coordinate for node "ghost"');
    const wan = await runCli(['rtt', '-wan', `-http-addr=${server.addr}`, 'coord-server', 'x.y.z']);
    assert.equal(wan.code, 1);
    assert.equal(wan.stderr.trim(), 'Node names must be specified as <node name>.<datacenter> with -wan');
    const wanOk = await runCli(['rtt', '-wan', `-http-addr=${server.addr}`, 'coord-server.dc1']);
    assert.equal(wanOk.code, 0, wanOk.stderr);
    assert.match(wanOk.stdout, /^Estimated coord-server\.dc1 <-> coord-server\.dc1 rtt: \d+\.\d{3} ms \(using WAN coordinates\)/);
  });

  test('a client agent refuses WAN joins with Consul\'s error', async () => {
    const r = await runCli(['join', '-wan', `-http-addr=${client.addr}`, `127.0.0.1:${server.ports.serfWan}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Must be a server to join WAN cluster/);
  });

  test('a blocking read of /v1/coordinate/nodes wakes on the next report', async () => {
    const first = await api(server, 'GET', '/v1/coordinate/nodes');
    const index = Number(first.headers.get('x-consul-index'));
    const t0 = Date.now();
    const next = await api(server, 'GET', `/v1/coordinate/nodes?index=${index}&wait=20s`);
    assert.equal(next.status, 200);
    assert.ok(Number(next.headers.get('x-consul-index')) > index);
    assert.ok(Date.now() - t0 < 15_000, 'woken by a report, not by the wait timeout');
  });

  test('PUT /v1/coordinate/update: bad bodies get 400 or Consul\'s rejection, and unknown nodes never appear', async () => {
    const notJson = await api(server, 'PUT', '/v1/coordinate/update', '{');
    assert.equal(notJson.status, 400);
    assert.match(notJson.text, /^Request decode failed: /);
    const badDims = await api(server, 'PUT', '/v1/coordinate/update', { Node: 'coord-server', Coord: { Vec: [1, 2], Error: 1, Adjustment: 0, Height: 0.00001 } });
    assert.equal(badDims.status, 500);
    assert.match(badDims.text, /^rejected bad coordinate: /);
    const ghost = await api(server, 'PUT', '/v1/coordinate/update', { Node: 'not-in-catalog', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1, Adjustment: 0, Height: 0.00001 } });
    assert.equal(ghost.status, 200, ghost.text);
    // Wait for two more batches: a flush already under way may end first, the one after it
    // certainly held the update. The node still has no coordinate.
    let index = Number((await api(server, 'GET', '/v1/coordinate/nodes')).headers.get('x-consul-index'));
    for (let i = 0; i < 2; i++) {
      const r = await api(server, 'GET', `/v1/coordinate/nodes?index=${index}&wait=20s`);
      assert.ok(Number(r.headers.get('x-consul-index')) > index, 'another batch was written');
      index = Number(r.headers.get('x-consul-index'));
    }
    assert.equal((await api(server, 'GET', '/v1/coordinate/node/not-in-catalog')).status, 404);
  });
});
