// The server RPC layer (port 8300): a multiplexed request/response + one-way message protocol
// over TCP, used for Raft traffic, forwarded requests and snapshot transfers between our agents.
// See protocol.ts for the wire format. Not wire-compatible with Go Consul servers (not a goal).
export { formatAddr, parseAddr, type HostPort } from './addr.js';
export { RpcClient, type CallOptions, type RpcClientOptions, type RpcClientStats } from './client.js';
export { RpcError, type RpcErrorKind } from './errors.js';
export { DEFAULT_MAX_FRAME_BYTES, FrameError, FrameReader, frameOf } from './frame.js';
export type { MessageHandler, RpcContext, RpcHandler } from './handlers.js';
export type { RpcLogger } from './log.js';
export { PROTOCOL_MULTIPLEXED_RPC, unknownMethodText } from './protocol.js';
export { RpcServer, type RpcServerOptions, type RpcServerStats } from './server.js';
