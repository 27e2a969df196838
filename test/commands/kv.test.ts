import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeAgent, runConsul, startFakeAgent } from './fake-agent.js';

describe('consul kv', { timeout: 60_000 }, () => {
  let agent: FakeAgent;
  const run = (...args: string[]) => runConsul(args, { addr: agent.addr });
  before(async () => {
    agent = await startFakeAgent();
  });
  after(() => agent.close());

  it('get on a missing key fails with Consul’s message', async () => {
    const r = await run('kv', 'get', 'redis/config/minconns');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Error! No key exists at: redis/config/minconns\n');
  });

  it('put then get round-trips the raw value', async () => {
    const put = await run('kv', 'put', 'redis/config/minconns', '1');
    assert.equal(put.code, 0);
    assert.equal(put.stdout, 'Success! Data written to: redis/config/minconns\n');
    const get = await run('kv', 'get', 'redis/config/minconns');
    assert.deepEqual([get.code, get.stdout], [0, '1\n']);
  });

  it('put -flags and get -detailed use the tabwriter layout', async () => {
    assert.equal((await run('kv', 'put', '-flags=42', 'redis/config/users/admin', 'abcd1234')).code, 0);
    assert.equal(agent.requests.at(-1)?.query.get('flags'), '42');
    const r = await run('kv', 'get', '-detailed', 'redis/config/users/admin');
    assert.equal(r.code, 0);
    const e = agent.kv.get('redis/config/users/admin')!;
    assert.equal(
      r.stdout,
      `CreateIndex      ${e.createIndex}\nFlags            42\nKey              redis/config/users/admin\nLockIndex        0\nModifyIndex      ${e.modifyIndex}\nSession          -\nValue            abcd1234\n`,
    );
  });

  it('get -recurse prints key:value lines and -keys rolls up at the separator', async () => {
    await run('kv', 'put', 'redis/config/maxconns', '25');
    const rec = await run('kv', 'get', '-recurse', 'redis/config');
    assert.equal(rec.stdout, 'redis/config/maxconns:25\nredis/config/minconns:1\nredis/config/users/admin:abcd1234\n');
    const keys = await run('kv', 'get', '-keys', 'redis/config/');
    assert.equal(keys.stdout, 'redis/config/maxconns\nredis/config/minconns\nredis/config/users/\n');
    const b64 = await run('kv', 'get', '-recurse', '-base64', 'redis/config/max');
    assert.equal(b64.stdout, 'redis/config/maxconns:MjU=\n');
    const none = await run('kv', 'get', '-recurse', 'nothing-here');
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', '']);
  });

  it('validates arguments like Consul', async () => {
    assert.equal((await run('kv', 'get')).stderr, 'Error! Missing KEY argument\n');
    assert.equal((await run('kv', 'get', 'a', 'b')).stderr, 'Too many arguments (expected 1, got 2)\n');
    assert.equal((await run('kv', 'put')).stderr, 'Error! Missing KEY argument\n');
    assert.equal((await run('kv', 'put', 'a', 'b', 'c')).stderr, 'Error! Too many arguments (expected 1 or 2, got 3)\n');
    // Current Consul: -cas without an index (or with 0) creates the key only if it is absent.
    assert.equal((await run('kv', 'put', '-cas', 'cas/new', 'b')).stdout, 'Success! Data written to: cas/new\n');
    assert.equal(
      (await run('kv', 'put', '-cas', '-modify-index=0', 'cas/new', 'c')).stderr,
      'Error! Did not write to cas/new: CAS performed with index=0 and key already exists.\n',
    );
    assert.equal((await run('kv', 'put', '-acquire', 'a')).stderr, 'Error! Missing -session (required with -acquire and -release)\n');
    assert.equal((await run('kv', 'delete')).stderr, 'Error! Missing KEY argument\n');
    assert.equal((await run('kv', 'delete', '-modify-index=3', 'a')).stderr, 'Cannot specify -modify-index without -cas!\n');
    assert.equal(
      (await run('kv', 'delete', '-cas', 'a')).stderr,
      'Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.\n',
    );
    assert.equal((await run('kv', 'delete', '-cas', '-modify-index=3', '-recurse', 'a')).stderr, 'Cannot specify both -cas and -recurse!\n');
  });

  it('check-and-set succeeds only with the current index', async () => {
    await run('kv', 'put', 'foo', 'zip');
    const idx = agent.kv.get('foo')!.modifyIndex;
    const stale = await run('kv', 'put', '-cas', `-modify-index=${idx + 1000}`, 'foo', 'bar');
    assert.deepEqual([stale.code, stale.stderr], [1, 'Error! Did not write to foo: CAS failed\n']);
    const good = await run('kv', 'put', '-cas', '-modify-index', String(idx), 'foo', 'bar');
    assert.deepEqual([good.code, good.stdout], [0, 'Success! Data written to: foo\n']);
    assert.equal((await run('kv', 'get', 'foo')).stdout, 'bar\n');
  });

  it('treats everything after the key as data, even flags', async () => {
    assert.equal((await run('kv', 'put', 'dash', '-cas')).code, 0);
    assert.equal(agent.kv.get('dash')!.value.toString(), '-cas');
  });

  it('reads data from stdin and from @file, and decodes -base64', async () => {
    const stdin = await runConsul(['kv', 'put', 'stdin/key', '-'], { addr: agent.addr, input: 'from-stdin' });
    assert.equal(stdin.code, 0);
    assert.equal(agent.kv.get('stdin/key')!.value.toString(), 'from-stdin');
    const dir = mkdtempSync(join(tmpdir(), 'consul-ts-kv-'));
    writeFileSync(join(dir, 'v.txt'), Buffer.from([0x6c, 0x31, 0x0a, 0x00, 0xff]));
    assert.equal((await run('kv', 'put', 'file/key', `@${join(dir, 'v.txt')}`)).code, 0);
    assert.deepEqual([...agent.kv.get('file/key')!.value], [0x6c, 0x31, 0x0a, 0x00, 0xff]);
    const get = await run('kv', 'get', 'file/key');
    assert.deepEqual([...get.stdoutBytes], [0x6c, 0x31, 0x0a, 0x00, 0xff, 0x0a]);
    assert.equal((await run('kv', 'put', '-base64', 'b64', 'aGVsbG8=')).code, 0);
    assert.equal(agent.kv.get('b64')!.value.toString(), 'hello');
    const missing = await run('kv', 'put', 'x', `@${join(dir, 'nope')}`);
    assert.equal(missing.stderr, `Error! Failed to read file: open ${join(dir, 'nope')}: no such file or directory\n`);
  });

  it('acquire and release locks with a session', async () => {
    const acq = await run('kv', 'put', '-acquire', '-session=abc', 'lock', 'me');
    assert.deepEqual([acq.code, acq.stdout], [0, 'Success! Lock acquired on: lock\n']);
    assert.equal(agent.requests.at(-1)?.query.get('acquire'), 'abc');
    const bad = await run('kv', 'put', '-release', '-session=other', 'lock');
    assert.deepEqual([bad.code, bad.stderr], [1, 'Error! Did not release lock\n']);
    const rel = await run('kv', 'put', '-release', '-session=abc', 'lock');
    assert.deepEqual([rel.code, rel.stdout], [0, 'Success! Lock released on: lock\n']);
  });

  it('delete, delete -cas and delete -recurse', async () => {
    assert.equal((await run('kv', 'delete', 'redis/config/minconns')).stdout, 'Success! Deleted key: redis/config/minconns\n');
    assert.equal((await run('kv', 'delete', 'never-existed')).stdout, 'Success! Deleted key: never-existed\n');
    const idx = agent.kv.get('foo')!.modifyIndex;
    const lost = await run('kv', 'delete', '-cas', `-modify-index=${idx + 1}`, 'foo');
    assert.deepEqual([lost.code, lost.stderr], [1, `Error! Did not delete key foo: CAS failed\n`]);
    assert.equal((await run('kv', 'delete', '-cas', `-modify-index=${idx}`, 'foo')).stdout, 'Success! Deleted key: foo\n');
    assert.equal((await run('kv', 'delete', '-recurse', 'redis')).stdout, 'Success! Deleted keys with prefix: redis\n');
    assert.equal([...agent.kv.keys()].some((k) => k.startsWith('redis')), false);
  });

  it('export prints tab-indented lower-case JSON and import writes it back', async () => {
    agent.kv.clear();
    const empty = await run('kv', 'export');
    assert.equal(empty.stdout, '[]\n');
    await run('kv', 'put', 'exp/a', 'bar');
    await run('kv', 'put', '-flags=7', 'exp/b<c>', '');
    const exp = await run('kv', 'export', 'exp');
    assert.equal(
      exp.stdout,
      '[\n\t{\n\t\t"key": "exp/a",\n\t\t"flags": 0,\n\t\t"value": "YmFy"\n\t},\n\t{\n\t\t"key": "exp/b\\u003cc\\u003e",\n\t\t"flags": 7,\n\t\t"value": ""\n\t}\n]\n',
    );
    agent.kv.clear();
    const imp = await runConsul(['kv', 'import', '-prefix=restored', '-'], { addr: agent.addr, input: exp.stdout });
    assert.equal(imp.code, 0);
    assert.equal(imp.stdout, 'Imported: restored/exp/a\nImported: restored/exp/b<c>\n');
    assert.equal(agent.kv.get('restored/exp/a')!.value.toString(), 'bar');
    assert.equal(agent.kv.get('restored/exp/b<c>')!.flags, 7);
    const bad = await run('kv', 'import', '[{"key":"k","flags":0,"value":"!!"}]');
    assert.deepEqual([bad.code, bad.stderr], [1, 'Error base 64 decoding value for key k: illegal base64 data at input byte 0\n']);
    assert.equal((await run('kv', 'import')).stderr, 'Error! Missing DATA argument\n');
    assert.match((await run('kv', 'import', 'not json')).stderr, /^Cannot unmarshal data: /);
  });

  it('strips a leading slash and sends -datacenter, -stale and -token', async () => {
    agent.kv.set('slash', { value: Buffer.from('v'), flags: 0, createIndex: 1, modifyIndex: 1, lockIndex: 0, session: '' });
    const r = await run('kv', 'get', '-datacenter=dc2', '-stale', '-token=secret', '/slash');
    assert.equal(r.stdout, 'v\n');
    const req = agent.requests.at(-1)!;
    assert.equal(req.path, '/v1/kv/slash');
    assert.equal(req.query.get('dc'), 'dc2');
    assert.equal(req.query.has('stale'), true);
    assert.equal(req.headers['x-consul-token'], 'secret');
  });

  it('reports HTTP errors with the Go client wording', async () => {
    agent.override.set('/v1/kv/denied', { status: 403, body: 'Permission denied' });
    const r = await run('kv', 'get', 'denied');
    assert.deepEqual([r.code, r.stderr], [1, 'Error querying Consul agent: Unexpected response code: 403 (Permission denied)\n']);
  });
});
