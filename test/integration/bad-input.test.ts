// Bad input on the service-discovery endpoints: 400 with a reason, 404 for unknown IDs, and
// nothing changed; a broken config file fails the reload and keeps the running config.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TestAgent } from '../support/test-agent.js';
import { tmpDir } from '../support/tmp-dir.js';

const dir = tmpDir();
after(() => dir.remove());

async function call(agent: TestAgent, method: string, p: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(agent.url + p, { method, body });
  return { status: res.status, text: await res.text() };
}

describe('bad input', { timeout: 60_000 }, () => {
  test('register endpoints refuse malformed JSON and wrong types, and change nothing', async () => {
    const agent = await TestAgent.start({ args: ['-node=bad-input'] });
    try {
      const before = {
        nodes: (await call(agent, 'GET', '/v1/catalog/nodes')).text,
        services: (await call(agent, 'GET', '/v1/agent/services')).text,
        checks: (await call(agent, 'GET', '/v1/agent/checks')).text,
      };
      const cases: [string, string][] = [
        ['/v1/catalog/register', '{"Node":'],
        ['/v1/catalog/register', '{"Node":"x","Address":"1.2.3.4","Service":{"Service":"s","Port":"eighty"}}'],
        ['/v1/catalog/register', '{"Address":"1.2.3.4"}'],
        ['/v1/catalog/register', '[1,2]'],
        ['/v1/catalog/deregister', '{"Node":7}'],
        ['/v1/agent/service/register', '{"Name":'],
        ['/v1/agent/service/register', '{"Name":"s","Tags":"not-a-list"}'],
        ['/v1/agent/service/register', '{"Port":80}'],
        ['/v1/agent/check/register', '{"Name":'],
        ['/v1/agent/check/register', '{"Name":"c","TTL":"forever"}'],
        ['/v1/agent/check/register', '{"Name":["c"],"TTL":"10s"}'],
      ];
      for (const [p, body] of cases) {
        const r = await call(agent, 'PUT', p, body);
        assert.equal(r.status, 400, `${p} ${body} -> ${r.status} ${r.text}`);
        assert.ok(r.text.length > 0, `${p} ${body}: a reason is given`);
      }
      assert.equal((await call(agent, 'GET', '/v1/catalog/nodes')).text, before.nodes);
      assert.equal((await call(agent, 'GET', '/v1/agent/services')).text, before.services);
      assert.equal((await call(agent, 'GET', '/v1/agent/checks')).text, before.checks);

      assert.equal((await call(agent, 'PUT', '/v1/agent/check/deregister/nope')).status, 404);
      assert.equal((await call(agent, 'PUT', '/v1/agent/check/fail/nope')).status, 404);
      assert.equal((await call(agent, 'PUT', '/v1/agent/service/maintenance/nope?enable=true')).status, 404);
      assert.equal((await call(agent, 'GET', '/v1/health/state/bogus')).status, 400);
      const f = await call(agent, 'GET', '/v1/catalog/nodes?filter=' + encodeURIComponent('Node =='));
      assert.equal(f.status, 400);
      assert.match(f.text, /Failed to create boolean expression evaluator/);
      assert.equal((await call(agent, 'GET', '/v1/status/leader')).status, 200, 'still serving');
    } finally {
      await agent.stop();
    }
  });

  test('a broken file fails the reload, names the file, and keeps the running config', async () => {
    const conf = path.join(dir.path, 'conf');
    mkdirSync(conf);
    writeFileSync(path.join(conf, 'web.json'), JSON.stringify({ service: { name: 'web', port: 80 } }));
    const agent = await TestAgent.start({ args: ['-node=reload-node', `-config-dir=${conf}`] });
    try {
      writeFileSync(path.join(conf, 'web.json'), JSON.stringify({ service: { name: 'web2', port: 81 } }));
      writeFileSync(path.join(conf, 'broken.json'), '{ "service": ');
      const r = await call(agent, 'PUT', '/v1/agent/reload');
      assert.equal(r.status, 500);
      assert.match(r.text, /broken\.json/);
      const services = JSON.parse((await call(agent, 'GET', '/v1/agent/services')).text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(services), ['web'], 'the running config is kept');
      process.kill(agent.proc.pid as number, 'SIGHUP');
      await new Promise((res) => setTimeout(res, 500));
      assert.equal((await call(agent, 'GET', '/v1/status/leader')).status, 200, 'SIGHUP with a broken file keeps the agent up');
      assert.deepEqual(Object.keys(JSON.parse((await call(agent, 'GET', '/v1/agent/services')).text) as object), ['web']);
    } finally {
      await agent.stop();
    }
  });
});
