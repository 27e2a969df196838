// End to end with Debian's nginx (skipped when `nginx` is not installed): consul-template renders
// the walkthrough's upstream block, `nginx -s reload` is the command, and a request through nginx
// answers from the backend the catalog and the maintenance key select.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { stopProcessGroup } from '../support/process-group.js';
import { ROOT, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

function findNginx(): string | undefined {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const NGINX = findNginx();
const dir = tmpDir('ct-nginx-');
const file = (n: string): string => path.join(dir.path, n);

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function backend(name: string): Promise<http.Server> {
  return new Promise((resolve) => {
    const s = http.createServer((_req, res) => res.end(name));
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

async function get(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return await res.text();
  } catch {
    return '';
  }
}

const TEMPLATE = `upstream app1 {
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
`;

describe('consul-template with nginx', { timeout: 180_000, skip: NGINX ? false : 'nginx is not installed' }, () => {
  const procs: Array<{ proc: ChildProcess; exited: Promise<number | null> }> = [];
  const servers: http.Server[] = [];
  let agent: TestAgent | undefined;
  const spawnGroup = (cmd: string, args: string[]) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    procs.push({ proc, exited });
    return { proc, output: () => out };
  };
  after(async () => {
    for (const p of procs.reverse()) await stopProcessGroup(p.proc, p.exited, 'SIGTERM', 5000);
    for (const s of servers) s.close();
    await agent?.stop();
    dir.remove();
  });

  test('nginx -s reload as the command switches the upstream that answers', async () => {
    agent = await TestAgent.start({ args: ['-node=nginx-node'] });
    const web = await backend('web');
    const sorry = await backend('sorry');
    servers.push(web, sorry);
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(agent!.url + p, { method, body: typeof body === 'string' ? body : JSON.stringify(body) });
      assert.ok(res.ok, `${method} ${p}: ${res.status}`);
      await res.arrayBuffer();
    };
    await api('PUT', '/v1/agent/service/register', { Name: 'web', ID: 'web1', Port: (web.address() as AddressInfo).port, Check: { CheckID: 'web-ttl', TTL: '10m', Status: 'passing' } });
    await api('PUT', '/v1/agent/service/register', { Name: 'sorry', Port: (sorry.address() as AddressInfo).port });
    await api('PUT', '/v1/kv/web/test/maintenance/flag', 'off');

    const prefix = file('nginx');
    mkdirSync(path.join(prefix, 'logs'), { recursive: true });
    const listen = await freePort();
    writeFileSync(file('default.conf.tmpl'), TEMPLATE);
    const upstream = path.join(prefix, 'upstream.conf');
    writeFileSync(
      path.join(prefix, 'nginx.conf'),
      `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  include ${upstream};
  server {
    listen 127.0.0.1:${listen};
    location / { proxy_pass http://app1; }
  }
}
`,
    );
    const ctArgs = ['-consul-addr', agent.addr, '-template', `${file('default.conf.tmpl')}:${upstream}:${NGINX} -p ${prefix} -c ${prefix}/nginx.conf -s reload`];
    // Render once so nginx has an upstream to start with, then run nginx and the daemon.
    const once = spawnGroup(process.execPath, [path.join(ROOT, 'bin', 'consul-template'), ...ctArgs.slice(0, 3), `${file('default.conf.tmpl')}:${upstream}`, '-once']);
    assert.equal(await procs.at(-1)!.exited, 0, once.output());
    const nginx = spawnGroup(NGINX!, ['-p', prefix, '-c', `${prefix}/nginx.conf`, '-g', 'daemon off;']);
    await waitFor('nginx to answer from web', async () => (await get(listen)) === 'web', 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${nginx.output()}\n${readFileSync(upstream, 'utf8')}`);
    });
    const ct = spawnGroup(process.execPath, [path.join(ROOT, 'bin', 'consul-template'), ...ctArgs]);

    // The web instance fails and the maintenance key is on: only the sorry server is left.
    await api('PUT', '/v1/agent/check/fail/web-ttl');
    await api('PUT', '/v1/kv/web/test/maintenance/flag', 'on');
    await waitFor('the rendered upstream', () => /server 127\.0\.0\.1:\d+ weight=5;\s*\}\s*$/.test(readFileSync(upstream, 'utf8').trim()) && !readFileSync(upstream, 'utf8').includes(`:${(web.address() as AddressInfo).port}`));
    await waitFor('nginx to answer from sorry after the reload', async () => (await get(listen)) === 'sorry', 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${ct.output()}\n${nginx.output()}`);
    });

    // Back to healthy, maintenance off: web answers again.
    await api('PUT', '/v1/agent/check/pass/web-ttl');
    await api('PUT', '/v1/kv/web/test/maintenance/flag', 'off');
    await waitFor('nginx to answer from web again', async () => (await get(listen)) === 'web', 20_000);
  });
});
