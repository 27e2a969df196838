import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runConsul } from './fake-agent.js';
import { type DiscoveryAgent, startDiscoveryAgent } from './fake-discovery-agent.js';

describe('consul services register/deregister', { timeout: 60_000 }, () => {
  let agent: DiscoveryAgent;
  let dir: string;
  const run = (...args: string[]) => runConsul(args, { addr: agent.addr });
  before(async () => {
    agent = await startDiscoveryAgent();
    dir = mkdtempSync(join(tmpdir(), 'consul-services-'));
  });
  after(() => agent.close());
  beforeEach(() => {
    agent.fail.clear();
    agent.agentServices.clear();
  });

  it('registers from flags with Go’s field names and omits empty fields', async () => {
    const r = await run('services', 'register', '-name=web', '-port=8080', '-tag=a', '-tag', 'b', '-meta=env=prod', '-address=10.0.0.1', '-tagged-address=lan=10.0.0.1:80');
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Registered service: web\n', '']);
    const req = agent.last()!;
    assert.equal(req.method, 'PUT');
    assert.equal(req.path, '/v1/agent/service/register');
    assert.deepEqual(JSON.parse(req.body.toString()), {
      Name: 'web',
      Tags: ['a', 'b'],
      Port: 8080,
      Address: '10.0.0.1',
      TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 80 } },
      Meta: { env: 'prod' },
    });
    const minimal = await run('services', 'register', '-name=db', '-id=db-1');
    assert.equal(minimal.code, 0);
    assert.deepEqual(JSON.parse(agent.last()!.body.toString()), { ID: 'db-1', Name: 'db' });
  });

  it('registers every service of JSON and HCL config files, in file order', async () => {
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({
        services: [{ name: 'api', id: 'api-1', port: 9000, meta: { some_key: 'v' }, check: { http: 'http://localhost:9000/health', interval: '10s', tls_skip_verify: true } }],
        service: { name: 'web', port: 80, tagged_addresses: { wan: { address: '1.2.3.4', port: 443 } }, enable_tag_override: true },
      }),
    );
    writeFileSync(
      join(dir, 'b.hcl'),
      `# a comment
service {
  name = "cache"
  tags = ["primary"]
  checks = [
    { id = "ttl", ttl = "30s" },
    { args = ["/bin/true"], interval = "5s", deregister_critical_service_after = "90m" },
  ]
}
`,
    );
    const r = await run('services', 'register', join(dir, 'a.json'), join(dir, 'b.hcl'));
    assert.deepEqual([r.code, r.stderr], [0, '']);
    assert.equal(r.stdout, 'Registered service: api\nRegistered service: web\nRegistered service: cache\n');
    const bodies = agent.requests.slice(-3).map((q) => JSON.parse(q.body.toString()) as Record<string, unknown>);
    assert.deepEqual(bodies[0], {
      Name: 'api',
      ID: 'api-1',
      Port: 9000,
      Meta: { some_key: 'v' },
      Check: { HTTP: 'http://localhost:9000/health', Interval: '10s', TLSSkipVerify: true },
    });
    assert.deepEqual(bodies[1], { Name: 'web', Port: 80, TaggedAddresses: { wan: { Address: '1.2.3.4', Port: 443 } }, EnableTagOverride: true });
    assert.deepEqual(bodies[2], {
      Name: 'cache',
      Tags: ['primary'],
      Checks: [
        { ID: 'ttl', TTL: '30s' },
        { Args: ['/bin/true'], Interval: '5s', DeregisterCriticalServiceAfter: '90m' },
      ],
    });
  });

  it('argument errors', async () => {
    const none = await run('services', 'register');
    assert.deepEqual([none.code, none.stderr], [1, 'Service registration requires at least one argument or flags.\n']);
    const both = await run('services', 'register', '-name=web', 'x.json');
    assert.deepEqual([both.code, both.stderr], [1, 'Service registration requires arguments or -id, not both.\n']);
    const addr = await run('services', 'register', '-name=web', '-tagged-address=lan=10.0.0.1');
    assert.deepEqual([addr.code, addr.stderr], [1, 'Invalid Tagged Address: address 10.0.0.1: missing port in address\n']);
    const meta = await run('services', 'register', '-name=web', '-meta=novalue');
    assert.equal(meta.code, 1);
    assert.match(meta.stderr, /^invalid value "novalue" for flag -meta: Missing "=" value in argument: novalue\nUsage:\n/);
    writeFileSync(join(dir, 'bad.json'), '{"service": {"name": "x"}, "nonsense": 1}');
    const bad = await run('services', 'register', join(dir, 'bad.json'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: failed to parse .*bad\.json: 1 error occurred:\n\t\* invalid config key nonsense\n$/);
    const missing = await run('services', 'register', join(dir, 'missing.json'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error: /);
    assert.equal(agent.agentServices.size, 0);
  });

  it('reports the agent’s refusal', async () => {
    agent.fail.set('/v1/agent/service/register', { status: 400, body: 'Invalid check: TTL must be > 0' });
    const r = await run('services', 'register', '-name=web');
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Error registering service "web": Unexpected response code: 400 (Invalid check: TTL must be > 0)\n']);
  });

  it('deregisters by -id or by the IDs (else names) in files', async () => {
    agent.agentServices.set('web', { Name: 'web' });
    const r = await run('services', 'deregister', '-id=web');
    assert.deepEqual([r.code, r.stdout], [0, 'Deregistered service: web\n']);
    assert.equal(agent.last()!.path, '/v1/agent/service/deregister/web');
    agent.agentServices.set('api-1', { Name: 'api' });
    agent.agentServices.set('web', { Name: 'web' });
    agent.agentServices.set('cache', { Name: 'cache' });
    const files = await run('services', 'deregister', join(dir, 'a.json'), join(dir, 'b.hcl'));
    assert.deepEqual([files.code, files.stdout], [0, 'Deregistered service: api-1\nDeregistered service: web\nDeregistered service: cache\n']);
    assert.equal(agent.agentServices.size, 0);
  });

  it('deregister errors', async () => {
    const none = await run('services', 'deregister');
    assert.deepEqual([none.code, none.stderr], [1, 'Service deregistration requires at least one argument or -id.\n']);
    const both = await run('services', 'deregister', '-id=x', 'f.json');
    assert.deepEqual([both.code, both.stderr], [1, 'Service deregistration requires arguments or -id, not both.\n']);
    const unknown = await run('services', 'deregister', '-id=nosuch');
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      'Error deregistering service "": Unexpected response code: 404 (Unknown service ID "nosuch". Ensure that the service ID is passed, not the service name.)\n',
    );
  });
});

