// Raft: the pure core (core/), its driver (driver.ts), durable storage (storage/) and the
// transport seam (transport.ts). See README.md for the Ready contract.
export { RaftDriver } from './driver.js';
export type { RaftDriverOptions, RaftFsm, RaftLogger } from './driver.js';
export { LoopbackTransport } from './transport.js';
export type { Transport } from './transport.js';
export { RaftError } from './core/types.js';
export type { NodeId, Status } from './core/types.js';
