// What the /v1/operator/raft and /v1/operator/autopilot handlers need of the server role, as
// Consul's API shapes them (api/operator_raft.go, api/operator_autopilot.go). The server
// (src/core/server) implements it; handlers depend only on this file. The shapes themselves are
// shared with the API client (structs/operator.ts).
import type { AutopilotConfiguration, RaftServer, ServerHealth } from '../structs/operator.js';

export type RaftServerView = RaftServer;

/** api.RaftConfiguration */
export interface RaftConfigurationView {
  Servers: RaftServerView[];
  Index: number;
}

export type ServerHealthView = ServerHealth;

/** api.OperatorHealthReply */
export interface AutopilotHealthView {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: ServerHealthView[];
}

export type AutopilotConfigView = AutopilotConfiguration;

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