describe('consul maint', { timeout: 60_000 }, () => {
  let agent: DiscoveryAgent;
  const run = (...args: string[]) => runConsul(args, { addr: agent.addr });
  before(async () => {
    agent = await startDiscoveryAgent();
  });
  after(() => agent.close());
  beforeEach(() => {
    agent.fail.clear();
    agent.checks.clear();
    agent.agentServices.clear();
    agent.agentServices.set('web', { Name: 'web' });
  });

  it('node maintenance: enable with a reason, list, disable, list nothing', async () => {
    const on = await run('maint', '-enable', '-reason', 'test');
    assert.deepEqual([on.code, on.stdout, on.stderr], [0, 'Node maintenance is now enabled\n', '']);
    const req = agent.last()!;
    assert.deepEqual([req.method, req.path, req.query.get('enable'), req.query.get('reason')], ['PUT', '/v1/agent/maintenance', 'true', 'test']);
    const list = await run('maint');
    assert.deepEqual([list.code, list.stdout], [0, 'Node:\n  Name:   node1\n  Reason: test\n\n']);
    const off = await run('maint', '-disable');
    assert.deepEqual([off.code, off.stdout], [0, 'Node maintenance is now disabled\n']);
    assert.equal(agent.last()!.query.get('enable'), 'false');
    const empty = await run('maint');
    assert.deepEqual([empty.code, empty.stdout, empty.stderr], [0, '', '']);
  });

  it('service maintenance: quoted IDs, listing with the node first', async () => {
    const on = await run('maint', '-enable', '-service', 'web', '-reason=deploying');
    assert.deepEqual([on.code, on.stdout], [0, 'Service maintenance is now enabled for "web"\n']);
    assert.equal(agent.last()!.path, '/v1/agent/service/maintenance/web');
    await run('maint', '-enable');
    const list = await run('maint');
    assert.equal(
      list.stdout,
      'Node:\n  Name:   node1\n  Reason: Maintenance mode is enabled for this node, but no reason was provided. This is a default message.\n\n' +
        'Service:\n  ID:     web\n  Reason: deploying\n\n',
    );
    const off = await run('maint', '-disable', '-service=web');
    assert.deepEqual([off.code, off.stdout], [0, 'Service maintenance is now disabled for "web"\n']);
  });

  it('flag conflicts, exit 1 before any request', async () => {
    const before = agent.requests.length;
    const both = await run('maint', '-enable', '-disable');
    assert.deepEqual([both.code, both.stderr], [1, 'Only one of -enable or -disable may be provided\n']);
    const reason = await run('maint', '-disable', '-reason=x');
    assert.deepEqual([reason.code, reason.stderr], [1, 'Reason may only be provided with -enable\n']);
    const svc = await run('maint', '-service=web');
    assert.deepEqual([svc.code, svc.stderr], [1, 'Service requires either -enable or -disable\n']);
    assert.equal(agent.requests.length, before);
  });

  it('agent errors', async () => {
    const unknown = await run('maint', '-enable', '-service', 'nosuch');
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      'Error enabling service maintenance: Unexpected response code: 404 (Unknown service ID "nosuch". Ensure that the service ID is passed, not the service name.)\n',
    );
    const offUnknown = await run('maint', '-disable', '-service', 'nosuch');
    assert.match(offUnknown.stderr, /^Error disabling service maintenance: Unexpected response code: 404 /);
    agent.fail.set('/v1/agent/maintenance', { status: 403, body: 'Permission denied' });
    const denied = await run('maint', '-enable');
    assert.deepEqual([denied.code, denied.stderr], [1, 'Error enabling node maintenance: Unexpected response code: 403 (Permission denied)\n']);
    const deniedOff = await run('maint', '-disable');
    assert.deepEqual([deniedOff.code, deniedOff.stderr], [1, 'Error disabling node maintenance: Unexpected response code: 403 (Permission denied)\n']);
    agent.fail.set('/v1/agent/checks', { status: 500, body: 'x' });
    const checks = await run('maint');
    assert.deepEqual([checks.code, checks.stderr], [1, 'Error getting checks: Unexpected response code: 500 (x)\n']);
    agent.fail.set('/v1/agent/self', { status: 500, body: 'y' });
    const self = await run('maint');
    assert.deepEqual([self.code, self.stderr], [1, 'Error querying Consul agent: Unexpected response code: 500 (y)\n']);
    const down = await runConsul(['maint'], { addr: '127.0.0.1:1' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^Error querying Consul agent: Get "http:\/\/127\.0\.0\.1:1\/v1\/agent\/self": dial tcp/);
  });
});

describe('consul reload', { timeout: 30_000 }, () => {
  it('prints Consul’s texts and exit codes', async () => {
    const agent = await startDiscoveryAgent();
    try {
      agent.fail.set('/v1/agent/reload', { status: 200, body: '' });
      const ok = await runConsul(['reload'], { addr: agent.addr });
      assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'Configuration reload triggered\n', '']);
      agent.fail.set('/v1/agent/reload', { status: 500, body: 'failed to parse /etc/consul.d/broken.json: unexpected end of JSON input' });
      const bad = await runConsul(['reload'], { addr: agent.addr });
      assert.deepEqual(
        [bad.code, bad.stdout, bad.stderr],
        [1, '', 'Error reloading: Unexpected response code: 500 (failed to parse /etc/consul.d/broken.json: unexpected end of JSON input)\n'],
      );
      const extra = await runConsul(['reload', '-bogus'], { addr: agent.addr });
      assert.equal(extra.code, 1);
      assert.match(extra.stderr, /^flag provided but not defined: -bogus\n/);
    } finally {
      await agent.close();
    }
  });
});
