// `consul operator raft ...` and `consul operator autopilot ...` against an in-process stand-in
// for the operator endpoints: output formats, flag handling, errors and exit codes.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type RecordedRequest, runConsul } from './fake-agent.js';

interface FakeOperator {
  addr: string;
  requests: RecordedRequest[];
  raft: unknown;
  autopilot: Record<string, unknown>;
  casResult: boolean;
  transferSuccess: boolean;
  /** Forced answers by path (every time until deleted). */
  fail: Map<string, { status: number; body: string }>;
  close(): Promise<void>;
}

const server = (node: string, id: string, leader: boolean, lastIndex: number, extra: Record<string, unknown> = {}) => ({
  ID: id,
  Node: node,
  Address: `${id}:8300`,
  Leader: leader,
  ProtocolVersion: '3',
  Voter: true,
  LastIndex: lastIndex,
  ...extra,
});

const DEFAULT_AUTOPILOT = {
  CleanupDeadServers: true,
  LastContactThreshold: '200ms',
  MaxTrailingLogs: 250,
  MinQuorum: 0,
  ServerStabilizationTime: '10s',
  RedundancyZoneTag: '',
  DisableUpgradeMigration: false,
  UpgradeVersionTag: '',
  CreateIndex: 4,
  ModifyIndex: 7,
};

async function startFakeOperator(): Promise<FakeOperator> {
  const f: FakeOperator = {
    addr: '',
    requests: [],
    raft: { Servers: [], Index: 1 },
    autopilot: { ...DEFAULT_AUTOPILOT },
    casResult: true,
    transferSuccess: true,
    fail: new Map(),
    close: async () => {},
  };
  const srv = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const url = new URL(raw.url ?? '/', 'http://fake');
      const req: RecordedRequest = { method: raw.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: raw.headers, body: Buffer.concat(chunks) };
      f.requests.push(req);
      const json = (body: unknown) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(body));
      };
      const forced = f.fail.get(req.path);
      if (forced) {
        res.statusCode = forced.status;
        return void res.end(forced.body);
      }
      const route = `${req.method} ${req.path}`;
      if (route === 'GET /v1/operator/raft/configuration') return json(f.raft);
      if (route === 'DELETE /v1/operator/raft/peer') return void res.end();
      if (route === 'POST /v1/operator/raft/transfer-leader') return json({ Success: f.transferSuccess });
      if (route === 'GET /v1/operator/autopilot/configuration') return json(f.autopilot);
      if (route === 'PUT /v1/operator/autopilot/configuration') {
        if (f.casResult) f.autopilot = { ...(JSON.parse(req.body.toString('utf8')) as Record<string, unknown>), ModifyIndex: 8 };
        return json(f.casResult);
      }
      res.statusCode = 404;
      res.end();
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  f.addr = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
  f.close = () =>
    new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    });
  return f;
}

