// The driver's public types: what the server layer plugs in (FSM, logger, options) and what it
// reads back (per-peer replication progress).
import type { ConfState, NodeId } from './core/types.js';
import type { Transport } from './transport.js';

export interface RaftFsm<R> {
  apply(index: number, data: Uint8Array): R;
  snapshot(): Uint8Array;
  restore(data: Uint8Array, index: number): void;
}

export interface RaftLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface RaftDriverOptions<R> {
  readonly id: NodeId;
  /** `<data-dir>/raft`; undefined keeps everything in memory (dev mode without -data-dir). */
  readonly dir: string | undefined;
  readonly fsm: RaftFsm<R>;
  readonly transport: Transport;
  readonly logger: RaftLogger;
  /** A server's RPC address by ID, for log lines ("Node at 127.0.0.1:8300 [Follower]"). */
  readonly addressOf?: (id: NodeId) => string | undefined;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Take a snapshot once this many entries were applied since the last one. */
  readonly snapshotThreshold: number;
  /**
   * raft_snapshot_interval: when set, the threshold is checked on this interval (plus up to one
   * interval of jitter, as hashicorp/raft does) instead of after every batch.
   */
  readonly snapshotIntervalMs?: number;
  /** Entries kept in the log behind a snapshot, for followers that lag a little. */
  readonly trailingLogs: number;
  /**
   * Applied entries kept in memory behind the applied index when the log is on disk (a `dir`):
   * older ones are dropped from memory and read back from the log store when a follower needs
   * them (hashicorp/raft's log cache holds 512). Default 512; without a `dir` all stay in memory.
   */
  readonly logCacheEntries?: number;
  /** A proposal not applied within this time fails (the client sees an error, Consul: apply timeout). */
  readonly applyTimeoutMs: number;
}

/** The leader's view of one server (autopilot's input). */
export interface PeerProgress {
  /** Highest log index known to be replicated on that server. */
  readonly match: number;
  readonly next: number;
  readonly isLearner: boolean;
  /** Milliseconds since any message from that server arrived; undefined if never (since start). */
  readonly lastContactMs: number | undefined;
}

export type ConfigurationListener = (conf: ConfState) => void;
