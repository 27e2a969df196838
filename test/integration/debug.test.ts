// `consul debug` against a real agent: Consul's archive layout (listed with tar), its plain
// lines off a TTY, the ink view on a pseudo-terminal (util-linux `script`), and bad input.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CONSUL_BIN, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dir = tmpDir();
after(() => dir.remove());

const hasScript = ((): boolean => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('consul debug', { timeout: 180_000 }, () => {
  let agent: TestAgent;
  before(async () => {
    agent = await TestAgent.start({ args: ['-node=debug1'] });
  });
  after(async () => {
    await agent?.stop();
  });

  test('-duration/-interval produce Consul\'s archive layout and plain progress lines off a TTY', async () => {
    const out = path.join(dir.path, 'plain');
    const r = await runCli(['debug', `-http-addr=${agent.addr}`, '-duration=10s', '-interval=5s', `-output=${out}`], {}, undefined, 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '[WARN] Unable to capture pprof. Set enable_debug to true on target agent to enable profiling.\n');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      '==> Starting debugger and capturing static information...',
      `     Agent Version: '1.21.5'`,
      "          Interval: '5s'",
      "          Duration: '10s'",
      `            Output: '${out}.tar.gz'`,
      "           Capture: 'metrics, logs, host, agent, members'",
    ]);
    const time = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC`;
    assert.match(lines[6] ?? '', new RegExp(`^==> Beginning capture interval ${time} \\(0\\)$`));
    const progress = lines.slice(7, -1);
    assert.deepEqual(progress.map((l) => new RegExp(`^==> Capture successful ${time} \\((\\d+)\\)$`).exec(l)?.[2]), ['0', '1', '2']);
    assert.equal(lines[lines.length - 1], `    Saved debug archive: ${out}.tar.gz`);
    assert.ok(!existsSync(out), 'the capture directory is removed once archived');
    const listing = execFileSync('tar', ['tzf', `${out}.tar.gz`], { encoding: 'utf8' }).trim().split('\n');
    // Consul names the directory entry without a trailing slash (filepath.Join of the base name).
    assert.deepEqual(listing, ['plain', 'plain/agent.json', 'plain/consul.log', 'plain/host.json', 'plain/index.json', 'plain/listpeers.json', 'plain/members.json', 'plain/metrics.json']);
    const x = path.join(dir.path, 'x');
    mkdirSync(x);
    execFileSync('tar', ['xzf', `${out}.tar.gz`, '-C', x]);
    const index = readFileSync(path.join(x, 'plain', 'index.json'), 'utf8');
    assert.equal(index, '{\n\t"Version": 1,\n\t"AgentVersion": "1.21.5",\n\t"Interval": "5s",\n\t"Duration": "12s",\n\t"Targets": [\n\t\t"metrics",\n\t\t"logs",\n\t\t"host",\n\t\t"agent",\n\t\t"members"\n\t]\n}');
    const self = JSON.parse(readFileSync(path.join(x, 'plain', 'agent.json'), 'utf8')) as { Config: { NodeName: string } };
    assert.equal(self.Config.NodeName, 'debug1');
    const members = JSON.parse(readFileSync(path.join(x, 'plain', 'members.json'), 'utf8')) as { Name: string }[];
    assert.deepEqual(members.map((m) => m.Name), ['debug1.dc1'], 'WAN members, as Consul captures them');
    // metrics.json: the stream of interval summaries, one indented JSON document each.
    const metrics = readFileSync(path.join(x, 'plain', 'metrics.json'), 'utf8');
    const docs = metrics.split(/\n(?=\{)/).filter((d) => d.trim() !== '').map((d) => JSON.parse(d) as { Timestamp: string; Gauges: unknown[] });
    assert.ok(docs.length >= 1, 'at least one finished interval in 12 s');
    assert.ok(docs.every((d) => typeof d.Timestamp === 'string' && Array.isArray(d.Gauges)));
    assert.match(readFileSync(path.join(x, 'plain', 'listpeers.json'), 'utf8'), /^Node\s+ID\s+Address\s+State\s+Voter\s+RaftProtocol\s+Commit Index\s+Trails Leader By\ndebug1 .* leader +true +3 +\d+ +-$/);
  });

  test('on a TTY it shows a live view of the targets, elapsed and remaining time', { skip: !hasScript && 'util-linux script is not installed' }, async () => {
    const out = path.join(dir.path, 'tty');
    const cmd = `stty cols 120 rows 30; ${JSON.stringify(process.execPath)} ${JSON.stringify(CONSUL_BIN)} debug -http-addr=${agent.addr} -duration=10s -interval=5s -output=${out}`;
    // ink draws only the last frame when it thinks it runs in CI (the CI variables): a person at a
    // terminal has none of them, and CI runs this test with CI=true.
    const env = { ...process.env };
    for (const k of ['CI', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID', 'GITHUB_ACTIONS']) delete env[k];
    const proc = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let raw = '';
    proc.stdout.on('data', (b: Buffer) => (raw += b.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    clearTimeout(timer);
    assert.equal(code, 0, raw);
    // eslint-disable-next-line no-control-regex
    const screen = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(screen, /elapsed \d+s\s+remaining \d+s\s+intervals \d \(every 5s\)/);
    assert.match(screen, /✓ host\s+✓ agent\s+✓ members/);
    assert.match(screen, /● logs/, 'streaming targets show as in progress');
    assert.doesNotMatch(screen, /Capture successful/, 'the view replaces the per-interval lines');
    assert.match(screen, /Saved debug archive: .*tty\.tar\.gz/);
    assert.ok(existsSync(`${out}.tar.gz`));
  });

  test('bad input gets Consul\'s messages, exit 1', async () => {
    const base = [`-http-addr=${agent.addr}`];
    let r = await runCli(['debug', ...base, '-duration=5s']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '==> Capture validation failed: duration must be longer than 10s\n');
    r = await runCli(['debug', ...base, '-interval=1s']);
    assert.equal(r.stderr, '==> Capture validation failed: interval must be longer than 10s\n');
    r = await runCli(['debug', ...base, '-duration=20s', '-interval=30s']);
    assert.equal(r.stderr, '==> Capture validation failed: duration (20s) must be longer than interval (30s)\n');
    r = await runCli(['debug', ...base, '-capture=agent', '-capture=bogus', `-output=${path.join(dir.path, 'never')}`]);
    assert.equal(r.stderr, '==> Capture validation failed: target not found: bogus\n');
    assert.ok(!existsSync(path.join(dir.path, 'never')));
    r = await runCli(['debug', ...base, `-output=${dir.path}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /==> Capture validation failed: output directory already exists: /);
    r = await runCli(['debug', '-http-addr=127.0.0.1:1', '-duration=10s', '-interval=5s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^==> Capture validation failed: error querying target agent: .*connection refused\. verify connectivity and agent address\n$/);
  });
});
