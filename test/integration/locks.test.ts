// Sessions, KV locks and `consul lock` against a real dev agent: a holder killed with kill -9
// loses its lock once its session TTL lapses, a semaphore never runs more children than its
// limit, and bad input is refused without writing anything.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CONSUL_BIN, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

let agent: TestAgent;
const work = tmpDir('consul-ts-locks-');
const started: ChildProcess[] = [];

before(async () => {
  agent = await TestAgent.start();
});
after(async () => {
  for (const p of started) killGroup(p, 'SIGKILL');
  await agent?.stop();
  work.remove();
});

function killGroup(p: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-(p.pid as number), sig);
  } catch {
    // already gone
  }
}

async function req(method: string, p: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(agent.url + p, { method, body });
  return { status: res.status, text: await res.text() };
}

/** `consul lock ...` in its own process group, with its output collected. */
function lockProcess(args: string[]): { proc: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [CONSUL_BIN, 'lock', ...args], {
    env: { ...process.env, CONSUL_HTTP_ADDR: agent.addr },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(proc);
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exit };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sessions and locks', { timeout: 150_000 }, () => {
  test('bad input: unknown sessions, TTL out of range, acquire with an invalid session writes nothing', async () => {
    let r = await req('PUT', '/v1/session/renew/11111111-2222-3333-4444-555555555555');
    assert.equal(r.status, 404);
    assert.equal(r.text, "Session id '11111111-2222-3333-4444-555555555555' not found");
    r = await req('GET', '/v1/session/info/11111111-2222-3333-4444-555555555555');
    assert.deepEqual([r.status, JSON.parse(r.text)], [200, []]);
    assert.equal((await req('PUT', '/v1/session/destroy/11111111-2222-3333-4444-555555555555')).text.trim(), 'true');
    r = await req('PUT', '/v1/session/create', '{"TTL":"5s"}');
    assert.equal(r.status, 500);
    assert.equal(r.text, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]");
    r = await req('PUT', '/v1/session/create', '{"TTL":"86401s"}');
    assert.match(r.text, /^Invalid Session TTL '86401000000000'/);
    r = await req('PUT', '/v1/session/create', '{"Node":"no-such-node"}');
    assert.deepEqual([r.status, r.text], [500, 'Missing node registration']);
    r = await req('PUT', '/v1/kv/badlock?acquire=not-a-session', 'v');
    assert.deepEqual([r.status, r.text], [500, 'invalid session "not-a-session"']);
    assert.equal((await req('GET', '/v1/kv/badlock')).status, 404, 'nothing was written');
  });

  test('acquire/release through the CLI; LockIndex counts acquisitions', async () => {
    const env = { CONSUL_HTTP_ADDR: agent.addr };
    const id = (JSON.parse((await req('PUT', '/v1/session/create', '{"Name":"cli"}')).text) as { ID: string }).ID;
    let r = await runCli(['kv', 'put', '-acquire', `-session=${id}`, 'cli/lock', 'v1'], env);
    assert.deepEqual([r.code, r.stdout.trim()], [0, 'Success! Lock acquired on: cli/lock']);
    r = await runCli(['kv', 'put', '-release', `-session=${id}`, 'cli/lock', 'v2'], env);
    assert.deepEqual([r.code, r.stdout.trim()], [0, 'Success! Lock released on: cli/lock']);
    r = await runCli(['kv', 'put', '-release', `-session=${id}`, 'cli/lock'], env);
    assert.deepEqual([r.code, r.stderr.trim()], [1, 'Error! Did not release lock']);
    await runCli(['kv', 'put', '-acquire', `-session=${id}`, 'cli/lock'], env);
    const [e] = JSON.parse((await req('GET', '/v1/kv/cli/lock')).text) as { LockIndex: number; Session: string }[];
    assert.equal(e?.LockIndex, 2);
    assert.equal(e?.Session, id);
    r = await runCli(['kv', 'put', '-acquire', '-session=bogus', 'cli/other'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error! Failed writing data: Unexpected response code: 500 \(invalid session "bogus"\)/);
  });

  test('a holder killed with kill -9 loses the lock after its session TTL; a waiting `consul lock` takes over', { timeout: 120_000 }, async () => {
    const a = lockProcess(['svc/crash', 'echo A-held; sleep 300']);
    await waitFor('the first holder', () => a.output().includes('A-held'), 20_000);
    const b = lockProcess(['svc/crash', 'echo B-held']);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!b.output().includes('B-held'), 'the second one waits while the lock is held');
    killGroup(a.proc, 'SIGKILL');
    const killedAt = Date.now();
    // Session TTL 15s, invalidated within 2 x TTL, then the 15s lock-delay, then a 5s retry.
    const code = await Promise.race([b.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 80_000))]);
    assert.equal(code, 0, `second holder: ${b.output()}`);
    assert.match(b.output(), /B-held/);
    assert.ok(Date.now() - killedAt >= 14_000, 'not before the lock-delay of the invalidated session passed');
  });

  test('a semaphore with -n=2 never runs three children at once', { timeout: 60_000 }, async () => {
    const slots = path.join(work.path, 'slots');
    mkdirSync(slots);
    const log = path.join(work.path, 'counts');
    const script = `mkdir ${slots}/$$; ls ${slots} | wc -l >> ${log}; sleep 1.5; rmdir ${slots}/$$`;
    const runs = [1, 2, 3, 4, 5].map(() => lockProcess(['-n=2', 'sem/test', script]));
    const codes = await Promise.race([
      Promise.all(runs.map((r) => r.exit)),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 45_000)),
    ]);
    assert.deepEqual(codes, [0, 0, 0, 0, 0], runs.map((r) => r.output()).join('\n'));
    const counts = readFileSync(log, 'utf8').trim().split('\n').map(Number);
    assert.equal(counts.length, 5, 'every child ran');
    assert.ok(Math.max(...counts) <= 2, `at most two at once, saw ${counts.join(',')}`);
    const left = JSON.parse((await req('GET', '/v1/kv/sem/?recurse')).text || '[]') as unknown[];
    assert.deepEqual(left, [], 'contender keys and the lock record are cleaned up');
  });
});
