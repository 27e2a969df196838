import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runConsul } from './fake-agent.js';
import { type DiscoveryAgent, startDiscoveryAgent } from './fake-discovery-agent.js';

describe('consul catalog', { timeout: 60_000 }, () => {
  let agent: DiscoveryAgent;
  const run = (...args: string[]) => runConsul(args, { addr: agent.addr });
  before(async () => {
    agent = await startDiscoveryAgent();
  });
  after(() => agent.close());
  beforeEach(() => {
    agent.fail.clear();
    agent.datacenters = ['dc1', 'dc2'];
    agent.nodes = [
      {
        ID: 'e5c1d4a2-1111-2222-3333-444455556666',
        Node: 'node1',
        Address: '127.0.0.1',
        Datacenter: 'dc1',
        TaggedAddresses: { wan: '127.0.0.2', lan: '127.0.0.1' },
        Meta: { os: 'linux', 'consul-network-segment': '' },
      },
      { ID: '0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff', Node: 'web-01', Address: '10.0.0.5', Datacenter: 'dc1', TaggedAddresses: {}, Meta: { os: 'windows' } },
    ];
    agent.services = [
      { node: 'node1', ID: 'consul', Service: 'consul', Tags: [], Port: 8300, Address: '' },
      { node: 'web-01', ID: 'web-1', Service: 'web', Tags: ['v2', 'primary'], Port: 80, Address: '' },
      { node: 'web-01', ID: 'web-2', Service: 'web', Tags: ['v1'], Port: 81, Address: '' },
      { node: 'node1', ID: 'db', Service: 'db', Tags: ['leader'], Port: 5432, Address: '' },
    ];
  });

  describe('datacenters', () => {
    it('prints one datacenter per line', async () => {
      const r = await run('catalog', 'datacenters');
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'dc1\ndc2\n', '']);
      assert.equal(agent.last()?.path, '/v1/catalog/datacenters');
    });

    it('rejects arguments and reports API errors, exit 1', async () => {
      const extra = await run('catalog', 'datacenters', 'x');
      assert.deepEqual([extra.code, extra.stderr], [1, 'Too many arguments (expected 0, got 1)\n']);
      agent.fail.set('/v1/catalog/datacenters', { status: 500, body: 'boom' });
      const bad = await run('catalog', 'datacenters');
      assert.deepEqual([bad.code, bad.stdout, bad.stderr], [1, '', 'Error listing datacenters: Unexpected response code: 500 (boom)\n']);
    });
  });

  describe('nodes', () => {
    it('prints Node ID Address DC with the short ID', async () => {
      const r = await run('catalog', 'nodes');
      assert.equal(r.code, 0);
      assert.equal(
        r.stdout,
        ['Node    ID        Address    DC', 'node1   e5c1d4a2  127.0.0.1  dc1', 'web-01  0a1b2c3d  10.0.0.5   dc1', ''].join('\n'),
      );
      assert.equal(r.stderr, '');
    });

    it('-detailed adds tagged addresses and meta as sorted k=v lists and keeps the full ID', async () => {
      const r = await run('catalog', 'nodes', '-detailed');
      assert.equal(r.code, 0);
      const lines = r.stdout.split('\n');
      assert.match(lines[0]!, /^Node {4}ID {36}Address {4}DC {3}TaggedAddresses {15}Meta$/);
      assert.match(
        lines[1]!,
        /^node1 {3}e5c1d4a2-1111-2222-3333-444455556666 {2}127\.0\.0\.1 {2}dc1 {2}lan=127\.0\.0\.1, wan=127\.0\.0\.2 {2}consul-network-segment=, os=linux$/,
      );
      assert.match(lines[2]!, /^web-01 {2}0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff {2}10\.0\.0\.5 {3}dc1 {32}os=windows$/);
    });

    it('sends -node-meta as repeated key:value, -near and -filter as query parameters', async () => {
      const r = await run('catalog', 'nodes', '-node-meta', 'os=linux', '-node-meta=rack=r1', '-near=_agent', '-filter', 'Node == "node1"');
      assert.equal(r.code, 0);
      const q = agent.last()!.query;
      assert.deepEqual(q.getAll('node-meta'), ['os:linux', 'rack:r1']);
      assert.equal(q.get('near'), '_agent');
      assert.equal(q.get('filter'), 'Node == "node1"');
    });

    it('reads -filter from a file with @', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'consul-filter-'));
      writeFileSync(join(dir, 'f.txt'), 'Meta.os == "linux"');
      await run('catalog', 'nodes', `-filter=@${join(dir, 'f.txt')}`);
      assert.equal(agent.last()!.query.get('filter'), 'Meta.os == "linux"');
      const missing = await run('catalog', 'nodes', `-filter=@${join(dir, 'nope')}`);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, `Could not process filter argument: Failed to read file: open ${join(dir, 'nope')}: no such file or directory\n`);
    });

    it('-service lists the nodes providing a service', async () => {
      const r = await run('catalog', 'nodes', '-service=web');
      assert.equal(r.code, 0);
      assert.equal(agent.last()!.path, '/v1/catalog/service/web');
      assert.equal(r.stdout, ['Node    ID        Address   DC', 'web-01  0a1b2c3d  10.0.0.5  dc1', 'web-01  0a1b2c3d  10.0.0.5  dc1', ''].join('\n'));
      agent.fail.set('/v1/catalog/service/web', { status: 500, body: 'x' });
      const bad = await run('catalog', 'nodes', '-service=web');
      assert.deepEqual([bad.code, bad.stderr], [1, 'Error listing nodes for service: Unexpected response code: 500 (x)\n']);
    });

    it('no match: message on stderr, exit 0', async () => {
      const r = await run('catalog', 'nodes', '-node-meta=os=plan9');
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'No nodes match the given query - try expanding your search.\n']);
    });

    it('errors: API failure, extra arguments, a -node-meta without =', async () => {
      agent.fail.set('/v1/catalog/nodes', { status: 403, body: 'Permission denied' });
      const bad = await run('catalog', 'nodes');
      assert.deepEqual([bad.code, bad.stderr], [1, 'Error listing nodes: Unexpected response code: 403 (Permission denied)\n']);
      const extra = await run('catalog', 'nodes', 'a', 'b');
      assert.deepEqual([extra.code, extra.stderr], [1, 'Too many arguments (expected 0, got 2)\n']);
      const meta = await run('catalog', 'nodes', '-node-meta=os');
      assert.equal(meta.code, 1);
      assert.match(meta.stderr, /^invalid value "os" for flag -node-meta: Missing "=" value in argument: os\nUsage:\n/);
    });

    it('connection failure', async () => {
      const r = await runConsul(['catalog', 'nodes'], { addr: '127.0.0.1:1' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Error listing nodes: Get "http:\/\/127\.0\.0\.1:1\/v1\/catalog\/nodes": dial tcp 127\.0\.0\.1:1: connect: connection refused\n$/);
    });
  });

  describe('services', () => {
    it('prints sorted service names', async () => {
      const r = await run('catalog', 'services');
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'consul\ndb\nweb\n', '']);
    });

    it('-tags prints sorted comma-separated tags in a tabwriter column', async () => {
      const r = await run('catalog', 'services', '-tags');
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'consul      \ndb          leader\nweb         primary,v1,v2\n');
    });

    it('-node lists the services on one node; an unknown node matches nothing', async () => {
      const r = await run('catalog', 'services', '-node=web-01', '-tags');
      assert.deepEqual([r.code, r.stdout], [0, 'web      primary,v1,v2\n']);
      assert.equal(agent.last()!.path, '/v1/catalog/node/web-01');
      const none = await run('catalog', 'services', '-node=nope');
      assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', 'No services match the given query - try expanding your search.\n']);
    });

    it('-node-meta filters; no match goes to stderr with exit 0', async () => {
      const r = await run('catalog', 'services', '-node-meta=os=windows');
      assert.deepEqual([r.code, r.stdout], [0, 'web\n']);
      assert.deepEqual(agent.last()!.query.getAll('node-meta'), ['os:windows']);
      const none = await run('catalog', 'services', '-node-meta=os=plan9');
      assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', 'No services match the given query - try expanding your search.\n']);
    });

    it('errors', async () => {
      agent.fail.set('/v1/catalog/services', { status: 500, body: 'No cluster leader' });
      const bad = await run('catalog', 'services');
      assert.deepEqual([bad.code, bad.stderr], [1, 'Error listing services: Unexpected response code: 500 (No cluster leader)\n']);
      agent.fail.set('/v1/catalog/node/n', { status: 500, body: 'x' });
      const badNode = await run('catalog', 'services', '-node=n');
      assert.deepEqual([badNode.code, badNode.stderr], [1, 'Error listing services for node: Unexpected response code: 500 (x)\n']);
      const extra = await run('catalog', 'services', 'x');
      assert.deepEqual([extra.code, extra.stderr], [1, 'Too many arguments (expected 0, got 1)\n']);
    });
  });

  it('help texts', async () => {
    const r = await run('catalog', 'nodes', '-h');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: consul catalog nodes \[options\]\n/);
    assert.match(r.stdout, /\n {2}-node-meta=<key=value>\n/);
    const s = await run('catalog', 'services', '-help');
    assert.match(s.stdout, /^Usage: consul catalog services \[options\]\n/);
  });
});
