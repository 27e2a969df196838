// Prepared queries on a dev agent (issue: many datacenters): the /v1/query CRUD with Consul's
// shapes and errors, execution with health, tag, metadata and limit filters, templates
// (name_prefix_match with a regexp and ${match(N)}), /explain, DNS `.query.` names in both forms,
// and a session-bound query going away with its session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, srvTargets } from '../support/cluster.js';
import { TestAgent } from '../support/test-agent.js';

interface Exec {
  Service: string;
  Nodes: { Node: { Node: string }; Service: { ID: string; Tags: string[] } }[];
  DNS: { TTL: string };
  Datacenter: string;
  Failovers: number;
}

describe('prepared queries', { timeout: 60_000 }, () => {
  let agent: TestAgent;

  const register = (node: string, id: string, service: string, tags: string[], status: string, meta: Record<string, string> = {}) =>
    api(agent, 'PUT', '/v1/catalog/register', {
      Node: node,
      Address: `10.0.0.${node.length}`,
      NodeMeta: meta,
      Service: { ID: id, Service: service, Tags: tags, Port: 8000 + id.length },
      Check: { CheckID: `chk-${id}`, Name: id, Status: status, ServiceID: id },
    });

  before(async () => {
    agent = await TestAgent.start();
    for (const r of await Promise.all([
      register('n-a', 'db-1', 'db', ['primary', 'v1'], 'passing', { rack: 'r1' }),
      register('n-bb', 'db-2', 'db', ['replica', 'v1'], 'passing', { rack: 'r2' }),
      register('n-ccc', 'db-3', 'db', ['replica', 'v2'], 'warning', { rack: 'r2' }),
      register('n-dddd', 'db-4', 'db', ['replica'], 'critical', { rack: 'r2' }),
      register('n-a', 'cache-eu', 'cache-eu', [], 'passing'),
    ]))
      assert.equal(r.status, 200, r.text);
  });

  after(async () => {
    await agent?.stop();
  });

  test('create, read, list, update and delete with Consul\'s shapes', async () => {
    const created = await api(agent, 'POST', '/v1/query', { Name: 'db-q', Service: { Service: 'db', Tags: ['replica'] }, DNS: { TTL: '10s' } });
    assert.equal(created.status, 200, created.text);
    const { ID } = created.json<{ ID: string }>();
    assert.match(ID, /^[0-9a-f-]{36}$/);
    const got = await api(agent, 'GET', `/v1/query/${ID}`);
    assert.equal(got.status, 200);
    const [q] = got.json<Record<string, unknown>[]>();
    assert.equal(q?.Name, 'db-q');
    assert.deepEqual(q?.Template, { Type: '', Regexp: '', RemoveEmptyTags: false });
    assert.deepEqual((q?.Service as Record<string, unknown>).Failover, { NearestN: 0, Datacenters: null });
    assert.ok(Number(got.headers.get('x-consul-index')) > 0);
    const list = await api(agent, 'GET', '/v1/query');
    assert.ok(list.json<{ ID: string }[]>().some((x) => x.ID === ID));
    const upd = await api(agent, 'PUT', `/v1/query/${ID}`, { Name: 'db-q', Service: { Service: 'db', Tags: ['replica', '!v2'] } });
    assert.equal(upd.status, 200, upd.text);
    const again = (await api(agent, 'GET', `/v1/query/${ID}`)).json<{ Service: { Tags: string[] }; CreateIndex: number; ModifyIndex: number }[]>()[0];
    assert.deepEqual(again?.Service.Tags, ['replica', '!v2']);
    assert.ok((again?.ModifyIndex ?? 0) > (again?.CreateIndex ?? 0));
    const del = await api(agent, 'DELETE', `/v1/query/${ID}`);
    assert.equal(del.status, 200);
    const gone = await api(agent, 'GET', `/v1/query/${ID}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.text, 'Query not found');
  });

  test('bad definitions get Consul\'s errors', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ Name: 'x', Service: {} }, 500, /^Invalid prepared query: Must provide a Service name to query$/],
      [{ Service: { Service: 'db' } }, 500, /^Invalid prepared query: Must be bound to a session$/],
      [{ Name: 'x', Service: { Service: 'db', Failover: { NearestN: -1 } } }, 500, /^Invalid prepared query: Bad NearestN '-1', must be >= 0$/],
      [{ Name: 'x', Service: { Service: 'db' }, DNS: { TTL: 'soon' } }, 500, /^Invalid prepared query: Bad DNS TTL 'soon': /],
      [{ Name: 'x', Service: { Service: 'db' }, Template: { Type: 'name_prefix_match', Regexp: '([' } }, 500, /Bad Regexp/],
      [{ Name: 'x', Service: { Service: 'db' }, Template: { Type: 'other' } }, 500, /Bad Template\.Type 'other'/],
      [{ ID: 'abc', Name: 'x', Service: { Service: 'db' } }, 500, /^ID must be empty when creating a new prepared query$/],
      [{ Name: 'x', Service: { Service: 'db' }, Session: 'no-such-session' }, 500, /invalid session "no-such-session"/],
      ['{', 400, /^Request decode failed: /],
    ];
    for (const [body, status, text] of cases) {
      const r = await api(agent, 'POST', '/v1/query', body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.text, text);
    }
    const a = await api(agent, 'POST', '/v1/query', { Name: 'dup', Service: { Service: 'db' } });
    assert.equal(a.status, 200);
    const b = await api(agent, 'POST', '/v1/query', { Name: 'dup', Service: { Service: 'db' } });
    assert.equal(b.status, 500);
    assert.match(b.text, /name 'dup' aliases an existing query name/);
    const missing = await api(agent, 'GET', '/v1/query/nothing-here/execute');
    assert.equal(missing.status, 404);
    assert.equal(missing.text, 'Query not found');
    const upd = await api(agent, 'PUT', '/v1/query/00000000-0000-0000-0000-00000000dead', { Name: 'z', Service: { Service: 'db' } });
    assert.equal(upd.status, 500);
    assert.match(upd.text, /Cannot modify non-existent prepared query: '00000000-0000-0000-0000-00000000dead'/);
  });

  test('execute filters by health, tags (with !tag), node meta and limit', async () => {
    const mk = async (def: unknown): Promise<string> => (await api(agent, 'POST', '/v1/query', def)).json<{ ID: string }>().ID;
    const ids = (r: Exec): string[] => r.Nodes.map((n) => n.Service.ID).sort();
    const exec = async (idOrName: string, qs = ''): Promise<Exec> => {
      const r = await api(agent, 'GET', `/v1/query/${idOrName}/execute${qs}`);
      assert.equal(r.status, 200, r.text);
      return r.json<Exec>();
    };
    const all = await exec(await mk({ Name: 'e-all', Service: { Service: 'db' } }));
    assert.deepEqual(ids(all), ['db-1', 'db-2', 'db-3'], 'critical instances are left out');
    assert.equal(all.Datacenter, 'dc1');
    assert.equal(all.Failovers, 0);
    assert.deepEqual(ids(await exec('e-all', '?limit=1')).length, 1);
    assert.deepEqual(ids(await exec(await mk({ Name: 'e-pass', Service: { Service: 'db', OnlyPassing: true } }))), ['db-1', 'db-2']);
    assert.deepEqual(ids(await exec(await mk({ Name: 'e-ign', Service: { Service: 'db', IgnoreCheckIDs: ['chk-db-4'] } }))), ['db-1', 'db-2', 'db-3', 'db-4']);
    assert.deepEqual(ids(await exec(await mk({ Name: 'e-tags', Service: { Service: 'db', Tags: ['REPLICA', '!v2'] } }))), ['db-2']);
    assert.deepEqual(ids(await exec(await mk({ Name: 'e-meta', Service: { Service: 'db', NodeMeta: { rack: 'r2' } } }))), ['db-2', 'db-3']);
  });

  test('templates: the longest name prefix wins, ${match(N)} and ${name.suffix} render, explain shows the result', async () => {
    const t = await api(agent, 'POST', '/v1/query', {
      Name: 'geo-',
      Template: { Type: 'name_prefix_match', Regexp: '^geo-(.+?)-(.+)$' },
      Service: { Service: '${match(1)}-${match(2)}', Tags: ['${name.suffix}'] },
    });
    assert.equal(t.status, 200, t.text);
    const catchAll = await api(agent, 'POST', '/v1/query', { Name: '', Template: { Type: 'name_prefix_match' }, Service: { Service: '${name.full}' } });
    assert.equal(catchAll.status, 200, catchAll.text);
    const ex = await api(agent, 'GET', '/v1/query/geo-cache-eu/explain');
    assert.equal(ex.status, 200, ex.text);
    const q = ex.json<{ Query: { Name: string; Service: { Service: string; Tags: string[] } } }>().Query;
    assert.equal(q.Name, 'geo-');
    assert.equal(q.Service.Service, 'cache-eu');
    assert.deepEqual(q.Service.Tags, ['cache-eu']);
    const direct = await api(agent, 'GET', '/v1/query/db/execute');
    assert.equal(direct.status, 200, 'the empty-named template catches any name');
    assert.equal(direct.json<Exec>().Service, 'db');
  });

  test('DNS answers <query>.query and _<query>._tcp.query with the query\'s instances', async () => {
    const r = await api(agent, 'POST', '/v1/query', { Name: 'dns-db', Service: { Service: 'db', OnlyPassing: true }, DNS: { TTL: '7s' } });
    assert.equal(r.status, 200, r.text);
    const plain = await srvTargets(agent.ports.dns, 'dns-db.query.consul');
    assert.equal(plain.length, 2);
    assert.ok(plain.every((t) => /\.node\.dc1\.consul:800\d$/.test(t)), plain.join(','));
    assert.deepEqual(await srvTargets(agent.ports.dns, '_dns-db._tcp.query.consul'), plain);
    assert.deepEqual(await srvTargets(agent.ports.dns, 'no-such-svc-zz.query.consul'), [], 'the catch-all template names a service with no instances: NXDOMAIN');
  });

  test('a query bound to a session goes away with the session', async () => {
    const s = await api(agent, 'PUT', '/v1/session/create', {});
    const { ID: session } = s.json<{ ID: string }>();
    const created = await api(agent, 'POST', '/v1/query', { Session: session, Service: { Service: 'db' } });
    assert.equal(created.status, 200, created.text);
    const { ID } = created.json<{ ID: string }>();
    assert.equal((await api(agent, 'GET', `/v1/query/${ID}`)).status, 200);
    assert.equal((await api(agent, 'PUT', `/v1/session/destroy/${session}`)).status, 200);
    assert.equal((await api(agent, 'GET', `/v1/query/${ID}`)).status, 404);
  });
});
