// consul-template against a real agent: the three walkthrough templates verbatim, one command
// per change, bad input, -diff and SIGHUP. Every process is bounded in time and stopped by PID.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stopProcessGroup } from '../support/process-group.js';
import { ROOT, runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const CT_BIN = path.join(ROOT, 'bin', 'consul-template');
const dir = tmpDir('consul-template-test-');
const file = (name: string): string => path.join(dir.path, name);
const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class Ct {
  out = '';
  readonly exited: Promise<number | null>;
  constructor(readonly proc: ChildProcess) {
    proc.stdout?.on('data', (b: Buffer) => (this.out += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (this.out += b.toString()));
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }
  stop(): Promise<number | null> {
    return stopProcessGroup(this.proc, this.exited, 'SIGTERM', 5000);
  }
}

function startCt(args: string[], env: Record<string, string> = {}): Ct {
  const ct = new Ct(spawn(process.execPath, [CT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  running.push(ct);
  return ct;
}

async function runCt(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ out: string; stdout: string; code: number | null }> {
  const p = spawn(process.execPath, [CT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const ct = new Ct(p);
  let stdout = '';
  p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const timer = setTimeout(() => void ct.stop(), timeoutMs);
  const code = await ct.exited;
  clearTimeout(timer);
  return { out: ct.out, stdout, code };
}

const running: Ct[] = [];
let agent: TestAgent;
let node = '';

async function api(method: string, p: string, body?: unknown): Promise<string> {
  const res = await fetch(agent.url + p, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${p}: ${res.status} ${text}`);
  return text;
}

describe('consul-template', { timeout: 240_000 }, () => {
  before(async () => {
    agent = await TestAgent.start({ args: ['-node=ct-node'] });
    node = 'ct-node';
  });
  after(async () => {
    for (const ct of running) await ct.stop();
    await agent?.stop();
    dir.remove();
  });

  test('walkthrough 1: the hosts file lists every node and follows joins and leaves', async () => {
    writeFileSync(file('hosts.ctmpl'), '{{ range nodes }}\n# {{.Node}}\n{{ .Address }} {{.Node}}\n{{ end }}\n');
    const dry = await runCt(['-consul-addr', agent.addr, '-template', `${file('hosts.ctmpl')}:${file('hosts')}`, '-dry']);
    assert.equal(dry.code, 0, dry.out);
    assert.equal(dry.stdout, `> ${file('hosts')}\n\n# ${node}\n127.0.0.1 ${node}\n\n`);
    assert.ok(!existsSync(file('hosts')), '-dry wrote the destination');

    const ct = startCt(['-consul-addr', agent.addr, '-template', `${file('hosts.ctmpl')}:${file('hosts')}`]);
    await waitFor('the hosts file', () => read(file('hosts')).includes(`127.0.0.1 ${node}`));
    // A real client agent joins the dev server's LAN pool, then leaves gracefully.
    mkdirSync(file('client-data'));
    const client = await TestAgent.start({
      dev: false,
      dataDir: file('client-data'),
      waitForLeader: false,
      args: ['-node=ct-client', `-retry-join=127.0.0.1:${agent.ports.serfLan}`],
    });
    try {
      await waitFor('the joined node', () => read(file('hosts')).includes('# ct-client\n127.0.0.1 ct-client'), 30_000);
      // Sorted by node name, as consul-template sorts nodes.
      assert.equal(read(file('hosts')), `\n# ct-client\n127.0.0.1 ct-client\n\n# ${node}\n127.0.0.1 ${node}\n\n`);
      const left = await runCli(['leave', `-http-addr=${client.addr}`]);
      assert.equal(left.code, 0, left.stderr);
      await waitFor('the node to leave', () => !read(file('hosts')).includes('ct-client'), 30_000);
    } finally {
      await client.stop();
    }
    // An external node registered in the catalog is a node too.
    await api('PUT', '/v1/catalog/register', { Node: 'db-host', Address: '10.0.0.7' });
    await waitFor('the registered node', () => read(file('hosts')).includes('10.0.0.7 db-host'));
    await api('PUT', '/v1/catalog/deregister', { Node: 'db-host' });
    await waitFor('the node to be deregistered', () => !read(file('hosts')).includes('db-host'));
    await ct.stop();
  });

  test('walkthrough 2: the nginx upstream follows passing instances, the maintenance key switches the sorry server', async () => {
    await api('PUT', '/v1/agent/service/register', { Name: 'web', ID: 'web1', Port: 8081 });
    await api('PUT', '/v1/agent/service/register', { Name: 'web', ID: 'web2', Port: 8082, Check: { TTL: '60s', Status: 'passing' } });
    await api('PUT', '/v1/agent/service/register', { Name: 'sorry', Port: 8099 });
    await api('PUT', '/v1/kv/web/test/maintenance/flag', 'off');
    writeFileSync(
      file('default.conf.tmpl'),
      `upstream app1 {
  {{ range service "web@dc1" "passing" }}
    server {{.Address}}:{{.Port}} weight=5;
  {{ end }}
  {{ range "web/test/maintenance" | ls }}
      {{ if eq .Value "off" }}
    {{ range service "sorry@dc1" "passing" }}
        server {{.Address}}:{{.Port}} backup;{{end}}
      {{ else }}
    {{ range service "sorry@dc1" "passing" }}
        server {{.Address}}:{{.Port}} weight=5;
      {{end}}
    {{ end }}
  {{ end }}
}
`,
    );
    writeFileSync(
      file('nginx-template.hcl'),
      `consul = "${agent.addr}"
retry = "5s"
max_stale = "10m"
log_level = "info"
pid_file = "${file('ct.pid')}"
template {
  source = "${file('default.conf.tmpl')}"
  destination = "${file('default.conf')}"
  command = "echo reloaded >> ${file('reloads')}"
}
`,
    );
    const ct = startCt(['-config', file('nginx-template.hcl')]);
    const conf = () => squash(read(file('default.conf')));
    await waitFor('the first render', () => conf().includes('server 127.0.0.1:8099 backup;'));
    assert.equal(conf(), 'upstream app1 { server 127.0.0.1:8081 weight=5; server 127.0.0.1:8082 weight=5; server 127.0.0.1:8099 backup; }');
    assert.equal(read(file('ct.pid')), String(ct.proc.pid));
    await api('PUT', '/v1/kv/web/test/maintenance/flag', 'on');
    await waitFor('maintenance on', () => conf().includes('server 127.0.0.1:8099 weight=5;'));
    await api('PUT', '/v1/agent/check/fail/service:web2');
    await waitFor('web2 to leave the upstream', () => !conf().includes('8082'));
    assert.equal(conf(), 'upstream app1 { server 127.0.0.1:8081 weight=5; server 127.0.0.1:8099 weight=5; }');
    await waitFor('a command per change', () => read(file('reloads')).split('\n').filter(Boolean).length === 3);
    await ct.stop();
    assert.ok(!existsSync(file('ct.pid')), 'the pid file outlived the process');
  });

  test('walkthrough 3: one upstream block per service, with the else branch for a service without instances', async () => {
    writeFileSync(
      file('nginx.conf.ctmpl'),
      `{{range services}} {{$name := .Name}} {{$service := service .Name}} upstream {{$name}} {
zone upstream-{{$name}} 64k; {{range $service}}server {{.Address}}:{{.Port}} max_fails = 3 fail_timeout = 60
weight = 1;
{{else}}server 127.0.0.1:65535; # force a 502{{end}}
} {{end}}
`,
    );
    await api('PUT', '/v1/agent/service/register', { Name: 'empty', Port: 9000, Check: { TTL: '60s', Status: 'critical' } });
    const res = await runCt(['-template', `${file('nginx.conf.ctmpl')}:${file('nginx.conf')}`, '-once'], { CONSUL_HTTP_ADDR: agent.addr });
    assert.equal(res.code, 0, res.out);
    const out = read(file('nginx.conf'));
    assert.match(out, /upstream sorry \{\nzone upstream-sorry 64k; server 127\.0\.0\.1:8099 max_fails = 3 fail_timeout = 60\nweight = 1;\n\n\}/);
    assert.match(out, /upstream empty \{\nzone upstream-empty 64k; server 127\.0\.0\.1:65535; # force a 502\n\}/);
    assert.match(out, /upstream web \{\nzone upstream-web 64k; server 127\.0\.0\.1:8081 /);
  });

  test('templates that change together run their shared command once; a failing command is logged and the daemon keeps running', async () => {
    writeFileSync(file('a.ctmpl'), 'a={{ key "once/x" }}');
    writeFileSync(file('b.ctmpl'), 'b={{ key "once/x" }}');
    await api('PUT', '/v1/kv/once/x', '1');
    const cmd = `echo run >> ${file('once-runs')}`;
    const ct = startCt([
      '-consul-addr', agent.addr, '-log-level', 'info',
      '-template', `${file('a.ctmpl')}:${file('a.out')}:${cmd}`,
      '-template', `${file('b.ctmpl')}:${file('b.out')}:${cmd}`,
      '-template', `${file('b.ctmpl')}:${file('c.out')}:echo to-stderr >&2; exit 3`,
    ]);
    const runs = () => read(file('once-runs')).split('\n').filter(Boolean).length;
    await waitFor('the first render', () => read(file('a.out')) === 'a=1' && read(file('b.out')) === 'b=1' && runs() === 1);
    await waitFor('the failing command to be logged', () => /failed to execute command .*exit 3.* exit status 3: to-stderr/.test(ct.out));
    for (const v of ['2', '3']) {
      await api('PUT', '/v1/kv/once/x', v);
      await waitFor(`render ${v}`, () => read(file('a.out')) === `a=${v}` && read(file('b.out')) === `b=${v}`);
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(runs(), 3, 'one command run per change, not one per template');
    assert.equal(ct.proc.exitCode, null, 'the daemon exited after a failing command');
    await ct.stop();
  });

  test('-wait: changes inside the quiescence window give one render and one command run; -exec exits with its child', async () => {
    await api('PUT', '/v1/kv/q/v', '0');
    await api('PUT', '/v1/kv/q/w', '0');
    writeFileSync(file('q.ctmpl'), 'v={{ key "q/v" }}');
    writeFileSync(file('q2.ctmpl'), 'w={{ key "q/w" }} v={{ key "q/v" }}');
    const cmd = `cat ${file('q.out')} >> ${file('q-runs')}; echo >> ${file('q-runs')}`;
    const ct = startCt(['-consul-addr', agent.addr, '-wait', '1s:5s', '-template', `${file('q.ctmpl')}:${file('q.out')}:${cmd}`]);
    await waitFor('the first render (not held by wait)', () => read(file('q-runs')) === 'v=0\n', 5000);
    for (const v of ['1', '2', '3']) {
      await api('PUT', '/v1/kv/q/v', v);
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitFor('the quiesced render', () => read(file('q.out')) === 'v=3');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(read(file('q-runs')), 'v=0\nv=3\n');
    await ct.stop();

    const exec = await runCt(['-consul-addr', agent.addr, '-template', `${file('q.ctmpl')}:${file('q2.out')}`, '-exec', `test -s ${file('q2.out')} && exit 3`]);
    assert.equal(exec.code, 3, exec.out);
    assert.equal(read(file('q2.out')), 'v=3');
  });

  test('bad input: a syntax error names file and line and leaves the destination alone; unknown config keys and an unreachable agent are reported', async () => {
    writeFileSync(file('bad.ctmpl'), 'ok\n{{ range nodes }\n');
    const bad = await runCt(['-consul-addr', agent.addr, '-template', `${file('bad.ctmpl')}:${file('bad.out')}`, '-once']);
    assert.equal(bad.code, 13);
    assert.match(bad.out, /\[ERR\] \(cli\) .*bad\.ctmpl: parse: template: .*bad\.ctmpl:2: unexpected "\}" in operand/);
    assert.ok(!existsSync(file('bad.out')));

    writeFileSync(file('bad.hcl'), `template {\n  source = "x"\n  destinaton = "y"\n}\n`);
    const cfg = await runCt(['-config', file('bad.hcl')]);
    assert.equal(cfg.code, 14);
    assert.match(cfg.out, /'template\[0\]' has invalid keys: destinaton/);

    writeFileSync(file('k.ctmpl'), '{{ key "k" }}');
    const down = await runCt(['-consul-addr', '127.0.0.1:1', '-consul-retry-attempts', '1', '-consul-retry-backoff', '10ms', '-template', `${file('k.ctmpl')}:${file('k.out')}`, '-once']);
    assert.equal(down.code, 13);
    assert.match(down.out, /\[WARN\] \(view\) kv\.get\(k\): .*connection refused \(retry attempt 1 after "10ms"\)/);
    assert.match(down.out, /\[ERR\] \(cli\) kv\.get\(k\): .*connection refused/);

    writeFileSync(file('ro.ctmpl'), 'x');
    // The destination's parent is a regular file: nothing can be written there.
    const ro = await runCt(['-template', `${file('ro.ctmpl')}:${file('ro.ctmpl')}/sub/here`, '-once']);
    assert.equal(ro.code, 13);
    assert.match(ro.out, /error rendering ".*ro\.ctmpl" => ".*ro\.ctmpl\/sub\/here": failed reading file: open .*\/sub\/here: not a directory/);
  });

  test('-diff prints a unified diff before writing; perms and backup are kept; SIGHUP re-reads templates', async () => {
    await api('PUT', '/v1/kv/diff/v', 'one');
    writeFileSync(file('d.ctmpl'), 'value={{ key "diff/v" }}\n');
    writeFileSync(file('d.hcl'), `consul { address = "${agent.addr}" }\ntemplate {\n source = "${file('d.ctmpl')}"\n destination = "${file('d.out')}"\n perms = "0600"\n backup = true\n}\n`);
    const first = await runCt(['-config', file('d.hcl'), '-once']);
    assert.equal(first.code, 0, first.out);
    assert.equal(read(file('d.out')), 'value=one\n');
    assert.equal(statSync(file('d.out')).mode & 0o777, 0o600);
    await api('PUT', '/v1/kv/diff/v', 'two');
    const diff = await runCt(['-config', file('d.hcl'), '-once', '-diff']);
    assert.equal(diff.code, 0, diff.out);
    assert.match(diff.stdout, new RegExp(`--- ${file('d.out')}\tcurrent\n\\+\\+\\+ ${file('d.out')}\trendered\n@@ -1,1 \\+1,1 @@\n-value=one\n\\+value=two\n`));
    assert.equal(read(file('d.out')), 'value=two\n');
    assert.equal(read(file('d.out.bak')), 'value=one\n');

    const ct = startCt(['-config', file('d.hcl'), '-log-level', 'debug']);
    // SIGHUP before the handler is installed would end the process: wait for the first full run.
    await waitFor('the daemon to settle', () => ct.out.includes('(runner) all templates rendered'));
    writeFileSync(file('d.ctmpl'), 'reloaded={{ key "diff/v" }}\n');
    await new Promise((r) => setTimeout(r, 300));
    ct.proc.kill('SIGHUP');
    await waitFor('the re-read template', () => read(file('d.out')) === 'reloaded=two\n');
    await ct.stop();
  });
});
