// The wall clock jumping by an hour, forwards and back, under a running dev agent (Debian's
// faketime, driven at run time through its timestamp file; the monotonic clock is left alone, as
// a real clock step by NTP or an operator leaves it). Deadlines must follow real time: a
// lock-delay neither ends at a forward jump nor lasts an hour after a backward one, a blocking
// query ends after its wait, TTL checks expire on time, and sessions do not all expire at once.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, eventually } from '../support/cluster.js';
import { TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const LIB = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1'].find((p) => existsSync(p));
const skip = LIB ? false : "Debian's faketime is not installed (apt-get install faketime)";

describe('wall-clock jumps', { timeout: 90_000, skip }, () => {
  const work = tmpDir('clock-jumps-');
  const stampFile = path.join(work.path, 'faketime');
  let agent: TestAgent;
  const jump = (offset: string): void => writeFileSync(stampFile, offset);

  before(async () => {
    jump('+0');
    agent = await TestAgent.start({
      args: ['-node=clock'],
      env: { LD_PRELOAD: LIB as string, FAKETIME_TIMESTAMP_FILE: stampFile, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' },
    });
  });
  after(async () => {
    await agent?.stop();
    work.remove();
  });

  async function session(body: Record<string, unknown>): Promise<string> {
    const r = await api(agent, 'PUT', '/v1/session/create', body);
    assert.equal(r.status, 200, r.text);
    return r.json<{ ID: string }>().ID;
  }
  const acquire = async (key: string, id: string): Promise<boolean> => (await api(agent, 'PUT', `/v1/kv/${key}?acquire=${id}`, 'x')).json<boolean>();

  /** Hold `key` with a session that has `lockDelay`, then destroy it: the lock-delay starts now. */
  async function startLockDelay(key: string, lockDelay: string): Promise<number> {
    const holder = await session({ LockDelay: lockDelay, Behavior: 'release' });
    assert.equal(await acquire(key, holder), true);
    assert.equal((await api(agent, 'PUT', `/v1/session/destroy/${holder}`)).status, 200);
    return Date.now();
  }

  test('a forward jump ends no lock-delay, expires no session and no TTL check', async () => {
    assert.equal((await api(agent, 'PUT', '/v1/agent/check/register', { ID: 'ttl', Name: 'ttl', TTL: '30s', Status: 'passing' })).status, 200);
    const ttlSession = await session({ TTL: '10s' });
    await startLockDelay('fwd', '20s');
    jump('+1h');
    const other = await session({});
    assert.equal(await acquire('fwd', other), false, 'the 20 s lock-delay still holds after the wall clock moved an hour on');
    assert.equal((await api(agent, 'GET', `/v1/session/info/${ttlSession}`)).json<unknown[]>().length, 1, 'the 10 s TTL session is still there');
    const check = (await api(agent, 'GET', '/v1/agent/checks')).json<Record<string, { Status: string }>>().ttl;
    assert.equal(check?.Status, 'passing');
  });

  test('a backward jump holds a lock-delay no longer than its length', async () => {
    jump('+1h');
    const started = await startLockDelay('back', '2s');
    jump('+0');
    const other = await session({});
    const waitedMs = await eventually('the 2 s lock-delay to end', async () => acquire('back', other), 15_000, 200);
    assert.ok(Date.now() - started >= 1_500, 'not before its time');
    assert.ok(waitedMs < 15_000);
  });

  test('a blocking query started before a backward jump ends after its wait', async () => {
    jump('+1h');
    await api(agent, 'PUT', '/v1/kv/blocking', 'v');
    const index = Number((await api(agent, 'GET', '/v1/kv/blocking')).headers.get('x-consul-index'));
    const started = Date.now();
    const answer = api(agent, 'GET', `/v1/kv/blocking?index=${index}&wait=3s`);
    await new Promise((r) => setTimeout(r, 300));
    jump('+0');
    const res = await Promise.race([answer, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000).unref())]);
    assert.ok(res, 'the blocking query answered within 20 s');
    assert.equal(res.status, 200);
    // Consul adds up to wait/16 of jitter.
    assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
  });

  test('a TTL check not renewed after a backward jump goes critical on time', async () => {
    jump('+1h');
    assert.equal((await api(agent, 'PUT', '/v1/agent/check/register', { ID: 'short', Name: 'short', TTL: '2s', Status: 'passing' })).status, 200);
    jump('+0');
    await eventually('the 2 s TTL check to expire', async () => (await api(agent, 'GET', '/v1/agent/checks')).json<Record<string, { Status: string }>>().short?.Status === 'critical', 15_000, 200);
  });
});
