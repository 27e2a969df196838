// The /v1/operator/raft and /v1/operator/autopilot handlers over a fake OperatorFacade.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../../../src/core/errors.js';
import { RequestContext } from '../../../src/core/http/context.js';
import type { ApiDeps } from '../../../src/core/http/deps.js';
import {
  operatorAutopilotConfigurationGet,
  operatorAutopilotConfigurationPut,
  operatorAutopilotHealth,
} from '../../../src/core/http/handlers/operator-autopilot.js';
import { operatorRaftConfiguration, operatorRaftPeer, operatorRaftTransferLeader } from '../../../src/core/http/handlers/operator-raft.js';
import type { AutopilotConfigView, AutopilotHealthView, OperatorFacade, RaftConfigurationView } from '../../../src/core/http/operator-facade.js';
import { matchRoute } from '../../../src/core/http/routes.js';

class FakeFacade implements OperatorFacade {
  calls: string[] = [];
  config: RaftConfigurationView = {
    Servers: [
      { ID: 'id-a', Node: 'a', Address: '10.0.0.1:8300', Leader: true, ProtocolVersion: '3', Voter: true, LastIndex: 40 },
      { ID: 'id-b', Node: 'b', Address: '10.0.0.2:8300', Leader: false, ProtocolVersion: '3', Voter: true, LastIndex: 38 },
      { ID: 'id-c', Node: '(unknown)', Address: '10.0.0.3:8300', Leader: false, ProtocolVersion: 'unknown', Voter: false },
    ],
    Index: 12,
  };
  health: AutopilotHealthView = {
    Healthy: true,
    FailureTolerance: 0,
    Servers: [
      {
        ID: 'id-a',
        Name: 'a',
        Address: '10.0.0.1:8300',
        SerfStatus: 'alive',
        Version: '1.21.5',
        Leader: true,
        LastContact: '0s',
        LastTerm: 2,
        LastIndex: 40,
        Healthy: true,
        Voter: true,
        StableSince: '2024-05-01T10:00:00.600Z',
      },
      {
        ID: 'id-b',
        Name: 'b',
        Address: '10.0.0.2:8300',
        SerfStatus: 'alive',
        Version: '1.21.5',
        Leader: false,
        LastContact: '12.5ms',
        LastTerm: 2,
        LastIndex: 38,
        Healthy: true,
        Voter: true,
        StableSince: '2024-05-01T10:00:00.400Z',
      },
    ],
  };
  autopilot: AutopilotConfigView = {
    CleanupDeadServers: true,
    LastContactThreshold: '200ms',
    MaxTrailingLogs: 250,
    MinQuorum: 0,
    ServerStabilizationTime: '10s',
    RedundancyZoneTag: '',
    DisableUpgradeMigration: false,
    UpgradeVersionTag: '',
    CreateIndex: 1,
    ModifyIndex: 5,
  };
  lastSet: { c: Partial<AutopilotConfigView>; cas: number | undefined } | undefined;

  raftConfiguration(): RaftConfigurationView {
    return this.config;
  }
  async removePeer(by: { id?: string; address?: string }): Promise<void> {
    this.calls.push(`remove ${JSON.stringify(by)}`);
  }
  async transferLeader(id?: string): Promise<void> {
    this.calls.push(`transfer ${id ?? '<auto>'}`);
  }
  autopilotHealth(): AutopilotHealthView {
    return this.health;
  }
  autopilotConfig(): AutopilotConfigView {
    return this.autopilot;
  }
  async setAutopilotConfig(c: Partial<AutopilotConfigView>, cas?: number): Promise<boolean> {
    this.lastSet = { c, cas };
    return cas === undefined || cas === this.autopilot.ModifyIndex;
  }
}

function depsWith(op: OperatorFacade): ApiDeps {
  // Handlers only reach the server role's operator facade.
  return { requireServer: () => ({ operator: op }) } as unknown as ApiDeps;
}

const ctx = (method: string, url: string, body = '') => new RequestContext({ headers: {} }, method, url, Buffer.from(body));

async function rejectsWith(p: Promise<unknown>, status: number, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof HttpError && e.status === status && e.message === message);
}

