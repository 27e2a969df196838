// HTTP API details that clients rely on, against a real dev agent: Go ServeMux path cleaning
// (crypt's `GET /v1/kv//app/cfg`), ?filter on /v1/catalog/services, ?peer= on the service reads,
// and the body's Datacenter on catalog register/deregister.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { runCli, TestAgent } from '../support/test-agent.js';

let agent: TestAgent;

before(async () => {
  agent = await TestAgent.start();
});
after(async () => {
  await agent?.stop();
});

interface Answer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** One request with the path sent byte for byte (fetch would resolve `..` itself), no redirects followed. */
function raw(method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: agent.ports.http, method, path, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', ...args], { timeout: 15_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

async function keys(): Promise<string[]> {
  const r = await raw('GET', '/v1/kv/?keys');
  return r.status === 404 ? [] : (JSON.parse(r.text) as string[]);
}

async function register(body: Record<string, unknown>, query = ''): Promise<Answer> {
  return raw('PUT', `/v1/catalog/register${query}`, JSON.stringify(body));
}

async function nodeExists(name: string): Promise<boolean> {
  return (await raw('GET', `/v1/catalog/node/${name}`)).text.trim() !== 'null';
}

describe('Go ServeMux path cleaning', { timeout: 60_000 }, () => {
  test('GET /v1/kv//app/cfg: 301 to the cleaned path with the query; curl -L and fetch read the value', async () => {
    assert.equal((await raw('PUT', '/v1/kv/app/cfg', 'hello')).text.trim(), 'true');
    const r = await raw('GET', '/v1/kv//app/cfg?raw&dc=dc1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/v1/kv/app/cfg?raw&dc=dc1');
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.text, '<a href="/v1/kv/app/cfg?raw&amp;dc=dc1">Moved Permanently</a>.\n\n');

    const head = await curl(['-i', `${agent.url}/v1/kv//app/cfg?raw`]);
    assert.match(head, /^HTTP\/1\.1 301 Moved Permanently\r\n/);
    assert.match(head, /\r\nLocation: \/v1\/kv\/app\/cfg\?raw\r\n/i);
    assert.equal(await curl(['-L', `${agent.url}/v1/kv//app/cfg?raw`]), 'hello');

    const res = await fetch(`${agent.url}/v1/kv//app/cfg?raw`);
    assert.equal(res.status, 200);
    assert.ok(res.redirected);
    assert.equal(await res.text(), 'hello');
  });

  test('PUT and DELETE on an unclean path are redirected too and change nothing', async () => {
    const put = await raw('PUT', '/v1/kv//zz/a', 'x');
    assert.equal(put.status, 301);
    assert.equal(put.headers.location, '/v1/kv/zz/a');
    assert.equal(put.headers['content-type'], undefined);
    assert.equal(put.text, '');
    const viaCurl = await curl(['-i', '-X', 'PUT', '--data', 'y', `${agent.url}/v1/kv//zz/b?flags=3`]);
    assert.match(viaCurl, /^HTTP\/1\.1 301 /);
    assert.match(viaCurl, /\r\nLocation: \/v1\/kv\/zz\/b\?flags=3\r\n/i);
    const del = await raw('DELETE', '/v1/kv/x/../app/cfg');
    assert.equal(del.status, 301);
    assert.equal(del.headers.location, '/v1/kv/app/cfg');
    const now = await keys();
    assert.ok(!now.some((k) => k.includes('zz')), `no zz key was written: ${JSON.stringify(now)}`);
    assert.ok(now.includes('app/cfg'), 'the DELETE deleted nothing');
  });

  test('the CLI follows the redirect like the Go client: `kv put /key` becomes a GET and writes nothing', async () => {
    const absent = await runCli(['kv', 'put', `-http-addr=${agent.addr}`, '/cli-absent', 'v']);
    assert.equal(absent.stderr, 'Error! Failed writing data: Unexpected response code: 404 ()\n');
    assert.equal(absent.code, 1);
    assert.equal((await raw('GET', '/v1/kv/cli-absent')).status, 404);
    assert.equal((await runCli(['kv', 'put', `-http-addr=${agent.addr}`, 'cli-present', 'old'])).code, 0);
    const present = await runCli(['kv', 'put', `-http-addr=${agent.addr}`, '/cli-present', 'new']);
    assert.equal(present.stdout, 'Success! Data written to: /cli-present\n', 'Consul reports the GET as a write');
    assert.equal((await raw('GET', '/v1/kv/cli-present?raw')).text, 'old');
  });

  test('a subtree root without its slash redirects to it; escaped slashes are not cleaned', async () => {
    const r = await raw('GET', '/v1/kv?keys');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/v1/kv/?keys');
    assert.equal((await raw('GET', '/v1/kv/a%2F%2Fb')).status, 404);
    assert.equal((await raw('GET', '/v1/agent/self')).status, 200);
  });
});

