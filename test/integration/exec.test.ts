// `consul exec` against real dev agents: with `disable_remote_exec: false` the node runs the
// command and reports its output and exit code through KV; a failing command makes the CLI exit
// 2; with remote exec left disabled (Consul's default) nothing runs. The job data is cleaned up.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const work = tmpDir('consul-ts-exec-');
let enabled: TestAgent;
let disabled: TestAgent;

before(async () => {
  const cfg = path.join(work.path, 'rexec.json');
  writeFileSync(cfg, JSON.stringify({ disable_remote_exec: false }));
  enabled = await TestAgent.start({ args: ['-node=exec-node', `-config-file=${cfg}`] });
  disabled = await TestAgent.start({ args: ['-node=noexec-node'] });
});
after(async () => {
  await enabled?.stop();
  await disabled?.stop();
  work.remove();
});

const fast = ['-wait=1s', '-wait-repl=50ms'];

async function rexecKeys(agent: TestAgent): Promise<string[]> {
  const res = await fetch(`${agent.url}/v1/kv/_rexec/?keys`);
  return res.status === 404 ? [] : ((await res.json()) as string[]);
}

describe('consul exec', { timeout: 90_000 }, () => {
  test('echo hello runs on the node and exits 0', async () => {
    const r = await runCli(['exec', ...fast, 'echo', 'hello'], { CONSUL_HTTP_ADDR: enabled.addr });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {4}exec-node: hello$/m);
    assert.match(r.stdout, /^==> exec-node: finished with exit code 0$/m);
    assert.match(r.stdout, /^1 \/ 1 node\(s\) completed \/ acknowledged$/m);
    assert.deepEqual(await rexecKeys(enabled), [], 'job data cleaned up');
    const sessions = (await (await fetch(`${enabled.url}/v1/session/list`)).json()) as unknown[];
    assert.deepEqual(sessions, [], 'session destroyed');
  });

  test('a failing command makes exec exit 2', async () => {
    const r = await runCli(['exec', ...fast, 'sh', '-c', "'exit 3'"], { CONSUL_HTTP_ADDR: enabled.addr });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /^==> exec-node: finished with exit code 3$/m);
  });

  test('a script from stdin and a node filter that matches nobody', async () => {
    const r = await runCli(['exec', ...fast, '-'], { CONSUL_HTTP_ADDR: enabled.addr }, 'echo from-script\necho err >&2\n');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {4}exec-node: from-script$/m);
    assert.match(r.stdout, /^ {4}exec-node: err$/m);
    const none = await runCli(['exec', ...fast, '-node=^nobody$', 'echo', 'x'], { CONSUL_HTTP_ADDR: enabled.addr });
    assert.equal(none.code, 0);
    assert.match(none.stdout, /^0 \/ 0 node\(s\) completed \/ acknowledged$/m);
  });

  test('with remote exec disabled (the default) nothing runs', async () => {
    const marker = path.join(work.path, 'ran');
    const r = await runCli(['exec', ...fast, 'touch', marker], { CONSUL_HTTP_ADDR: disabled.addr });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /finished with exit code/);
    assert.match(r.stdout, /^0 \/ 0 node\(s\) completed \/ acknowledged$/m);
    assert.equal(existsSync(marker), false);
    assert.match(disabled.output, /ignoring remote exec event, disabled\./);
  });

  test('usage errors', async () => {
    const r = await runCli(['exec'], { CONSUL_HTTP_ADDR: enabled.addr });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Must specify a command to execute$/m);
    const t = await runCli(['exec', '-tag=x', 'true'], { CONSUL_HTTP_ADDR: enabled.addr });
    assert.equal(t.code, 1);
    assert.match(t.stderr, /Cannot provide tag filter without service filter\./);
  });
});
