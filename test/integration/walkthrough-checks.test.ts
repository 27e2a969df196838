// The seeds' health-check and maintenance walkthroughs through real dev agents: HTTP, TCP, TTL and
// script checks defined in config files, their statuses and outputs on the health endpoints and in
// DNS, script checks refused unless enabled, and `consul maint`. The project's own cover of the
// ground of the shared conformance scenarios 06 to 09.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, dnsAsk, eventually } from '../support/cluster.js';
import { TestAgent, runCli } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

interface HealthCheck {
  CheckID: string;
  Name: string;
  Status: string;
  Output: string;
  Notes: string;
  ServiceID: string;
}

/** An HTTP server that answers every GET with the status the test sets. */
class Fixture {
  status = 200;
  readonly server = http.createServer((_req, res) => {
    res.writeHead(this.status, { 'content-type': 'text/html' });
    res.end(`<h1>fixture says ${this.status}</h1>`);
  });
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function nodeChecks(agent: TestAgent, node: string): Promise<HealthCheck[]> {
  return (await api(agent, 'GET', `/v1/health/node/${node}`)).json<HealthCheck[]>();
}
async function checkOf(agent: TestAgent, node: string, id: string): Promise<HealthCheck | undefined> {
  return (await nodeChecks(agent, node)).find((c) => c.CheckID === id);
}
async function waitStatus(agent: TestAgent, node: string, id: string, status: string, timeoutMs = 10_000): Promise<void> {
  await eventually(`${id} ${status}`, async () => (await checkOf(agent, node, id))?.Status === status, timeoutMs);
}
async function dnsA(agent: TestAgent, name: string): Promise<string[]> {
  const p = await dnsAsk(agent.ports.dns, name, 'A');
  return (p?.answers ?? []).filter((a) => a.type === 'A').map((a) => String((a as { data: unknown }).data));
}

describe('walkthroughs: health checks, script checks, maintenance', { timeout: 150_000 }, () => {
  const work = tmpDir('walk-checks-');
  const fixture = new Fixture();
  const agents: TestAgent[] = [];
  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await fixture.close();
    work.remove();
  });
  async function start(name: string, config: unknown, args: string[] = []): Promise<TestAgent> {
    const conf = path.join(work.path, name);
    mkdirSync(conf);
    writeFileSync(path.join(conf, 'config.json'), JSON.stringify(config));
    const agent = await TestAgent.start({ args: [`-node=${name}`, `-config-dir=${conf}`, ...args] });
    agents.push(agent);
    return agent;
  }

  let port = 0;
  before(async () => {
    port = await fixture.listen();
  });

