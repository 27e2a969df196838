// The agent's services and checks reach the catalog (anti-entropy), survive a restart with a
// data dir, and follow config reloads: a real `consul agent -dev` process.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Cluster, cliMembers } from '../support/cluster.js';
import { runCli, TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dir = tmpDir();
after(() => dir.remove());

async function api(agent: TestAgent, method: string, p: string, body?: unknown): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await fetch(`${agent.url}${p}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const catalogHas = async (agent: TestAgent, name: string): Promise<boolean> =>
  ((await api(agent, 'GET', `/v1/catalog/service/${name}`)).json() as unknown[]).length > 0;

describe('anti-entropy', { timeout: 120_000 }, () => {
  test('config services reach the catalog; API register/deregister; repair; reload', async () => {
    const conf = path.join(dir.path, 'conf');
    mkdirSync(conf);
    writeFileSync(path.join(conf, 'web.json'), JSON.stringify({ service: { name: 'web', port: 80, check: { ttl: '30s' } } }));
    const agent = await TestAgent.start({ args: ['-node=ae-node', `-config-dir=${conf}`] });
    try {
      await eventually('web in the catalog', () => catalogHas(agent, 'web'));
      const checks = (await api(agent, 'GET', '/v1/health/checks/web')).json() as { CheckID: string; Status: string }[];
      assert.deepEqual(checks.map((c) => [c.CheckID, c.Status]), [['service:web', 'critical']]);

      // Registered over the API: in the catalog by the time the PUT answers.
      let r = await api(agent, 'PUT', '/v1/agent/service/register', { ID: 'api/1', Name: 'api', Port: 9001, Check: { TTL: '30s', Status: 'passing' } });
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
      assert.ok(await catalogHas(agent, 'api'));
      r = await api(agent, 'GET', '/v1/agent/service/api%2F1');
      assert.equal((r.json() as { ID: string }).ID, 'api/1');
      r = await api(agent, 'PUT', '/v1/agent/service/deregister/api%2F1');
      assert.equal(r.status, 200);
      assert.equal(await catalogHas(agent, 'api'), false);
      r = await api(agent, 'PUT', '/v1/agent/service/deregister/nope');
      assert.equal(r.status, 404);
      assert.equal(r.text, 'Unknown service ID "nope". Ensure that the service ID is passed, not the service name.');
      r = await api(agent, 'PUT', '/v1/agent/service/register', { Name: 'bad', Port: 'eighty' });
      assert.equal(r.status, 400);
      assert.match(r.text, /^Request decode failed: /);

      // Removed from the catalog behind the agent's back: the next full sync (reload asks for one) restores it.
      r = await api(agent, 'PUT', '/v1/catalog/deregister', { Node: 'ae-node', ServiceID: 'web' });
      assert.equal(r.status, 200);
      assert.equal(await catalogHas(agent, 'web'), false);
      assert.equal((await api(agent, 'PUT', '/v1/agent/reload')).status, 200);
      await eventually('web restored', () => catalogHas(agent, 'web'));

      // Reload adds and removes config services.
      rmSync(path.join(conf, 'web.json'));
      writeFileSync(path.join(conf, 'db.json'), JSON.stringify({ services: [{ name: 'db', port: 5432 }] }));
      assert.equal((await api(agent, 'PUT', '/v1/agent/reload')).status, 200);
      const services = (await api(agent, 'GET', '/v1/agent/services')).json() as Record<string, unknown>;
      assert.deepEqual(Object.keys(services), ['db']);
      await eventually('db in the catalog, web gone', async () => (await catalogHas(agent, 'db')) && !(await catalogHas(agent, 'web')));
    } finally {
      await agent.stop();
    }
  });

  test('API-registered services and checks survive a restart with a data dir', async () => {
    const dataDir = path.join(dir.path, 'data');
    let agent = await TestAgent.start({ dataDir, args: ['-node=ae-persist'] });
    const ports = agent.ports;
    try {
      let r = await api(agent, 'PUT', '/v1/agent/service/register', { Name: 'keep', Port: 1 });
      assert.equal(r.status, 200);
      r = await api(agent, 'PUT', '/v1/agent/check/register', { Name: 'mem', TTL: '1h' });
      assert.equal(r.status, 200);
      r = await api(agent, 'PUT', '/v1/agent/maintenance?enable=true&reason=upgrade');
      assert.equal(r.status, 200);
    } finally {
      await agent.stop();
    }
    agent = await TestAgent.start({ dataDir, ports, args: ['-node=ae-persist'] });
    try {
      const services = (await api(agent, 'GET', '/v1/agent/services')).json() as Record<string, unknown>;
      assert.ok('keep' in services);
      const checks = (await api(agent, 'GET', '/v1/agent/checks')).json() as Record<string, { Notes: string }>;
      assert.ok('mem' in checks);
      assert.equal(checks._node_maintenance?.Notes, 'upgrade');
      await eventually('keep in the catalog', () => catalogHas(agent, 'keep'));
    } finally {
      await agent.stop();
    }
  });
});

// A client agent frozen (SIGSTOP) long enough to be marked failed, force-left on the server (the
// leader deregisters the node with its services), then resumed: it refutes the notices about
// itself, the leader registers the node again with only `serfHealth`, and the agent must push its
// services back with a full sync instead of waiting for the periodic one (1 to 2 minutes). The
// bound is what the protocol needs: a few gossip rounds (100 ms with FAST_GOSSIP_HCL) for the
// refutation to travel, the server-up stagger (3 s, Consul agent/ae/ae.go serverUpIntv) and one
// sync, with a wide margin for a loaded machine; far below the periodic full sync's 60 s.
const RESYNC_BOUND_MS = 15_000;

describe('anti-entropy after the node was deregistered behind a running agent', { timeout: 180_000 }, () => {
  const cluster = new Cluster();
  after(() => cluster.stop());

  const webNodes = async (): Promise<string[]> => {
    const r = await fetch(`${cluster.server.agent.url}/v1/catalog/service/web`);
    return ((await r.json()) as { Node: string }[]).map((e) => e.Node).sort();
  };
  const memberStatus = async (agent: TestAgent, node: string): Promise<string | undefined> => (await cliMembers(agent)).find((m) => m.node === node)?.status;

  test('a client frozen until failed and force-left, then resumed: its services are back within seconds', async (t) => {
    await cluster.startServer('ae-srv');
    const client = (await cluster.startClient('ae-c1')).agent;
    const r = await api(client, 'PUT', '/v1/agent/service/register', { ID: 'web-1', Name: 'web', Port: 8080 });
    assert.equal(r.status, 200, r.text);
    await eventually('web on ae-c1 in the catalog', async () => (await webNodes()).includes('ae-c1'), 20_000);

    const srv = cluster.server.agent;
    const pid = client.proc.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGSTOP');
    try {
      await eventually('ae-c1 failed on the server', async () => (await memberStatus(srv, 'ae-c1')) === 'failed', 20_000);
      const since = srv.output.length;
      const fl = await runCli(['force-leave', `-http-addr=${srv.addr}`, 'ae-c1']);
      assert.equal(fl.code, 0, fl.stderr);
      await eventually('the leader to deregister ae-c1', async () => /deregistering member: member=ae-c1 reason=left/.test(srv.output.slice(since)), 20_000);
      assert.deepEqual(await webNodes(), []);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const resumedAt = Date.now();
    await eventually('web on ae-c1 back in the catalog', async () => (await webNodes()).includes('ae-c1'), RESYNC_BOUND_MS).catch((e: Error) => {
      throw new Error(`${e.message}\n${cluster.logTails()}`);
    });
    t.diagnostic(`web back in the catalog ${Date.now() - resumedAt} ms after the client resumed`);
    assert.equal(await memberStatus(srv, 'ae-c1'), 'alive');
  });
});