describe('operator raft handlers', () => {
  it('routes every endpoint to its methods', () => {
    assert.deepEqual(Object.keys(matchRoute('/v1/operator/raft/configuration')!.route.methods), ['GET']);
    assert.deepEqual(Object.keys(matchRoute('/v1/operator/raft/peer')!.route.methods), ['DELETE']);
    assert.deepEqual(Object.keys(matchRoute('/v1/operator/raft/transfer-leader')!.route.methods), ['POST']);
    assert.deepEqual(Object.keys(matchRoute('/v1/operator/autopilot/configuration')!.route.methods), ['GET', 'PUT']);
    assert.deepEqual(Object.keys(matchRoute('/v1/operator/autopilot/health')!.route.methods), ['GET']);
  });

  it('configuration answers each server’s LastIndex, last (0 when unknown)', () => {
    const op = new FakeFacade();
    const reply = operatorRaftConfiguration(ctx('GET', '/v1/operator/raft/configuration'), depsWith(op));
    assert.equal(reply.status, 200);
    assert.equal(
      JSON.stringify(reply.body),
      JSON.stringify({
        Servers: [
          { ID: 'id-a', Node: 'a', Address: '10.0.0.1:8300', Leader: true, ProtocolVersion: '3', Voter: true, LastIndex: 40 },
          { ID: 'id-b', Node: 'b', Address: '10.0.0.2:8300', Leader: false, ProtocolVersion: '3', Voter: true, LastIndex: 38 },
          { ID: 'id-c', Node: '(unknown)', Address: '10.0.0.3:8300', Leader: false, ProtocolVersion: 'unknown', Voter: false, LastIndex: 0 },
        ],
        Index: 12,
      }),
    );
  });

  it('configuration answers 0 for servers whose LastIndex is unknown, and does not need autopilot health', () => {
    const op = new FakeFacade();
    op.config = { ...op.config, Servers: op.config.Servers.map(({ LastIndex: _l, ...rest }) => rest) };
    op.autopilotHealth = () => {
      throw new Error('no leader');
    };
    const reply = operatorRaftConfiguration(ctx('GET', '/v1/operator/raft/configuration'), depsWith(op));
    const servers = (reply.body as { Servers: Array<{ LastIndex: number }> }).Servers;
    assert.deepEqual(
      servers.map((s) => s.LastIndex),
      [0, 0, 0],
    );
  });

  it('peer removal needs exactly one of ?id and ?address', async () => {
    const op = new FakeFacade();
    const d = depsWith(op);
    await rejectsWith(
      operatorRaftPeer(ctx('DELETE', '/v1/operator/raft/peer'), d),
      400,
      "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove",
    );
    await rejectsWith(operatorRaftPeer(ctx('DELETE', '/v1/operator/raft/peer?id=a&address=b'), d), 400, 'Must specify only one of ?id or ?address');
    assert.deepEqual(await operatorRaftPeer(ctx('DELETE', '/v1/operator/raft/peer?address=10.0.0.3:8300'), d), { status: 200, raw: '' });
    await operatorRaftPeer(ctx('DELETE', '/v1/operator/raft/peer?id=id-c'), d);
    assert.deepEqual(op.calls, ['remove {"address":"10.0.0.3:8300"}', 'remove {"id":"id-c"}']);
  });

  it('transfer-leader answers {"Success":true}; an empty id means any voter', async () => {
    const op = new FakeFacade();
    const d = depsWith(op);
    assert.deepEqual(await operatorRaftTransferLeader(ctx('POST', '/v1/operator/raft/transfer-leader?id=id-b'), d), { status: 200, body: { Success: true } });
    await operatorRaftTransferLeader(ctx('POST', '/v1/operator/raft/transfer-leader?id='), d);
    await operatorRaftTransferLeader(ctx('POST', '/v1/operator/raft/transfer-leader'), d);
    assert.deepEqual(op.calls, ['transfer id-b', 'transfer <auto>', 'transfer <auto>']);
  });
});

