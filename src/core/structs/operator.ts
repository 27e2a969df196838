// Operator API shapes shared by the server's handlers and the API client (Consul:
// api/operator_raft.go, api/operator_autopilot.go, api/operator_keyring.go). Durations travel
// as Go duration strings ("200ms"), times as RFC 3339.

/** api.KeyringResponse: one pool's answer (the LAN pool of a dc, or the WAN pool). */
export interface KeyringResponse {
  WAN: boolean;
  Datacenter: string;
  Segment: string;
  Partition?: string;
  Messages: Record<string, string> | null;
  Keys: Record<string, number>;
  PrimaryKeys: Record<string, number> | null;
  NumNodes: number;
}

/** api.RaftServer. LastIndex is absent from servers older than Consul 1.17 (read it as 0). */
export interface RaftServer {
  ID: string;
  Node: string;
  Address: string;
  Leader: boolean;
  ProtocolVersion: string;
  Voter: boolean;
  LastIndex?: number;
}

/** api.AutopilotConfiguration. */
export interface AutopilotConfiguration {
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

/** api.ServerHealth. */
export interface ServerHealth {
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
  StableSince: string;
}