  test('HTTP, TCP and TTL checks: outputs, status rules, health endpoints, ?passing and DNS', async () => {
    const node = 'walk-health';
    const agent = await start(node, {
      service: { id: 'proxy', name: 'proxy', tags: ['nginx'], port },
      checks: [
        { name: 'HTTP Nginx on port 80', http: `http://127.0.0.1:${port}`, interval: '1s', timeout: '1s', service_id: 'proxy' },
        { id: 'nginx1', name: 'Nginx Status', ttl: '3s' },
        { name: 'SSH TCP on port 80', tcp: `127.0.0.1:${port}`, interval: '1s', timeout: '1s' },
      ],
    });
    const HTTP_ID = 'HTTP Nginx on port 80';
    const TCP_ID = 'SSH TCP on port 80';
    await waitStatus(agent, node, HTTP_ID, 'passing');
    await waitStatus(agent, node, TCP_ID, 'passing');
    const first = await checkOf(agent, node, HTTP_ID);
    assert.ok(first?.Output.includes(`HTTP GET http://127.0.0.1:${port}: 200 OK Output: <h1>fixture says 200</h1>`), first?.Output);
    assert.equal(first?.ServiceID, 'proxy');
    assert.equal((await checkOf(agent, node, TCP_ID))?.Output, `TCP connect 127.0.0.1:${port}: Success`);
    assert.equal((await checkOf(agent, node, 'nginx1'))?.Status, 'critical', 'a TTL check starts critical');

    assert.equal((await api(agent, 'PUT', '/v1/agent/check/pass/nginx1?note=all%20good')).status, 200);
    const passed = await checkOf(agent, node, 'nginx1');
    assert.deepEqual([passed?.Status, passed?.Output], ['passing', 'all good']);
    await api(agent, 'PUT', '/v1/agent/check/warn/nginx1');
    assert.equal((await checkOf(agent, node, 'nginx1'))?.Status, 'warning');
    await api(agent, 'PUT', '/v1/agent/check/update/nginx1', { Status: 'passing', Output: 'updated' });
    assert.equal((await checkOf(agent, node, 'nginx1'))?.Status, 'passing');
    await waitStatus(agent, node, 'nginx1', 'critical', 8_000);
    assert.match((await checkOf(agent, node, 'nginx1'))?.Output ?? '', /TTL expired/);
    assert.equal((await api(agent, 'PUT', '/v1/agent/check/pass/nope')).status, 404);

    const all = (await api(agent, 'GET', '/v1/health/service/proxy')).json<Array<{ Service: { Port: number }; Checks: HealthCheck[] }>>();
    assert.equal(all.length, 1);
    assert.deepEqual(all[0]?.Checks.map((c) => c.CheckID).sort(), [HTTP_ID, TCP_ID, 'nginx1', 'serfHealth']);
    assert.equal((await api(agent, 'GET', '/v1/health/service/proxy?passing')).json<unknown[]>().length, 0, 'a critical node check hides the instance');
    await api(agent, 'PUT', '/v1/agent/check/pass/nginx1');
    assert.equal((await api(agent, 'GET', '/v1/health/service/proxy?passing')).json<unknown[]>().length, 1);

    fixture.status = 429;
    await waitStatus(agent, node, HTTP_ID, 'warning', 6_000);
    fixture.status = 403;
    await waitStatus(agent, node, HTTP_ID, 'critical', 6_000);
    assert.match((await checkOf(agent, node, HTTP_ID))?.Output ?? '', /403 Forbidden/);
    const critical = (await api(agent, 'GET', '/v1/health/state/critical')).json<HealthCheck[]>();
    assert.ok(critical.some((c) => c.CheckID === HTTP_ID));
    assert.ok(critical.every((c) => c.Status === 'critical'));
    assert.equal((await api(agent, 'GET', '/v1/health/checks/proxy')).json<HealthCheck[]>()[0]?.Status, 'critical');
    assert.deepEqual(await dnsA(agent, 'proxy.service.consul'), [], 'a critical instance leaves DNS');
    assert.ok((await api(agent, 'GET', '/v1/health/state/any')).json<unknown[]>().length >= 4);
    assert.equal((await api(agent, 'GET', '/v1/health/state/bogus')).status, 400);

    await fixture.close();
    await waitStatus(agent, node, TCP_ID, 'critical', 6_000);

    assert.equal((await api(agent, 'PUT', '/v1/agent/check/register', { Name: 'mem', ID: 'mem', TTL: '30s', Status: 'passing' })).status, 200);
    assert.equal((await checkOf(agent, node, 'mem'))?.Status, 'passing', 'the initial Status is honoured');
    assert.equal((await api(agent, 'PUT', '/v1/agent/check/deregister/mem')).status, 200);
    assert.equal(await checkOf(agent, node, 'mem'), undefined);
  });