describe('operator autopilot handlers', () => {
  it('health rounds StableSince to seconds and answers 429 when unhealthy', () => {
    const op = new FakeFacade();
    const ok = operatorAutopilotHealth(ctx('GET', '/v1/operator/autopilot/health'), depsWith(op));
    assert.equal(ok.status, 200);
    const servers = (ok.body as { Servers: Array<{ StableSince: string }> }).Servers;
    assert.deepEqual(
      servers.map((s) => s.StableSince),
      ['2024-05-01T10:00:01Z', '2024-05-01T10:00:00Z'],
    );
    op.health = { Healthy: false, FailureTolerance: 0, Servers: [] };
    const sick = operatorAutopilotHealth(ctx('GET', '/v1/operator/autopilot/health'), depsWith(op));
    assert.deepEqual(sick, { status: 429, body: { Healthy: false, FailureTolerance: 0, Servers: null } });
  });

  it('GET configuration returns Consul’s fields in order', () => {
    const op = new FakeFacade();
    const reply = operatorAutopilotConfigurationGet(ctx('GET', '/v1/operator/autopilot/configuration'), depsWith(op));
    assert.equal(
      JSON.stringify(reply.body),
      '{"CleanupDeadServers":true,"LastContactThreshold":"200ms","MaxTrailingLogs":250,"MinQuorum":0,"ServerStabilizationTime":"10s","RedundancyZoneTag":"","DisableUpgradeMigration":false,"UpgradeVersionTag":"","CreateIndex":1,"ModifyIndex":5}',
    );
  });

  it('PUT decodes over the defaults; plain writes answer true, cas answers the outcome', async () => {
    const op = new FakeFacade();
    const d = depsWith(op);
    const plain = await operatorAutopilotConfigurationPut(ctx('PUT', '/v1/operator/autopilot/configuration', '{"maxtrailinglogs": 10, "LastContactThreshold": 5000000000}'), d);
    assert.deepEqual(plain, { status: 200, body: true });
    assert.deepEqual(op.lastSet, {
      c: {
        CleanupDeadServers: true,
        LastContactThreshold: '5s',
        MaxTrailingLogs: 10,
        MinQuorum: 0,
        ServerStabilizationTime: '10s',
        RedundancyZoneTag: '',
        DisableUpgradeMigration: false,
        UpgradeVersionTag: '',
      },
      cas: undefined,
    });
    const lost = await operatorAutopilotConfigurationPut(ctx('PUT', '/v1/operator/autopilot/configuration?cas=4', '{"CleanupDeadServers": false}'), d);
    assert.deepEqual(lost, { status: 200, body: false });
    assert.equal(op.lastSet?.cas, 4);
    const won = await operatorAutopilotConfigurationPut(ctx('PUT', '/v1/operator/autopilot/configuration?cas=5', 'null'), d);
    assert.deepEqual(won, { status: 200, body: true });
  });

  it('PUT errors carry Consul’s texts', async () => {
    const d = depsWith(new FakeFacade());
    const put = (url: string, body: string) => operatorAutopilotConfigurationPut(ctx('PUT', url, body), d);
    await rejectsWith(put('/v1/operator/autopilot/configuration', ''), 400, 'Error parsing autopilot config: EOF');
    await rejectsWith(
      put('/v1/operator/autopilot/configuration', '{"ServerStabilizationTime":"later"}'),
      400,
      'Error parsing autopilot config: time: invalid duration "later"',
    );
    await rejectsWith(
      put('/v1/operator/autopilot/configuration', '{"MaxTrailingLogs":"many"}'),
      400,
      'Error parsing autopilot config: json: cannot unmarshal string into Go struct field AutopilotConfiguration.MaxTrailingLogs of type uint64',
    );
    await rejectsWith(
      put('/v1/operator/autopilot/configuration', '[]'),
      400,
      'Error parsing autopilot config: json: cannot unmarshal array into Go value of type api.AutopilotConfiguration',
    );
    await rejectsWith(
      put('/v1/operator/autopilot/configuration?cas=x', '{}'),
      400,
      'Error parsing cas value: strconv.ParseUint: parsing "x": invalid syntax',
    );
  });
});
