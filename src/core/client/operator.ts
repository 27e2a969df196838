// Operator endpoints (/v1/operator/...): the gossip keyring (api/operator_keyring.go), the Raft
// peer set (api/operator_raft.go) and autopilot (api/operator_autopilot.go). Durations stay the
// strings the API sends ("200ms"); callers parse them with support/duration.ts.
import { StatusError } from './errors.js';
import { type HttpTransport, type Query, type QueryOptions, parseJson } from './http.js';
import type { AutopilotConfiguration, KeyringResponse, RaftServer, ServerHealth } from '../structs/operator.js';

export type { AutopilotConfiguration, KeyringResponse, RaftServer, ServerHealth };

/** api.RaftConfiguration. */
export interface RaftConfiguration {
  Servers: RaftServer[] | null;
  Index: number;
}

/** api.TransferLeaderResponse. */
export interface TransferLeaderResponse {
  Success: boolean;
}

/** api.OperatorHealthReply. */
export interface OperatorHealthReply {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: ServerHealth[] | null;
}

function readQuery(opts: QueryOptions | undefined): Query {
  return opts?.allowStale ? { stale: true } : {};
}

export class OperatorApi {
  constructor(private readonly http: HttpTransport) {}

  private query(relayFactor: number): Record<string, string | undefined> {
    return { 'relay-factor': relayFactor > 0 ? String(relayFactor) : undefined };
  }

  async keyringList(relayFactor = 0): Promise<KeyringResponse[]> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/operator/keyring', query: this.query(relayFactor) });
    return parseJson<KeyringResponse[] | null>(res) ?? [];
  }

  private async keyOp(method: 'POST' | 'PUT' | 'DELETE', key: string, relayFactor: number): Promise<void> {
    await this.http.sendOk({ method, path: '/v1/operator/keyring', query: this.query(relayFactor), body: JSON.stringify({ Key: key }) });
  }

  keyringInstall(key: string, relayFactor = 0): Promise<void> {
    return this.keyOp('POST', key, relayFactor);
  }

  keyringUse(key: string, relayFactor = 0): Promise<void> {
    return this.keyOp('PUT', key, relayFactor);
  }

  keyringRemove(key: string, relayFactor = 0): Promise<void> {
    return this.keyOp('DELETE', key, relayFactor);
  }

  /** GET /v1/operator/raft/configuration. */
  async raftGetConfiguration(opts?: QueryOptions): Promise<RaftConfiguration> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/operator/raft/configuration', query: readQuery(opts) });
    return parseJson<RaftConfiguration>(res);
  }

  /** POST /v1/operator/raft/transfer-leader; an empty id lets the servers pick the new leader. */
  async raftLeaderTransfer(id: string, opts?: QueryOptions): Promise<TransferLeaderResponse> {
    const query: Query = { ...readQuery(opts), id: id === '' ? undefined : id };
    const res = await this.http.sendOk({ method: 'POST', path: '/v1/operator/raft/transfer-leader', query });
    return parseJson<TransferLeaderResponse>(res);
  }

  /** DELETE /v1/operator/raft/peer?address=IP:port. */
  async raftRemovePeerByAddress(address: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: '/v1/operator/raft/peer', query: { address } });
  }

  /** DELETE /v1/operator/raft/peer?id=<server ID>. */
  async raftRemovePeerById(id: string): Promise<void> {
    await this.http.sendOk({ method: 'DELETE', path: '/v1/operator/raft/peer', query: { id } });
  }

  /** GET /v1/operator/autopilot/configuration. */
  async autopilotGetConfiguration(opts?: QueryOptions): Promise<AutopilotConfiguration> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/operator/autopilot/configuration', query: readQuery(opts) });
    return parseJson<AutopilotConfiguration>(res);
  }

  /** PUT /v1/operator/autopilot/configuration: an unconditional write. */
  async autopilotSetConfiguration(conf: AutopilotConfiguration): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/operator/autopilot/configuration', body: JSON.stringify(conf) });
  }

  /** PUT ...?cas=<conf.ModifyIndex>: true when the write won (Go looks for "true" in the body). */
  async autopilotCasConfiguration(conf: AutopilotConfiguration): Promise<boolean> {
    const res = await this.http.sendOk({
      method: 'PUT',
      path: '/v1/operator/autopilot/configuration',
      query: { cas: String(conf.ModifyIndex) },
      body: JSON.stringify(conf),
    });
    return res.body.toString('utf8').includes('true');
  }

  /** GET /v1/operator/autopilot/health; 429 (unhealthy) still carries the report. */
  async autopilotServerHealth(opts?: QueryOptions): Promise<OperatorHealthReply> {
    const res = await this.http.send({ method: 'GET', path: '/v1/operator/autopilot/health', query: readQuery(opts) });
    if (res.statusCode !== 200 && res.statusCode !== 429) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    return parseJson<OperatorHealthReply>(res);
  }
}
