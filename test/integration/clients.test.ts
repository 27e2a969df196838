// One server and three client agents of consul-ts as real processes on loopback: gossip
// membership (`consul members` everywhere), client agents forwarding API, KV, blocking queries
// and DNS to the server, and the leader reconciling gossip into the catalog on failure
// (kill -9), return (restart), graceful leave and force-leave.
// The steps run in order against one cluster; each wait is bounded and timings are reported
// as test diagnostics.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Cluster, api, cliMembers, eventually, srvTargets, type MemberRow } from '../support/cluster.js';
import { runCli } from '../support/test-agent.js';

const cluster = new Cluster();
const ALL = ['srv', 'c1', 'c2', 'c3'];
const WEB = 'web.service.consul';

/** Run a step; on failure, attach the agents' recent logs to the error. */
async function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  const start = Date.now();
  try {
    await fn();
  } catch (e) {
    (e as Error).message += `\n${cluster.logTails()}`;
    throw e;
  }
  t.diagnostic(`took ${Date.now() - start} ms`);
}

async function memberStatus(on: string, name: string): Promise<string | undefined> {
  return (await cliMembers(cluster.agent(on))).find((m) => m.node === name)?.status;
}

interface HealthCheck {
  Node: string;
  CheckID: string;
  Status: string;
  Output: string;
}

async function serfHealth(node: string): Promise<HealthCheck | undefined> {
  const r = await api(cluster.server.agent, 'GET', `/v1/health/node/${node}`);
  return r.json<HealthCheck[]>().find((c) => c.CheckID === 'serfHealth');
}

/** The nodes with a passing web instance, from the server's health endpoint. */
async function passingWebNodes(): Promise<string[]> {
  const r = await api(cluster.server.agent, 'GET', '/v1/health/service/web?passing');
  return r
    .json<{ Node: { Node: string } }[]>()
    .map((e) => e.Node.Node)
    .sort();
}

async function catalogNodes(): Promise<string[]> {
  const r = await api(cluster.server.agent, 'GET', '/v1/catalog/nodes');
  return r
    .json<{ Node: string }[]>()
    .map((n) => n.Node)
    .sort();
}

/** The SRV ports answered for web on the given agent's DNS port. */
async function webPorts(on: string): Promise<number[]> {
  const targets = await srvTargets(cluster.agent(on).ports.dns, WEB);
  return targets.map((t) => Number(t.slice(t.lastIndexOf(':') + 1))).sort((a, b) => a - b);
}

const same = (a: readonly unknown[], b: readonly unknown[]): boolean => JSON.stringify(a) === JSON.stringify(b);

before(async () => {
  await cluster.startServer('srv');
  await Promise.all(['c1', 'c2', 'c3'].map((n) => cluster.startClient(n)));
});

after(() => cluster.stop());

