// Serving the web UI and its /v1/internal/ui/* endpoints through a real agent's HTTP port:
// the `/` redirect, caching headers, gzip/brotli, deep links, a user's ui_config.dir under a
// custom content path, the UI off outside dev mode, and the endpoints' shapes and blocking.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Cluster } from '../support/cluster.js';
import { TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const get = (agent: TestAgent, p: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${agent.url}${p}`, { headers, redirect: 'manual' });

describe('dev agent serves the built-in UI', { timeout: 120_000 }, () => {
  let agent: TestAgent;
  before(async () => {
    agent = await TestAgent.start({ args: ['-node=serve-node'] });
  });
  after(async () => {
    await agent?.stop();
  });

  test('/ redirects to /ui/ (301, as Consul does when the UI is on)', async () => {
    const res = await get(agent, '/');
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/ui/');
  });

  test('/ui without the slash redirects to /ui/', async () => {
    const res = await get(agent, '/ui');
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/ui/');
  });

  test('index.html is revalidated by ETag; deep links get it too', async () => {
    const res = await get(agent, '/ui/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const etag = res.headers.get('etag') ?? '';
    const html = await res.text();
    assert.match(html, /<script type="module" src="\/ui\/assets\/app-[\w]+\.js">/);
    assert.match(html, /%22datacenter%22%3A%22dc1%22/);
    const again = await get(agent, '/ui/', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    for (const deep of ['/ui/dc1/kv/app/', '/ui/dc1/services/web/instances', '/ui/dc1/nodes/n1/health-checks']) {
      const r = await get(agent, deep);
      assert.equal(r.status, 200, deep);
      assert.equal(await r.text(), html, deep);
    }
    // Nothing outside the UI folder is ever read.
    // (node:http sends the path as written; fetch would normalize the dots away.)
    const sneaky = await rawGet(agent, '/ui/%2e%2e/%2e%2e/%2e%2e/package.json', 'identity');
    assert.equal(sneaky.body.toString(), html);
  });

  test('hashed assets are immutable and served with brotli or gzip', async () => {
    const html = await (await get(agent, '/ui/')).text();
    const js = /src="(\/ui\/assets\/app-\w+\.js)"/.exec(html)?.[1] ?? '';
    const plain = await rawGet(agent, js, 'identity');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    const body = plain.body;
    for (const [accept, enc, decode] of [
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
    ] as const) {
      // undici's fetch decodes transparently; read the raw bytes through node:http instead.
      const raw = await rawGet(agent, js, accept);
      assert.equal(raw.headers['content-encoding'], enc);
      assert.equal(raw.headers.vary, 'Accept-Encoding');
      assert.ok(raw.body.length < body.length / 2, `${enc} is smaller`);
      assert.deepEqual(decode(raw.body), body);
      const etag = String(raw.headers.etag);
      assert.notEqual(etag, plain.headers.etag);
      assert.equal((await rawGet(agent, js, accept, etag)).status, 304);
    }
  });

  test('/v1/internal/ui/services, /nodes and /node/:node answer in Consul shapes and block', async () => {
    const first = await get(agent, '/v1/internal/ui/services');
    const index = Number(first.headers.get('x-consul-index'));
    const list = (await first.json()) as Record<string, unknown>[];
    assert.deepEqual(list.map((s) => s.Name), ['consul']);
    assert.deepEqual(Object.keys(list[0] ?? {}), [
      'Name', 'Datacenter', 'Tags', 'Nodes', 'ExternalSources', 'InstanceCount', 'ChecksPassing', 'ChecksWarning', 'ChecksCritical',
      'GatewayConfig', 'TransparentProxy', 'ConnectNative', 'ConnectedWithProxy', 'ConnectedWithGateway',
    ]);
    const waiting = get(agent, `/v1/internal/ui/services?index=${index}&wait=20s`);
    const reg = await fetch(`${agent.url}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'api', Tags: ['b', 'a'], Meta: { 'external-source': 'k8s' }, Check: { TTL: '10m', Status: 'warning' } }),
    });
    assert.equal(reg.status, 200);
    let woke = await waiting;
    // Anti-entropy may land the service and its check in two writes: follow the index.
    let api: Record<string, unknown> | undefined;
    for (let i = 0; i < 5; i++) {
      api = ((await woke.json()) as Record<string, unknown>[]).find((s) => s.Name === 'api' && s.ChecksWarning === 1);
      if (api) break;
      woke = await get(agent, `/v1/internal/ui/services?index=${woke.headers.get('x-consul-index')}&wait=5s`);
    }
    assert.deepEqual(api && { Tags: api.Tags, ExternalSources: api.ExternalSources, InstanceCount: api.InstanceCount, Nodes: api.Nodes, ChecksPassing: api.ChecksPassing }, {
      Tags: ['a', 'b'],
      ExternalSources: ['k8s'],
      InstanceCount: 1,
      Nodes: ['serve-node'],
      ChecksPassing: 1,
    });

    const nodes = (await (await get(agent, '/v1/internal/ui/nodes')).json()) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(nodes[0] ?? {}), ['ID', 'Node', 'Address', 'TaggedAddresses', 'Meta', 'Services', 'Checks']);
    assert.equal((nodes[0]?.Meta as Record<string, string>)['consul-version'], '1.21.5');
    const node = await get(agent, '/v1/internal/ui/node/serve-node');
    assert.equal(node.status, 200);
    assert.deepEqual(((await node.json()) as { Services: { Service: string }[] }).Services.map((s) => s.Service).sort(), ['api', 'consul']);
    const missing = await get(agent, '/v1/internal/ui/node/nope');
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '');
    const filtered = (await (await get(agent, `/v1/internal/ui/services?filter=${encodeURIComponent('Service.Service == "api"')}`)).json()) as unknown[];
    assert.equal(filtered.length, 1);
  });
});

