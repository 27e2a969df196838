// `consul watch`, the agent's `watches` config and user events, against real agents.
// Every agent and CLI process is bounded in time and stopped by PID.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { CONSUL_BIN, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dir = tmpDir();
after(() => dir.remove());

async function call(agent: TestAgent, method: string, p: string, body?: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(agent.url + p, { method, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

function configFile(name: string, config: unknown): string {
  const file = path.join(dir.path, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** A handler that appends its stdin (one JSON line) to `file`. */
const appendTo = (file: string): string[] => ['/bin/sh', '-c', `cat >> ${file}`];

describe('watches and events', { timeout: 150_000 }, () => {
  test('consul watch without a handler prints the view and exits 0; missing options are usage errors', async () => {
    const agent = await TestAgent.start({ args: ['-node=watch-cli'] });
    try {
      const env = { CONSUL_HTTP_ADDR: agent.addr };
      let r = await runCli(['watch', '-type=nodes'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\[\n {4}\{\n {8}"ID": /, 'indented with 4 spaces');
      assert.equal((JSON.parse(r.stdout) as { Node: string }[])[0]?.Node, 'watch-cli');
      r = await runCli(['watch', '-type=key', '-key=missing'], env);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'null\n');
      await call(agent, 'PUT', '/v1/kv/app/x', 'y');
      r = await runCli(['watch', '-type=keyprefix', '-prefix=app/'], env);
      assert.equal((JSON.parse(r.stdout) as { Key: string }[])[0]?.Key, 'app/x');
      r = await runCli(['watch'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Watch type must be specified\n\nUsage: consul watch/);
      r = await runCli(['watch', '-type=key'], env);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Must specify a single key to watch\n');
      r = await runCli(['watch', '-type=service', '-service=web', '-passingonly=maybe'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Failed to parse passingonly flag/);
      r = await runCli(['watch', '-type=nodes'], { CONSUL_HTTP_ADDR: '127.0.0.1:1' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Error querying Consul agent: Get "http:\/\/127\.0\.0\.1:1\/v1\/agent\/self": dial tcp/);
      // A failing handler stops the watch: exit 1 with Go's error text.
      r = await runCli(['watch', '-type=key', '-key=missing', 'read x; exit 3'], env);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error executing handler: exit status 3\n');
    } finally {
      await agent.stop();
    }
  });

  test('a CLI watch handler gets compact JSON and CONSUL_INDEX, again on each change', async () => {
    const agent = await TestAgent.start({ args: ['-node=watch-handler'] });
    const out = path.join(dir.path, 'cli-handler.out');
    const proc = spawn(process.execPath, [CONSUL_BIN, 'watch', '-type=key', '-key=flag', `echo "idx=$CONSUL_INDEX" >> ${out}; cat >> ${out}`], {
      env: { ...process.env, CONSUL_HTTP_ADDR: agent.addr },
      stdio: 'ignore',
    });
    try {
      await waitFor('first handler run', () => read(out).includes('null'));
      await call(agent, 'PUT', '/v1/kv/flag', 'on');
      await waitFor('handler run on change', () => read(out).includes(Buffer.from('on').toString('base64')));
      const lines = read(out).trim().split('\n');
      assert.match(lines[0] ?? '', /^idx=\d+$/);
      assert.equal(lines[1], 'null');
      assert.match(lines[2] ?? '', /^idx=\d+$/);
      assert.equal(lines[3], '{"LockIndex":0,"Key":"flag","Flags":0,"Value":"b24=","CreateIndex":' + /"CreateIndex":(\d+)/.exec(lines[3] ?? '')?.[1] + ',"ModifyIndex":' + lines[2]?.slice(4) + '}');
    } finally {
      proc.kill('SIGINT');
      const code = await new Promise<number | null>((r) => proc.once('exit', r));
      assert.equal(code, 0, 'an interrupt ends the watch with exit 0');
      await agent.stop();
    }
  });

  test('a hanging handler delays neither other watches nor the HTTP API', async () => {
    const hung = path.join(dir.path, 'hung.count');
    const other = path.join(dir.path, 'other.out');
    const file = configFile('hang.json', {
      watches: [
        { type: 'key', key: 'slow', args: ['/bin/sh', '-c', `echo run >> ${hung}; exec sleep 60`] },
        { type: 'key', key: 'fast', args: appendTo(other) },
      ],
    });
    const agent = await TestAgent.start({ args: ['-node=watch-hang', `-config-file=${file}`] });
    try {
      await waitFor('the slow handler to start', () => read(hung) === 'run\n');
      await waitFor('the fast handler to run once', () => read(other).includes('null'));
      await call(agent, 'PUT', '/v1/kv/slow', 'changed');
      const t0 = Date.now();
      await call(agent, 'PUT', '/v1/kv/fast', 'go');
      await waitFor('the fast handler to see its change', () => read(other).includes(Buffer.from('go').toString('base64')), 5000);
      const handlerMs = Date.now() - t0;
      const t1 = Date.now();
      const self = await call(agent, 'GET', '/v1/agent/self');
      assert.equal(self.status, 200);
      assert.ok(Date.now() - t1 < 1000, 'the API answers at once');
      assert.ok(handlerMs < 5000, `the fast watch ran after ${handlerMs} ms`);
      assert.equal(read(hung), 'run\n', 'one call in flight per watch: the change to "slow" waits');
    } finally {
      await agent.stop();
    }
  });

  test('config watches run against the agent and are replaced on reload; a bad watch fails loading', async () => {
    const out1 = path.join(dir.path, 'r1.out');
    const out2 = path.join(dir.path, 'r2.out');
    const file = configFile('reload.json', { watches: [{ type: 'key', key: 'r1', args: appendTo(out1) }] });
    const agent = await TestAgent.start({ args: ['-node=watch-reload', `-config-file=${file}`] });
    try {
      await waitFor('watch r1 to fire', () => read(out1).includes('null'));
      writeFileSync(file, JSON.stringify({ watches: [{ type: 'key', key: 'r2', handler: `cat >> ${out2}` }] }));
      let r = await runCli(['reload'], { CONSUL_HTTP_ADDR: agent.addr });
      assert.equal(r.code, 0, r.stderr);
      await waitFor('watch r2 to fire', () => read(out2).includes('null'));
      await call(agent, 'PUT', '/v1/kv/r1', 'one');
      await call(agent, 'PUT', '/v1/kv/r2', 'two');
      await waitFor('watch r2 to see its change', () => read(out2).includes(Buffer.from('two').toString('base64')));
      assert.ok(!read(out1).includes(Buffer.from('one').toString('base64')), 'the old watch is gone');
      // A bad watch: reload fails with Consul's message and the running watches stay.
      writeFileSync(file, JSON.stringify({ watches: [{ type: 'key', args: ['true'] }] }));
      r = await runCli(['reload'], { CONSUL_HTTP_ADDR: agent.addr });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Failed to parse watch \(.*\): Must specify a single key to watch/);
      await call(agent, 'PUT', '/v1/kv/r2', 'three');
      await waitFor('watch r2 still running', () => read(out2).includes(Buffer.from('three').toString('base64')));
    } finally {
      await agent.stop();
    }
    const bad = configFile('bad-watch.json', { watches: [{ type: 'key', key: 'k' }] });
    const r = await runCli(['agent', '-dev', '-http-port=0', '-dns-port=0', `-config-file=${bad}`], {}, undefined, 20_000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Must define a watch handler/);
  });

  test('events: fire and list with filters, blocking on the event index, event watches, oversized payloads', async () => {
    const evOut = path.join(dir.path, 'event.out');
    const file = configFile('events.json', {
      service: { name: 'web', tags: ['blue'], port: 80 },
      watches: [{ type: 'event', name: 'deploy', args: appendTo(evOut) }],
    });
    const agent = await TestAgent.start({ args: ['-node=events-node', `-config-file=${file}`] });
    try {
      const env = { CONSUL_HTTP_ADDR: agent.addr };
      let list = await call(agent, 'GET', '/v1/event/list');
      assert.equal(list.text.replace(/\s/g, ''), '[]');
      assert.equal(list.headers.get('x-consul-index'), '1');
      await waitFor('the event watch to run once', () => read(evOut) === '[]\n');
      // A blocking list returns when a new event arrives.
      const blocked = call(agent, 'GET', '/v1/event/list?name=deploy&index=1&wait=10s');
      await new Promise((r) => setTimeout(r, 200));
      const fired = await call(agent, 'PUT', '/v1/event/fire/deploy?service=web&tag=blu', 'v2');
      assert.equal(fired.status, 200);
      const ev = JSON.parse(fired.text) as { ID: string; Name: string; Payload: string; ServiceFilter: string; TagFilter: string; Version: number; LTime: number };
      assert.deepEqual([ev.Name, ev.Payload, ev.ServiceFilter, ev.TagFilter, ev.Version, ev.LTime], ['deploy', 'djI=', 'web', 'blu', 1, 0]);
      const woke = await blocked;
      assert.equal((JSON.parse(woke.text) as { ID: string }[]).at(-1)?.ID, ev.ID);
      const index = woke.headers.get('x-consul-index') as string;
      assert.match(index, /^\d+$/);
      await waitFor('the event watch to get the event', () => read(evOut).includes(ev.ID));
      // Filters that do not match this node or its services keep the event out of the list.
      await call(agent, 'PUT', '/v1/event/fire/deploy?node=^other$', 'x');
      await call(agent, 'PUT', '/v1/event/fire/deploy?service=^api$', 'x');
      await call(agent, 'PUT', '/v1/event/fire/other', 'x');
      list = await call(agent, 'GET', '/v1/event/list?name=deploy');
      assert.deepEqual((JSON.parse(list.text) as { ID: string }[]).map((e) => e.ID), [ev.ID]);
      assert.equal(list.headers.get('x-consul-index'), index);
      const t0 = Date.now();
      const timedOut = await call(agent, 'GET', `/v1/event/list?name=deploy&index=${index}&wait=300ms`);
      assert.ok(Date.now() - t0 >= 250, 'the same index blocks until the wait ends');
      assert.equal(timedOut.headers.get('x-consul-index'), index);
      assert.equal((await call(agent, 'GET', '/v1/event/list?index=abc')).status, 400);
      // Bad input.
      let bad = await call(agent, 'PUT', '/v1/event/fire/x?tag=v1', '');
      assert.deepEqual([bad.status, bad.text], [500, 'Cannot provide tag filter without service filter']);
      bad = await call(agent, 'PUT', '/v1/event/fire/', '');
      assert.deepEqual([bad.status, bad.text], [400, 'Missing name']);
      bad = await call(agent, 'PUT', '/v1/event/fire/big', 'p'.repeat(600));
      assert.deepEqual([bad.status, bad.text], [500, 'user event exceeds configured limit of 512 bytes before encoding']);
      bad = await call(agent, 'PUT', '/v1/event/fire/big', 'p'.repeat(600 * 1024));
      assert.equal(bad.status, 413);
      // The CLI.
      let r = await runCli(['event', '-name=cli', 'hello'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Event ID: [0-9a-f-]{36}\n$/);
      r = await runCli(['event'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Event name must be specified\n\nUsage: consul event/);
      r = await runCli(['event', '-name=x', '-tag=v1'], env);
      assert.deepEqual([r.code, r.stderr], [1, 'Cannot provide tag filter without service filter.\n']);
      r = await runCli(['event', '-name=x', 'a', 'b'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Too many command line arguments\.\n/);
      r = await runCli(['event', '-name=x', 'p'.repeat(600)], env);
      assert.deepEqual([r.code, r.stderr], [1, 'Error firing event: Unexpected response code: 500 (user event exceeds configured limit of 512 bytes before encoding)\n']);
    } finally {
      await agent.stop();
    }
  });
});
