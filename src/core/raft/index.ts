// Raft: the pure core (core/), its driver (driver.ts), durable storage (storage/), the transport
// seam (transport.ts) and the RPC transport (rpc-transport.ts). See README.md for the contracts.
export { RaftDriver } from './driver.js';
export type { ConfigurationListener, PeerProgress, RaftDriverOptions, RaftFsm, RaftLogger } from './driver.js';
export { LoopbackTransport } from './transport.js';
export type { Transport, TransportReporter } from './transport.js';
export { RpcRaftTransport, RAFT_MESSAGE_METHOD, type RpcRaftTransportOptions } from './rpc-transport.js';
export { SNAPSHOT_CHUNK_METHOD } from './snapshot-transfer.js';
export { parsePeersJson, PeersJsonError, PEERS_JSON, type PeersJson, type RecoveredPeer } from './peers-json.js';
export { RaftError } from './core/types.js';
export type { ConfState, Message, NodeId, RaftErrorCode, Status } from './core/types.js';