describe('GET /v1/catalog/services?filter', { timeout: 60_000 }, () => {
  before(async () => {
    const nodes = [
      { Node: 'f1', Address: '10.0.0.1', NodeMeta: { env: 'prod' }, Service: { Service: 'web', ID: 'web1', Tags: ['a', 'b'], Port: 80 } },
      { Node: 'f2', Address: '10.0.0.2', NodeMeta: { env: 'dev' }, Service: { Service: 'web', ID: 'web2', Tags: ['c'], Port: 81 } },
      { Node: 'f3', Address: '10.0.0.3', NodeMeta: { env: 'prod' }, Service: { Service: 'db', Tags: ['d'], Port: 5432 } },
    ];
    for (const n of nodes) assert.equal((await register(n)).status, 200);
  });

  async function services(filter: string): Promise<Answer> {
    return raw('GET', `/v1/catalog/services?filter=${encodeURIComponent(filter)}`);
  }

  test('tags come from the instances that pass the filter only', async () => {
    assert.deepEqual(JSON.parse((await services('"c" in ServiceTags')).text), { web: ['c'] });
    assert.deepEqual(JSON.parse((await services('ServicePort == 80')).text), { web: ['a', 'b'] });
    assert.deepEqual(JSON.parse((await services('NodeMeta.env == prod and ServiceName != consul')).text), { db: ['d'], web: ['a', 'b'] });
    assert.deepEqual(JSON.parse((await services('Node == f3')).text), { db: ['d'] });
    assert.deepEqual(JSON.parse((await services('Node == nobody')).text), {});
  });

  test('an invalid filter answers 400 like the other endpoints', async () => {
    for (const bad of ['ServiceTags ==', 'Bogus == 1']) {
      const r = await services(bad);
      assert.equal(r.status, 400, bad);
      assert.match(r.text, /^Failed to create boolean expression evaluator/);
    }
    assert.equal((await raw('GET', '/v1/catalog/services?filter=')).status, 200, 'an empty filter is no filter');
  });
});

describe('?peer= on the service-instance reads', { timeout: 60_000 }, () => {
  before(async () => {
    assert.equal((await register({ Node: 'p1', Address: '10.0.1.1', Service: { Service: 'api', Port: 9 } })).status, 200);
  });

  test('an unknown peer has no instances: []', async () => {
    for (const path of ['/v1/catalog/service/api', '/v1/health/service/api']) {
      const local = await raw('GET', path);
      assert.equal((JSON.parse(local.text) as unknown[]).length, 1, path);
      assert.equal((JSON.parse((await raw('GET', `${path}?peer=`)).text) as unknown[]).length, 1, `${path}?peer= is local`);
      const r = await raw('GET', `${path}?peer=cluster-02`);
      assert.equal(r.status, 200, path);
      assert.deepEqual(JSON.parse(r.text), [], path);
      assert.match(String(r.headers['x-consul-index']), /^\d+$/);
      const bad = await raw('GET', `${path}?peer=cluster-02&filter=${encodeURIComponent('Service ==')}`);
      assert.equal(bad.status, 400, `${path}: the filter is still checked`);
    }
  });
});

describe('?passing on /v1/health/service', { timeout: 60_000 }, () => {
  test('Go bool spellings; anything else is 400 with the text Consul uses, the value not echoed', async () => {
    for (const v of ['', 'true', 'T', 'TRUE', '1', 'False', '0']) assert.equal((await raw('GET', `/v1/health/service/consul?passing=${v}`)).status, 200, v);
    for (const v of ['yes', 'tRuE']) {
      const r = await raw('GET', `/v1/health/service/consul?passing=${v}`);
      assert.equal(r.status, 400, v);
      assert.equal(r.text, 'Invalid value for ?passing');
    }
  });
});

describe('catalog register/deregister and the body Datacenter', { timeout: 60_000 }, () => {
  test('another datacenter: 500 No path to datacenter, nothing written', async () => {
    const r = await register({ Datacenter: 'dc2', Node: 'dcx', Address: '10.0.2.1' });
    assert.equal(r.status, 500);
    assert.equal(r.text, 'No path to datacenter');
    assert.equal(await nodeExists('dcx'), false);
    const lower = await raw('PUT', '/v1/catalog/register', JSON.stringify({ datacenter: 'dc2', node: 'dcx', address: '10.0.2.1' }));
    assert.equal(lower.status, 500, 'the field matches case-insensitively');
    assert.equal((await register({ Datacenter: 'dc2' })).text, 'No path to datacenter', 'forwarding comes before validation');
    const typed = await register({ Datacenter: 2, Node: 'dcx', Address: '10.0.2.1' });
    assert.equal(typed.status, 400);
  });

  test('the local datacenter (any case, or none) registers; ?dc is not read', async () => {
    assert.equal((await register({ Datacenter: 'dc1', Node: 'dc-a', Address: '10.0.2.2' })).status, 200);
    assert.equal((await register({ Datacenter: 'DC1', Node: 'dc-b', Address: '10.0.2.3' })).status, 200);
    assert.equal((await register({ Node: 'dc-c', Address: '10.0.2.4' }, '?dc=dc2')).status, 200);
    for (const n of ['dc-a', 'dc-b', 'dc-c']) assert.ok(await nodeExists(n), n);
  });

  test('deregister honours the body Datacenter the same way', async () => {
    const r = await raw('PUT', '/v1/catalog/deregister', JSON.stringify({ Datacenter: 'dc2', Node: 'dc-a' }));
    assert.equal(r.status, 500);
    assert.equal(r.text, 'No path to datacenter');
    assert.ok(await nodeExists('dc-a'), 'not deleted from the local catalog');
    assert.equal((await raw('PUT', '/v1/catalog/deregister', JSON.stringify({ Datacenter: 'dc1', Node: 'dc-a' }))).status, 200);
    assert.equal(await nodeExists('dc-a'), false);
  });
});