describe('consul operator', { timeout: 60_000 }, () => {
  let fake: FakeOperator;
  const run = (...args: string[]) => runConsul(args, { addr: fake.addr });
  before(async () => {
    fake = await startFakeOperator();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.fail.clear();
    fake.requests.length = 0;
    fake.autopilot = { ...DEFAULT_AUTOPILOT };
    fake.casResult = true;
    fake.transferSuccess = true;
  });

  it('raft list-peers prints Consul’s table with commit index and lag', async () => {
    fake.raft = {
      Servers: [
        server('alice', '127.0.0.1', false, 1167),
        server('bob', '127.0.0.2', true, 1167),
        server('carol', '127.0.0.3', false, 1166, { ProtocolVersion: '' }),
        server('dave', '127.0.0.4', false, 1159, { Voter: false }),
      ],
      Index: 9,
    };
    const r = await run('operator', 'raft', 'list-peers', '-stale');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        'Node   ID         Address         State     Voter  RaftProtocol  Commit Index  Trails Leader By',
        'alice  127.0.0.1  127.0.0.1:8300  follower  true   3             1167          0 commits',
        'bob    127.0.0.2  127.0.0.2:8300  leader    true   3             1167          -',
        'carol  127.0.0.3  127.0.0.3:8300  follower  true   <=1           1166          1 commit',
        'dave   127.0.0.4  127.0.0.4:8300  follower  false  3             1159          8 commits',
        '',
      ].join('\n'),
    );
    const q = fake.requests.at(-1)!;
    assert.equal(q.path, '/v1/operator/raft/configuration');
    assert.equal(q.query.get('stale'), '');
  });

  it('raft list-peers: no LastIndex reads as 0; a server ahead of the leader wraps like uint64', async () => {
    const { LastIndex: _drop, ...old } = server('old', 'o1', true, 0);
    fake.raft = { Servers: [old, server('new', 'n1', false, 3)], Index: 2 };
    const r = await run('operator', 'raft', 'list-peers');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        'Node  ID  Address  State     Voter  RaftProtocol  Commit Index  Trails Leader By',
        'old   o1  o1:8300  leader    true   3             0             -',
        'new   n1  n1:8300  follower  true   3             3             18446744073709551613 commits',
        '',
      ].join('\n'),
    );
  });

  it('raft list-peers reports errors with Consul’s prefix, exit 1', async () => {
    fake.fail.set('/v1/operator/raft/configuration', { status: 500, body: 'No cluster leader' });
    const r = await run('operator', 'raft', 'list-peers');
    assert.deepEqual([r.code, r.stdout], [1, '']);
    assert.equal(r.stderr, 'Error getting peers: Failed to retrieve raft configuration: Unexpected response code: 500 (No cluster leader)\n');
    const bad = await runConsul(['operator', 'raft', 'list-peers', '-http-addr=ftp://x'], {});
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error initializing client: /);
  });

  it('raft remove-peer by address or id, and its flag errors', async () => {
    const a = await run('operator', 'raft', 'remove-peer', '-address=10.0.0.9:8300');
    assert.deepEqual([a.code, a.stdout, a.stderr], [0, 'Removed peer with address "10.0.0.9:8300"\n', '']);
    assert.equal(fake.requests.at(-1)?.method, 'DELETE');
    assert.equal(fake.requests.at(-1)?.query.get('address'), '10.0.0.9:8300');
    const i = await run('operator', 'raft', 'remove-peer', '-id', 'abc-123');
    assert.deepEqual([i.code, i.stdout], [0, 'Removed peer with id "abc-123"\n']);
    assert.equal(fake.requests.at(-1)?.query.get('id'), 'abc-123');
    assert.equal(fake.requests.at(-1)?.query.has('address'), false);

    const none = await run('operator', 'raft', 'remove-peer');
    assert.deepEqual([none.code, none.stderr], [1, 'Error removing peer: an address or id is required for the peer to remove\n']);
    const both = await run('operator', 'raft', 'remove-peer', '-id=x', '-address=y');
    assert.deepEqual([both.code, both.stderr], [1, 'Error removing peer: cannot give both an address and id\n']);
    fake.fail.set('/v1/operator/raft/peer', { status: 500, body: 'id "zz" was not found in the Raft configuration' });
    const missing = await run('operator', 'raft', 'remove-peer', '-id=zz');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error removing peer: Unexpected response code: 500 (id "zz" was not found in the Raft configuration)\n');
  });

  it('raft transfer-leader prints Success, passes -id, fails with Consul’s texts', async () => {
    const r = await run('operator', 'raft', 'transfer-leader');
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Success\n', '']);
    assert.equal(fake.requests.at(-1)?.method, 'POST');
    assert.equal(fake.requests.at(-1)?.query.has('id'), false);
    await run('operator', 'raft', 'transfer-leader', '-id=srv-2');
    assert.equal(fake.requests.at(-1)?.query.get('id'), 'srv-2');
    fake.transferSuccess = false;
    const no = await run('operator', 'raft', 'transfer-leader');
    assert.deepEqual([no.code, no.stderr], [1, 'Error transfering leadership: Failed to transfer leadership\n']);
    fake.fail.set('/v1/operator/raft/transfer-leader', { status: 500, body: 'cannot find peer x' });
    const err = await run('operator', 'raft', 'transfer-leader', '-id=x');
    assert.equal(err.stderr, 'Error transfering leadership: Failed to transfer leadership Unexpected response code: 500 (cannot find peer x)\n');
  });

  it('autopilot get-config prints every setting the way Consul does', async () => {
    fake.autopilot = { ...DEFAULT_AUTOPILOT, ServerStabilizationTime: '90s', RedundancyZoneTag: 'zone' };
    const r = await run('operator', 'autopilot', 'get-config');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        'CleanupDeadServers = true',
        'LastContactThreshold = 200ms',
        'MaxTrailingLogs = 250',
        'MinQuorum = 0',
        'ServerStabilizationTime = 1m30s',
        'RedundancyZoneTag = "zone"',
        'DisableUpgradeMigration = false',
        'UpgradeVersionTag = ""',
        '',
      ].join('\n'),
    );
    fake.fail.set('/v1/operator/autopilot/configuration', { status: 403, body: 'Permission denied' });
    const e = await run('operator', 'autopilot', 'get-config');
    assert.deepEqual([e.code, e.stderr], [1, 'Error querying Autopilot configuration: Unexpected response code: 403 (Permission denied)\n']);
  });

  it('autopilot set-config overlays only the given flags and writes with cas', async () => {
    const r = await run(
      'operator',
      'autopilot',
      'set-config',
      '-cleanup-dead-servers=false',
      '-max-trailing-logs=0x10',
      '-last-contact-threshold=1500ms',
      '-upgrade-version-tag=build',
    );
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Configuration updated!\n', '']);
    const put = fake.requests.at(-1)!;
    assert.equal(put.method, 'PUT');
    assert.equal(put.query.get('cas'), '7');
    assert.deepEqual(JSON.parse(put.body.toString('utf8')), {
      ...DEFAULT_AUTOPILOT,
      CleanupDeadServers: false,
      MaxTrailingLogs: 16,
      LastContactThreshold: '1.5s',
      UpgradeVersionTag: 'build',
    });
    // A bare boolean flag means true; the rest keep what the server has.
    fake.autopilot = { ...DEFAULT_AUTOPILOT, CleanupDeadServers: false, MinQuorum: 3 };
    await run('operator', 'autopilot', 'set-config', '-cleanup-dead-servers');
    const body = JSON.parse(fake.requests.at(-1)!.body.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual([body.CleanupDeadServers, body.MinQuorum], [true, 3]);
  });

  it('autopilot set-config: lost cas race prints on stdout and exits 1; errors', async () => {
    fake.casResult = false;
    const lost = await run('operator', 'autopilot', 'set-config', '-min-quorum=3');
    assert.deepEqual([lost.code, lost.stdout, lost.stderr], [1, 'Configuration could not be atomically updated, please try again\n', '']);
    fake.fail.set('/v1/operator/autopilot/configuration', { status: 500, body: 'boom' });
    const down = await run('operator', 'autopilot', 'set-config', '-min-quorum=3');
    assert.deepEqual([down.code, down.stderr], [1, 'Error querying Autopilot configuration: Unexpected response code: 500 (boom)\n']);
  });

  it('autopilot set-config rejects bad values like Go’s flag package', async () => {
    const n = await run('operator', 'autopilot', 'set-config', '-max-trailing-logs=abc');
    assert.equal(n.code, 1);
    const msg = 'invalid value "abc" for flag -max-trailing-logs: strconv.ParseUint: parsing "abc": invalid syntax';
    assert.ok(n.stderr.startsWith(`${msg}\nUsage:\n`), n.stderr);
    assert.ok(n.stderr.endsWith(`\nFailed to parse args: ${msg}\n`), n.stderr);
    const d = await run('operator', 'autopilot', 'set-config', '-server-stabilization-time=soon');
    assert.match(d.stderr, /^invalid value "soon" for flag -server-stabilization-time: time: invalid duration "soon"\n/);
    assert.equal(fake.requests.length, 0);
  });
});