  test('script checks run only with -enable-script-checks: exit 0/1/2, the legacy script form, service:<id>', async () => {
    const node = 'walk-scripts';
    const exitFile = path.join(work.path, 'exit_code');
    writeFileSync(exitFile, '0');
    const agent = await start(
      node,
      {
        service: { name: 'keepalived', tags: ['master'], port: 80, check: { args: ['sh', '-c', `exit $(cat ${exitFile})`], interval: '1s' } },
        check: { id: 'legacy', name: 'legacy script', script: 'echo hello-from-script; exit 0', interval: '1s' },
      },
      ['-enable-script-checks'],
    );
    const svcStatus = async (): Promise<string | undefined> => (await api(agent, 'GET', '/v1/health/checks/keepalived')).json<HealthCheck[]>()[0]?.Status;
    for (const [code, status] of [['0', 'passing'], ['1', 'warning'], ['2', 'critical']] as const) {
      writeFileSync(exitFile, code);
      await eventually(`exit ${code} is ${status}`, async () => (await svcStatus()) === status, 8_000);
    }
    await waitStatus(agent, node, 'legacy', 'passing', 8_000);
    assert.match((await checkOf(agent, node, 'legacy'))?.Output ?? '', /hello-from-script/);
    assert.ok((await nodeChecks(agent, node)).some((c) => c.ServiceID === 'keepalived' && c.CheckID === 'service:keepalived'));

    const pwned = path.join(work.path, 'pwned');
    const plain = await start('walk-noscripts', {});
    const refused = await api(plain, 'PUT', '/v1/agent/check/register', { Name: 'evil', Args: ['sh', '-c', `touch ${pwned}`], Interval: '1s' });
    assert.notEqual(refused.status, 200);
    assert.match(refused.text, /Scripts are disabled/);
    const httpCheck = await api(plain, 'PUT', '/v1/agent/check/register', { Name: 'ok', HTTP: `http://${plain.addr}/v1/status/leader`, Interval: '1s' });
    assert.equal(httpCheck.status, 200);
    // The refused script would have run within its 1 s interval; wait for the HTTP check's first
    // result (which runs on the same schedule) instead of a guessed delay.
    await waitStatus(plain, 'walk-noscripts', 'ok', 'passing', 8_000);
    assert.equal(existsSync(pwned), false, 'the refused script never ran');
  });

  test('consul maint: node and service maintenance, its checks, DNS and the HTTP API', async () => {
    const node = 'walk-maint';
    const agent = await start(node, { service: { name: 'web', port: 80 } });
    const consul = async (...args: string[]): Promise<{ out: string; code: number | null }> => {
      const r = await runCli(args, { CONSUL_HTTP_ADDR: agent.addr });
      return { out: (r.stdout + r.stderr).replace(/\n$/, ''), code: r.code };
    };
    await eventually('web in DNS', async () => (await dnsA(agent, 'web.service.consul')).length === 1);
    assert.deepEqual(await consul('maint', '-reason', 'test', '-enable'), { out: 'Node maintenance is now enabled', code: 0 });
    assert.match((await consul('maint')).out, new RegExp(`Node:\\n\\s+Name:\\s+${node}\\n\\s+Reason:\\s+test`));
    const maint = await checkOf(agent, node, '_node_maintenance');
    assert.deepEqual([maint?.Status, maint?.Name, maint?.Notes], ['critical', 'Node Maintenance Mode', 'test']);
    await eventually('a node in maintenance leaves DNS', async () => (await dnsA(agent, 'web.service.consul')).length === 0, 5_000);
    assert.deepEqual(await consul('maint', '-disable'), { out: 'Node maintenance is now disabled', code: 0 });
    assert.deepEqual(await consul('maint'), { out: '', code: 0 });
    await eventually('back in DNS', async () => (await dnsA(agent, 'web.service.consul')).join() === '127.0.0.1', 5_000);

    assert.deepEqual(await consul('maint', '-enable', '-service', 'web', '-reason', 'deploying'), { out: 'Service maintenance is now enabled for "web"', code: 0 });
    const svc = (await api(agent, 'GET', '/v1/health/checks/web')).json<HealthCheck[]>().find((c) => c.CheckID === '_service_maintenance:web');
    assert.equal(svc?.Notes, 'deploying');
    assert.deepEqual(await consul('maint', '-disable', '-service', 'web'), { out: 'Service maintenance is now disabled for "web"', code: 0 });
    assert.notEqual((await consul('maint', '-enable', '-service', 'nosuch')).code, 0);
    assert.notEqual((await consul('maint', '-enable', '-disable')).code, 0);
    assert.equal((await api(agent, 'PUT', '/v1/agent/maintenance?enable=true&reason=api')).status, 200);
    assert.equal((await checkOf(agent, node, '_node_maintenance'))?.Notes, 'api');
    assert.equal((await api(agent, 'PUT', '/v1/agent/maintenance')).status, 400);
  });
});
