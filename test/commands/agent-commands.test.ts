import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeAgent, runConsul, startFakeAgent } from './fake-agent.js';

const member = (name: string, role: string, status: number, extra: Record<string, string> = {}) => ({
  Name: name,
  Addr: '127.0.0.1',
  Port: 8301,
  Tags: { role, dc: 'dc1', vsn: '2', build: '1.21.5:abcdef', ...extra },
  Status: status,
  ProtocolMin: 1,
  ProtocolMax: 5,
  ProtocolCur: 2,
  DelegateMin: 2,
  DelegateMax: 5,
  DelegateCur: 4,
});

describe('agent commands', { timeout: 60_000 }, () => {
  let agent: FakeAgent;
  const run = (...args: string[]) => runConsul(args, { addr: agent.addr });
  before(async () => {
    agent = await startFakeAgent();
  });
  after(() => agent.close());

  it('members prints Consul’s columns, servers first', async () => {
    agent.members = [member('zeta', 'node', 1), member('alpha', 'consul', 1, { port: '8300' }), member('beta', 'node', 4)];
    const r = await run('members');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        'Node   Address         Status  Type    Build   Protocol  DC   Partition  Segment',
        'alpha  127.0.0.1:8301  alive   server  1.21.5  2         dc1  default    <all>',
        'beta   127.0.0.1:8301  failed  client  1.21.5  2         dc1  default    <default>',
        'zeta   127.0.0.1:8301  alive   client  1.21.5  2         dc1  default    <default>',
        '',
      ].join('\n'),
    );
  });

  it('members -detailed lists sorted tags; -status filters; no match exits 2', async () => {
    agent.members = [member('alpha', 'consul', 1)];
    const d = await run('members', '-detailed');
    assert.equal(
      d.stdout,
      'Node   Address         Status  Tags\nalpha  127.0.0.1:8301  alive   ap=default,build=1.21.5:abcdef,dc=dc1,role=consul,segment=<all>,vsn=2\n',
    );
    const none = await run('members', '-status=failed');
    assert.deepEqual([none.code, none.stdout], [2, '']);
    const wan = await run('members', '-wan');
    assert.equal(wan.code, 0);
    assert.equal(agent.requests.at(-1)?.query.get('wan'), '1');
  });

  it('join reports per-address failures and the count of successes', async () => {
    const none = await run('join');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^At least one address to join must be specified\.\n\nUsage: consul join \[options\] address \.\.\.\n/);
    const ok = await run('join', '-wan', '10.0.0.1', '10.0.0.2');
    assert.deepEqual([ok.code, ok.stdout], [0, 'Successfully joined cluster by contacting 2 nodes.\n']);
    assert.equal(agent.requests.at(-1)?.path, '/v1/agent/join/10.0.0.2');
    assert.equal(agent.requests.at(-1)?.query.get('wan'), '1');
    agent.override.set('/v1/agent/join/10.0.0.3', { status: 500, body: 'dial failed' });
    const bad = await run('join', '10.0.0.3');
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "Error joining address '10.0.0.3': Unexpected response code: 500 (dial failed)\nFailed to join any nodes.\n");
  });

  it('leave, reload and force-leave', async () => {
    assert.deepEqual(Object.values(await run('leave')).slice(0, 3), [0, 'Graceful leave complete\n', '']);
    const extra = await run('leave', 'x');
    assert.equal(extra.code, 1);
    assert.equal(extra.stderr, 'Error found unexpected args: [x]\n');
    assert.match(extra.stdout, /^Usage: consul leave \[options\]/);
    assert.equal((await run('reload')).stdout, 'Configuration reload triggered\n');
    const fl = await run('force-leave', '-prune', 'node9');
    assert.deepEqual([fl.code, fl.stdout], [0, '']);
    assert.equal(agent.requests.at(-1)?.path, '/v1/agent/force-leave/node9');
    assert.equal(agent.requests.at(-1)?.query.get('prune'), '1');
    const two = await run('force-leave', 'a', 'b');
    assert.equal(two.code, 1);
    assert.match(two.stderr, /^A single node name must be specified to force leave\.\n/);
    agent.override.set('/v1/agent/leave', { status: 500, body: 'boom' });
    assert.equal((await run('leave')).stderr, 'Error leaving: Unexpected response code: 500 (boom)\n');
  });

  it('info prints sorted sections and keys', async () => {
    agent.self = { Config: {}, Stats: { raft: { state: 'Leader', applied_index: '12' }, agent: { checks: '0' } } };
    const r = await run('info');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'agent:\n\tchecks = 0\nraft:\n\tapplied_index = 12\n\tstate = Leader\n');
  });
});