describe('UI settings outside dev mode', { timeout: 120_000 }, () => {
  const work = tmpDir('ui-serving-');
  const stops: TestAgent[] = [];
  after(async () => {
    await Promise.all(stops.map((a) => a.stop()));
    work.remove();
  });

  test('without -ui the agent answers "Consul Agent" on / and 404 under /ui/', async () => {
    const agent = await TestAgent.start({ dev: false, dataDir: path.join(work.path, 'a'), args: ['-server', '-bootstrap', '-node=plain'] });
    stops.push(agent);
    const root = await get(agent, '/');
    assert.equal(root.status, 200);
    assert.equal(await root.text(), 'Consul Agent');
    assert.equal((await get(agent, '/ui/')).status, 404);
    assert.equal((await get(agent, '/nope')).status, 404);
  });

  test('-ui-dir serves the user\'s files under -ui-content-path', async () => {
    writeFileSync(path.join(work.path, 'index.html'), '<h1>my own UI</h1>');
    writeFileSync(path.join(work.path, 'hello.txt'), 'hello');
    const agent = await TestAgent.start({
      dev: false,
      dataDir: path.join(work.path, 'b'),
      args: ['-server', '-bootstrap', '-node=custom', `-ui-dir=${work.path}`, '-ui-content-path=/console'],
    });
    stops.push(agent);
    const root = await get(agent, '/');
    assert.equal(root.status, 301);
    assert.equal(root.headers.get('location'), '/console/');
    assert.equal(await (await get(agent, '/console/')).text(), '<h1>my own UI</h1>');
    assert.equal(await (await get(agent, '/console/hello.txt')).text(), 'hello');
    assert.equal(await (await get(agent, '/console/some/deep/link')).text(), '<h1>my own UI</h1>');
    assert.equal((await get(agent, '/ui/')).status, 404);
    // A changed file is served changed (the cache follows mtime and size).
    writeFileSync(path.join(work.path, 'hello.txt'), 'hello again');
    assert.equal(await (await get(agent, '/console/hello.txt')).text(), 'hello again');
  });
});

describe('client agents forward /v1/internal/ui/* to a server', { timeout: 120_000 }, () => {
  const cluster = new Cluster();
  after(async () => {
    await cluster.stop();
  });

  test('the node list and a node read through a client agent come from the catalog, and block', async () => {
    await cluster.startServer('ui-srv');
    const client = (await cluster.startClient('ui-cli')).agent;
    let nodes: string[] = [];
    const deadline = Date.now() + 30_000;
    while (!(nodes.includes('ui-cli') && nodes.includes('ui-srv'))) {
      assert.ok(Date.now() < deadline, `client never listed both nodes: ${nodes.join(',')}`);
      const res = await get(client, '/v1/internal/ui/nodes');
      assert.equal(res.status, 200);
      nodes = ((await res.json()) as { Node: string }[]).map((n) => n.Node);
      if (!nodes.includes('ui-cli')) await new Promise((r) => setTimeout(r, 200));
    }
    const first = await get(client, '/v1/internal/ui/node/ui-cli');
    assert.equal(first.status, 200);
    const index = first.headers.get('x-consul-index');
    const waiting = get(client, `/v1/internal/ui/node/ui-cli?index=${index}&wait=20s`);
    const reg = await fetch(`${client.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'from-client', Port: 9 }) });
    assert.equal(reg.status, 200);
    const woke = await waiting;
    assert.ok(Number(woke.headers.get('x-consul-index')) > Number(index));
    const services = ((await (await get(client, '/v1/internal/ui/services')).json()) as { Name: string }[]).map((x) => x.Name);
    assert.ok(services.includes('from-client'), services.join(','));
  });
});

async function rawGet(agent: TestAgent, p: string, acceptEncoding: string, etag?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Accept-Encoding': acceptEncoding };
    if (etag) headers['If-None-Match'] = etag;
    http
      .get({ host: '127.0.0.1', port: agent.ports.http, path: p, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}
