// The KV HTTP API of a real dev agent: Consul's status codes, headers and blocking semantics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestAgent } from '../support/test-agent.js';

let agent: TestAgent;

before(async () => {
  agent = await TestAgent.start();
});
after(async () => {
  await agent?.stop();
});

async function req(method: string, path: string, body?: string | Uint8Array): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(agent.url + path, { method, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('KV over HTTP', { timeout: 60_000 }, () => {
  test('PUT answers true; GET returns a base64 array with indexes and meta headers', async () => {
    assert.equal((await req('PUT', '/v1/kv/a/b?flags=9', 'hello')).text.trim(), 'true');
    const r = await req('GET', '/v1/kv/a/b');
    assert.equal(r.status, 200);
    const [e] = JSON.parse(r.text) as { Key: string; Value: string; Flags: number; ModifyIndex: number; CreateIndex: number }[];
    assert.equal(e?.Key, 'a/b');
    assert.equal(Buffer.from(e?.Value ?? '', 'base64').toString(), 'hello');
    assert.equal(e?.Flags, 9);
    assert.equal(r.headers.get('x-consul-index'), String(e?.ModifyIndex));
    assert.equal(r.headers.get('x-consul-knownleader'), 'true');
    assert.equal(r.headers.get('x-consul-lastcontact'), '0');
    assert.equal(r.headers.get('x-consul-effective-consistency'), 'leader');
    assert.equal(r.headers.get('content-type'), 'application/json');
  });

  test('an empty value is null; ?raw returns bytes', async () => {
    await req('PUT', '/v1/kv/empty', '');
    const [e] = JSON.parse((await req('GET', '/v1/kv/empty')).text) as { Value: unknown }[];
    assert.equal(e?.Value, null);
    const bin = new Uint8Array([0, 255, 1, 254, 10, 13]);
    await req('PUT', '/v1/kv/bin', bin);
    const res = await fetch(agent.url + '/v1/kv/bin?raw');
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bin);
  });

  test('missing key: 404 with empty body and an index; query flags count whenever present', async () => {
    const r = await req('GET', '/v1/kv/nope');
    assert.equal(r.status, 404);
    assert.equal(r.text, '');
    assert.match(r.headers.get('x-consul-index') ?? '', /^[1-9]\d*$/);
    await req('PUT', '/v1/kv/flagtest/x', '1');
    assert.equal((await req('GET', '/v1/kv/flagtest?recurse=false')).status, 200, '?recurse=false still recurses');
  });

  test('?keys at the root with no keys is []; at a missing prefix 404', async () => {
    assert.equal((await req('GET', '/v1/kv/zzz-missing/?keys')).status, 404);
  });

  test('bad input gets 400 with a plain-text reason', async () => {
    let r = await req('GET', '/v1/kv/a/b?index=abc');
    assert.equal(r.status, 400);
    assert.equal(r.text, 'Invalid index');
    r = await req('GET', '/v1/kv/a/b?index=1&wait=forever');
    assert.equal(r.text, 'Invalid wait time');
    r = await req('GET', '/v1/kv/a/b?stale&consistent');
    assert.equal(r.status, 400);
    assert.match(r.text, /Cannot specify \?stale with \?consistent/);
    r = await req('PUT', '/v1/kv/x?cas=1&acquire=abc', 'v');
    assert.equal(r.status, 400);
    assert.match(r.text, /^Conflicting flags/);
    r = await req('PUT', '/v1/kv/', 'v');
    assert.equal(r.text, 'Missing key name');
    r = await req('PATCH', '/v1/kv/x');
    assert.equal(r.status, 405);
    assert.equal(r.text, 'method PATCH not allowed');
    r = await req('GET', '/v1/nothing-here');
    assert.equal(r.status, 404);
    r = await req('GET', '/v1/kv/a/b?dc=elsewhere');
    assert.equal(r.status, 500);
    assert.equal(r.text, 'No path to datacenter');
  });

  test('a value over 512 KiB gets 413 and changes nothing', async () => {
    const r = await req('PUT', '/v1/kv/big', new Uint8Array(512 * 1024 + 1));
    assert.equal(r.status, 413);
    assert.match(r.text, /too large, max size: 524288 bytes/);
    assert.equal((await req('GET', '/v1/kv/big')).status, 404);
    assert.equal((await req('PUT', '/v1/kv/big', new Uint8Array(512 * 1024))).text.trim(), 'true');
  });

  test('CAS and delete-CAS', async () => {
    await req('PUT', '/v1/kv/cas', '1');
    const [e] = JSON.parse((await req('GET', '/v1/kv/cas')).text) as { ModifyIndex: number }[];
    const idx = e?.ModifyIndex ?? 0;
    assert.equal((await req('PUT', `/v1/kv/cas?cas=${idx + 1}`, '2')).text.trim(), 'false');
    assert.equal((await req('PUT', `/v1/kv/cas?cas=${idx}`, '2')).text.trim(), 'true');
    assert.equal((await req('PUT', '/v1/kv/cas?cas=0', '3')).text.trim(), 'false');
    assert.equal((await req('DELETE', '/v1/kv/cas?cas=1')).text.trim(), 'false');
    assert.equal((await req('DELETE', '/v1/kv/never-existed?cas=5')).text.trim(), 'true');
  });

  test('a blocking query wakes on its key, not on unrelated writes, and times out with the same index', async () => {
    await req('PUT', '/v1/kv/block/me', 'v1');
    const idx = Number((await req('GET', '/v1/kv/block/me')).headers.get('x-consul-index'));
    const started = Date.now();
    const pending = req('GET', `/v1/kv/block/me?index=${idx}&wait=5s`);
    await new Promise((r) => setTimeout(r, 300));
    await req('PUT', '/v1/kv/unrelated', 'x');
    await new Promise((r) => setTimeout(r, 300));
    await req('PUT', '/v1/kv/block/me', 'v2');
    const r = await pending;
    const took = Date.now() - started;
    assert.ok(took >= 550 && took < 4000, `woke after ${took}ms`);
    assert.ok(Number(r.headers.get('x-consul-index')) > idx);
    const t0 = Date.now();
    const same = await req('GET', `/v1/kv/block/me?index=${r.headers.get('x-consul-index')}&wait=500ms`);
    const waited = Date.now() - t0;
    assert.ok(waited >= 450 && waited < 2000, `timed out after ${waited}ms`);
    assert.equal(same.headers.get('x-consul-index'), r.headers.get('x-consul-index'));
    assert.equal(same.status, 200);
  });

  test('a prefix blocking query wakes on a delete beneath it', async () => {
    await req('PUT', '/v1/kv/pfx/a', '1');
    await req('PUT', '/v1/kv/pfx/b', '2');
    const idx = Number((await req('GET', '/v1/kv/pfx/?recurse')).headers.get('x-consul-index'));
    const pending = req('GET', `/v1/kv/pfx/?recurse&index=${idx}&wait=5s`);
    await new Promise((r) => setTimeout(r, 200));
    await req('DELETE', '/v1/kv/pfx/b');
    const r = await pending;
    assert.ok(Number(r.headers.get('x-consul-index')) > idx);
    assert.equal((JSON.parse(r.text) as unknown[]).length, 1);
  });

  test('txn: all or nothing, 409 with Errors, reads see writes', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    let r = await req(
      'PUT',
      '/v1/txn',
      JSON.stringify([{ KV: { Verb: 'set', Key: 't/a', Value: b64('1') } }, { KV: { Verb: 'cas', Key: 't/b', Index: 999999, Value: b64('2') } }]),
    );
    assert.equal(r.status, 409);
    const body = JSON.parse(r.text) as { Results: null; Errors: { OpIndex: number; What: string }[] };
    assert.equal(body.Results, null);
    assert.equal(body.Errors[0]?.OpIndex, 1);
    assert.equal((await req('GET', '/v1/kv/t/a')).status, 404);
    // Go clients send lower-case or snake keys too: fields match case-insensitively.
    r = await req('PUT', '/v1/txn', JSON.stringify([{ kv: { verb: 'set', key: 't/a', value: b64('1') } }, { KV: { Verb: 'get', Key: 't/a' } }]));
    assert.equal(r.status, 200);
    const ok = JSON.parse(r.text) as { Results: { KV: { Value: string | null } }[] };
    assert.equal(ok.Results[0]?.KV.Value, null, 'set results carry no value');
    assert.equal(Buffer.from(ok.Results[1]?.KV.Value ?? '', 'base64').toString(), '1');
    r = await req('PUT', '/v1/txn', '{not json');
    assert.equal(r.status, 400);
  });

  test('malformed requests never take the agent down', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = net.connect(agent.ports.http, '127.0.0.1', () => s.end('GARBAGE\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    assert.equal((await req('GET', '/v1/status/leader')).status, 200);
  });
});

describe('per-service blocking queries', { timeout: 60_000 }, () => {
  test('a blocking health query on one service waits through another service\'s check changes and wakes on its own', async () => {
    const put = async (p: string, body: unknown): Promise<void> => {
      const res = await fetch(`${agent.url}${p}`, { method: 'PUT', body: JSON.stringify(body) });
      assert.equal(res.status, 200, await res.text());
    };
    await put('/v1/catalog/register', { Node: 'svc-n1', Address: '10.1.0.1', Service: { Service: 'svc-web', Port: 80 }, Check: { CheckID: 'web-c', ServiceID: 'svc-web', Status: 'passing' } });
    await put('/v1/catalog/register', { Node: 'svc-n2', Address: '10.1.0.2', Service: { Service: 'svc-db', Port: 5432 }, Check: { CheckID: 'db-c', ServiceID: 'svc-db', Status: 'passing' } });
    const first = await fetch(`${agent.url}/v1/health/service/svc-db`);
    const index = first.headers.get('x-consul-index');
    const started = Date.now();
    const waiting = fetch(`${agent.url}/v1/health/service/svc-db?index=${index}&wait=2s`);
    for (const status of ['critical', 'passing', 'warning']) {
      await put('/v1/catalog/register', { Node: 'svc-n1', Address: '10.1.0.1', Check: { CheckID: 'web-c', ServiceID: 'svc-web', Status: status } });
    }
    const res = await waiting;
    assert.ok(Date.now() - started >= 1_900, `svc-web's changes did not wake svc-db's query (${Date.now() - started} ms)`);
    assert.equal(res.headers.get('x-consul-index'), index, 'and did not move its index');

    const again = fetch(`${agent.url}/v1/health/service/svc-db?index=${index}&wait=30s`);
    const t0 = Date.now();
    await put('/v1/catalog/register', { Node: 'svc-n2', Address: '10.1.0.2', Check: { CheckID: 'db-c', ServiceID: 'svc-db', Status: 'critical' } });
    const woke = await again;
    assert.ok(Date.now() - t0 < 10_000, 'its own check change wakes it');
    assert.ok(Number(woke.headers.get('x-consul-index')) > Number(index));
    const body = (await woke.json()) as Array<{ Checks: Array<{ CheckID: string; Status: string }> }>;
    assert.equal(body[0]?.Checks.find((c) => c.CheckID === 'db-c')?.Status, 'critical');
  });
});
