// The operator view of the server cluster (Consul: agent/consul/operator_raft_endpoint.go,
// operator_autopilot_endpoint.go, autopilot health): the Raft configuration with node names,
// peer removal and leadership transfer, and autopilot's health report and settings.
import { HttpError } from '../errors.js';
import type {
  AutopilotConfigView,
  AutopilotHealthView,
  OperatorFacade,
  RaftConfigurationView,
  ServerHealthView,
} from '../http/operator-facade.js';
import { formatGoDuration, parseGoDuration } from '../support/duration.js';
import type { AutopilotConfig, ServerInfo } from './cluster.js';

/** What the operator endpoints need of the server. */
export interface OperatorPort {
  readonly selfId: string;
  readonly selfName: string;
  voters(): readonly string[];
  learners(): readonly string[];
  leaderId(): string;
  isLeader(): boolean;
  term(): number;
  lastIndex(): number;
  /** Index of the entry that holds the latest configuration (0 when unknown). */
  configIndex(): number;
  addressOf(id: string): string | undefined;
  server(id: string): ServerInfo | undefined;
  /** Leader only: entries behind and ms since last contact, per peer. */
  peerHealth(id: string): { lagEntries: number; lastContactMs: number } | undefined;
  removeServer(id: string): Promise<void>;
  transferLeadership(to?: string): Promise<void>;
  readonly autopilot: AutopilotConfig;
  readonly build: string;
}

const RAFT_PROTOCOL = '3';

export class ServerOperator implements OperatorFacade {
  private autopilotIndex = 1;
  /** When each server was last seen change health (autopilot's StableSince). */
  private readonly stableSince = new Map<string, { healthy: boolean; since: number }>();

  constructor(private readonly p: OperatorPort) {}

  raftConfiguration(): RaftConfigurationView {
    const p = this.p;
    const leader = p.leaderId();
    const row = (id: string, voter: boolean) => ({
      ID: id,
      Node: id === p.selfId ? p.selfName : (p.server(id)?.name ?? '(unknown)'),
      Address: p.addressOf(id) ?? '',
      Leader: id === leader,
      ProtocolVersion: RAFT_PROTOCOL,
      Voter: voter,
      LastIndex: this.lastIndexOf(id),
    });
    return {
      Servers: [...p.voters().map((id) => row(id, true)), ...p.learners().map((id) => row(id, false))],
      Index: p.configIndex(),
    };
  }

  /** The last log index a server is known to hold (the leader knows its followers' match). */
  private lastIndexOf(id: string): number {
    const p = this.p;
    if (id === p.selfId) return p.lastIndex();
    const h = p.peerHealth(id);
    return h === undefined ? 0 : Math.max(0, p.lastIndex() - h.lagEntries);
  }

  async removePeer(by: { id?: string; address?: string }): Promise<void> {
    const p = this.p;
    const all = [...p.voters(), ...p.learners()];
    let id: string | undefined;
    if (by.id !== undefined) {
      id = all.find((x) => x === by.id);
      if (!id) throw new HttpError(500, `id "${by.id}" was not found in the Raft configuration`);
    } else {
      id = all.find((x) => p.addressOf(x) === by.address);
      if (!id) throw new HttpError(500, `address "${by.address ?? ''}" was not found in the Raft configuration`);
    }
    if (id === p.selfId && p.isLeader() && all.length > 1) {
      // Removing the leader itself: hand leadership over first, as a graceful leave does.
      await p.transferLeadership();
    }
    await p.removeServer(id);
  }

  async transferLeader(id?: string): Promise<void> {
    const p = this.p;
    if (id !== undefined && id !== '' && !p.voters().includes(id)) throw new HttpError(500, `cannot find peer ${id}`);
    if (id === p.selfId) throw new HttpError(500, 'cannot transfer leadership to itself');
    await p.transferLeadership(id || undefined);
  }

  autopilotHealth(): AutopilotHealthView {
    const p = this.p;
    const now = Date.now();
    const leader = p.leaderId();
    const voters = new Set(p.voters());
    const ids = [...p.voters(), ...p.learners()];
    const a = p.autopilot;
    const servers: ServerHealthView[] = ids.map((id) => {
      const info = p.server(id);
      const self = id === p.selfId;
      const health = self ? { lagEntries: 0, lastContactMs: 0 } : p.peerHealth(id);
      const serfStatus = self ? 'alive' : (info?.status ?? 'none');
      const healthy =
        serfStatus === 'alive' &&
        health !== undefined &&
        health.lastContactMs <= a.lastContactThresholdMs * (self || id === leader ? Infinity : 1) &&
        health.lagEntries <= a.maxTrailingLogs;
      const prev = this.stableSince.get(id);
      if (!prev || prev.healthy !== healthy) this.stableSince.set(id, { healthy, since: now });
      const since = this.stableSince.get(id)?.since ?? now;
      return {
        ID: id,
        Name: self ? p.selfName : (info?.name ?? ''),
        Address: p.addressOf(id) ?? '',
        SerfStatus: serfStatus,
        Version: versionOf(self ? p.build : (info?.build ?? '')),
        Leader: id === leader,
        LastContact: formatGoDuration(health?.lastContactMs ?? 0),
        LastTerm: p.term(),
        LastIndex: this.lastIndexOf(id),
        Healthy: healthy,
        Voter: voters.has(id),
        StableSince: new Date(since).toISOString(),
      };
    });
    const healthyVoters = servers.filter((s) => s.Voter && s.Healthy).length;
    const quorum = Math.floor(voters.size / 2) + 1;
    return {
      Healthy: servers.every((s) => s.Healthy),
      FailureTolerance: Math.max(0, healthyVoters - quorum),
      Servers: servers,
    };
  }

  autopilotConfig(): AutopilotConfigView {
    const a = this.p.autopilot;
    return {
      CleanupDeadServers: a.cleanupDeadServers,
      LastContactThreshold: formatGoDuration(a.lastContactThresholdMs),
      MaxTrailingLogs: a.maxTrailingLogs,
      MinQuorum: 0,
      ServerStabilizationTime: formatGoDuration(a.serverStabilizationTimeMs),
      RedundancyZoneTag: '',
      DisableUpgradeMigration: false,
      UpgradeVersionTag: '',
      CreateIndex: 1,
      ModifyIndex: this.autopilotIndex,
    };
  }

  async setAutopilotConfig(c: Partial<AutopilotConfigView>, cas?: number): Promise<boolean> {
    if (cas !== undefined && cas !== this.autopilotIndex) return false;
    const a = this.p.autopilot;
    if (c.CleanupDeadServers !== undefined) a.cleanupDeadServers = c.CleanupDeadServers;
    if (c.MaxTrailingLogs !== undefined) a.maxTrailingLogs = c.MaxTrailingLogs;
    if (c.LastContactThreshold !== undefined) a.lastContactThresholdMs = duration(c.LastContactThreshold, 'LastContactThreshold');
    if (c.ServerStabilizationTime !== undefined) a.serverStabilizationTimeMs = duration(c.ServerStabilizationTime, 'ServerStabilizationTime');
    this.autopilotIndex++;
    return true;
  }
}

function duration(v: string | number, what: string): number {
  if (typeof v === 'number') return v / 1e6;
  try {
    return parseGoDuration(v);
  } catch {
    throw new HttpError(400, `Error parsing autopilot config: ${what}: invalid duration "${v}"`);
  }
}

function versionOf(build: string): string {
  return /\d+\.\d+\.\d+/.exec(build)?.[0] ?? '';
}
