// What the /v1/operator/raft and /v1/operator/autopilot handlers need of the server role, as
// Consul's API shapes them (api/operator_raft.go, api/operator_autopilot.go). The server
// (src/core/server) implements it; handlers and CLI depend only on this file.

/** api.RaftServer */
export interface RaftServerView {
  ID: string;
  Node: string;
  Address: string;
  Leader: boolean;
  ProtocolVersion: string;
  Voter: boolean;
}

/** api.RaftConfiguration */
export interface RaftConfigurationView {
  Servers: RaftServerView[];
  Index: number;
}

/** api.ServerHealth; durations as Go's time.Duration strings ("0s", "12.5ms"). */
export interface ServerHealthView {
  ID: string;
  Name: string;
  Address: string;
  SerfStatus: string;
  Version: string;
  Leader: boolean;
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  Voter: boolean;
  /** RFC 3339 time. */
  StableSince: string;
}

/** api.OperatorHealthReply */
export interface AutopilotHealthView {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: ServerHealthView[];
}

/** api.AutopilotConfiguration (durations as strings in JSON, e.g. "200ms"). */
export interface AutopilotConfigView {
  CleanupDeadServers: boolean;
  LastContactThreshold: string;
  MaxTrailingLogs: number;
  MinQuorum: number;
  ServerStabilizationTime: string;
  RedundancyZoneTag: string;
  DisableUpgradeMigration: boolean;
  UpgradeVersionTag: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface OperatorFacade {
  /** The latest Raft configuration as this server knows it. */
  raftConfiguration(): RaftConfigurationView;
  /** Remove a server by ID or address (exactly one is set); errors carry Consul's texts. */
  removePeer(by: { id?: string; address?: string }): Promise<void>;
  /** Move leadership to `id`, or to the most up-to-date voter when absent. */
  transferLeader(id?: string): Promise<void>;
  autopilotHealth(): AutopilotHealthView;
  autopilotConfig(): AutopilotConfigView;
  /** Replace the config (fields absent keep their value); with `cas`, only if ModifyIndex matches. */
  setAutopilotConfig(c: Partial<AutopilotConfigView>, cas?: number): Promise<boolean>;
}