describe('one server and three client agents', { timeout: 120_000 }, () => {
  test('1. consul members on every agent lists all four, alive, with the right type', (t) =>
    step(t, async () => {
      let last: MemberRow[] = [];
      for (const on of ALL) {
        const ms = await eventually(`${on} sees all four alive`, async () => {
          last = await cliMembers(cluster.agent(on));
          return same(last.map((m) => m.node).sort(), [...ALL].sort()) && last.every((m) => m.status === 'alive');
        });
        t.diagnostic(`${on}: all alive after ${ms} ms`);
        const types = Object.fromEntries(last.map((m) => [m.node, m.type]));
        assert.deepEqual(types, { srv: 'server', c1: 'client', c2: 'client', c3: 'client' }, `types on ${on}`);
        assert.equal(last[0]?.node, 'srv', 'servers are listed first');
        for (const m of last) assert.equal(m.address, `127.0.0.1:${cluster.agent(m.node).ports.serfLan}`);
      }
    }));

  test('2. services registered on clients reach the catalog and DNS on the server and on clients', (t) =>
    step(t, async () => {
      const cli = await runCli(['services', 'register', '-name=web', '-port=8080', `-http-addr=${cluster.agent('c1').addr}`]);
      assert.equal(cli.code, 0, cli.stderr);
      const put = await api(cluster.agent('c2'), 'PUT', '/v1/agent/service/register', { Name: 'web', Port: 8081 });
      assert.equal(put.status, 200, put.text);

      const inCatalog = await eventually('both web instances in the server catalog', async () => {
        const r = await api(cluster.server.agent, 'GET', '/v1/catalog/service/web');
        const rows = r.json<{ Node: string; ServicePort: number }[]>();
        return same(rows.map((s) => `${s.Node}:${s.ServicePort}`).sort(), ['c1:8080', 'c2:8081']);
      });
      t.diagnostic(`catalog has both after ${inCatalog} ms`);

      // Through the server's own DNS, and through clients, which answer by asking the server.
      for (const on of ['srv', 'c1', 'c3']) {
        await eventually(`web SRV on ${on}'s DNS`, async () => same(await webPorts(on), [8080, 8081]));
      }
      const targets = await srvTargets(cluster.agent('c3').ports.dns, WEB);
      assert.ok(targets.some((x) => x.startsWith('c1.node.')) && targets.some((x) => x.startsWith('c2.node.')), `SRV targets: ${targets.join(', ')}`);
      assert.deepEqual(await passingWebNodes(), ['c1', 'c2']);
    }));

  test('3. KV through one client is visible everywhere; a blocking query on a client wakes on a write through another', (t) =>
    step(t, async () => {
      let r = await api(cluster.agent('c1'), 'PUT', '/v1/kv/cluster/greeting', 'hello');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, 'true');
      for (const on of ['srv', 'c2']) {
        r = await api(cluster.agent(on), 'GET', '/v1/kv/cluster/greeting?raw');
        assert.equal(r.status, 200, `read on ${on}: ${r.text}`);
        assert.equal(r.text, 'hello', `read on ${on}`);
      }

      r = await api(cluster.agent('c3'), 'GET', '/v1/kv/cluster/blocking');
      assert.equal(r.status, 404);
      const index = Number(r.headers.get('x-consul-index'));
      assert.ok(index > 0, 'X-Consul-Index on a miss');

      const started = Date.now();
      let settled = false;
      const blocked = api(cluster.agent('c3'), 'GET', `/v1/kv/cluster/blocking?index=${index}&wait=15s`).finally(() => (settled = true));
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(settled, false, 'the blocking query returned before any write');
      const w = await api(cluster.agent('c2'), 'PUT', '/v1/kv/cluster/blocking', 'woken');
      assert.equal(w.status, 200, w.text);
      const woke = await Promise.race([blocked, new Promise<undefined>((res) => setTimeout(() => res(undefined), 5_000))]);
      assert.ok(woke, 'the blocking query did not return within 5 s of the write');
      const elapsed = Date.now() - started;
      t.diagnostic(`blocking query returned ${elapsed - 500} ms after the write started`);
      assert.equal(woke.status, 200, woke.text);
      assert.ok(Number(woke.headers.get('x-consul-index')) > index, 'index moved');
      const entries = woke.json<{ Key: string; Value: string }[]>();
      assert.equal(entries[0]?.Key, 'cluster/blocking');
      assert.equal(Buffer.from(entries[0]?.Value ?? '', 'base64').toString(), 'woken');
    }));

  test('4. kill -9 of a client: serfHealth critical, its service leaves DNS and passing health', (t) =>
    step(t, async () => {
      await cluster.agent('c1').kill9();
      const critical = await eventually('c1 serfHealth critical', async () => (await serfHealth('c1'))?.Status === 'critical', 15_000);
      t.diagnostic(`serfHealth critical ${critical} ms after kill -9`);
      assert.equal((await serfHealth('c1'))?.Output, 'Agent not live or unreachable');
      assert.deepEqual(await passingWebNodes(), ['c2']);
      await eventually('only c2 web in the server DNS', async () => same(await webPorts('srv'), [8081]));
      await eventually('only c2 web in c3 DNS', async () => same(await webPorts('c3'), [8081]));
      await eventually('c1 failed in members on the server', async () => (await memberStatus('srv', 'c1')) === 'failed');
    }));

  test('5. restarting the killed client (same data dir, name, ports) brings it back', (t) =>
    step(t, async () => {
      const started = Date.now();
      await cluster.restartClient('c1');
      const passing = await eventually('c1 serfHealth passing', async () => (await serfHealth('c1'))?.Status === 'passing', 15_000);
      t.diagnostic(`serfHealth passing ${Date.now() - started} ms after the restart began (${passing} ms after it was up)`);
      await eventually('c1 web back in passing health', async () => same(await passingWebNodes(), ['c1', 'c2']));
      await eventually('c1 web back in the server DNS', async () => same(await webPorts('srv'), [8080, 8081]));
      await eventually('c1 web back in c3 DNS', async () => same(await webPorts('c3'), [8080, 8081]));
      for (const on of ALL) await eventually(`c1 alive on ${on}`, async () => (await memberStatus(on, 'c1')) === 'alive');
    }));

  test('6. consul leave on a client: left in members, deregistered from the catalog', (t) =>
    step(t, async () => {
      const c2 = cluster.agent('c2');
      const r = await runCli(['leave', `-http-addr=${c2.addr}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Graceful leave complete/);
      const code = await Promise.race([c2.exited(), new Promise<string>((res) => setTimeout(() => res('still running'), 10_000))]);
      assert.equal(code, 0, 'the agent exits 0 after leave');
      const left = await eventually('c2 left on the server', async () => (await memberStatus('srv', 'c2')) === 'left');
      t.diagnostic(`c2 left on the server ${left} ms after the leave command returned`);
      await eventually('c2 left on c1 and c3', async () => (await memberStatus('c1', 'c2')) === 'left' && (await memberStatus('c3', 'c2')) === 'left');
      await eventually('c2 deregistered from the catalog', async () => !(await catalogNodes()).includes('c2'));
      assert.deepEqual(await catalogNodes(), ['c1', 'c3', 'srv']);
      assert.deepEqual(await passingWebNodes(), ['c1']);
      await eventually('only c1 web in the server DNS', async () => same(await webPorts('srv'), [8080]));
    }));

  test('7. kill -9 another client, then force-leave it on the server: left and deregistered', (t) =>
    step(t, async () => {
      await cluster.agent('c3').kill9();
      const failed = await eventually('c3 failed on the server', async () => (await memberStatus('srv', 'c3')) === 'failed', 15_000);
      t.diagnostic(`c3 failed on the server ${failed} ms after kill -9`);
      assert.equal((await serfHealth('c3'))?.Status, 'critical');
      assert.ok((await catalogNodes()).includes('c3'), 'a failed node stays in the catalog');

      const r = await runCli(['force-leave', `-http-addr=${cluster.server.agent.addr}`, 'c3']);
      assert.equal(r.code, 0, r.stderr);
      const left = await eventually('c3 left on the server', async () => (await memberStatus('srv', 'c3')) === 'left');
      t.diagnostic(`c3 left ${left} ms after force-leave`);
      await eventually('c3 left on c1', async () => (await memberStatus('c1', 'c3')) === 'left');
      await eventually('c3 deregistered from the catalog', async () => !(await catalogNodes()).includes('c3'));
      assert.deepEqual(await catalogNodes(), ['c1', 'srv']);
    }));
});
