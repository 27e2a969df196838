// Public surface of the pure Raft core. See ../README.md for the driver contract.
// MUST NOT import anything that does I/O or reads a clock.

export * from './types.js';
export { RawNode, MAX_COMMITTED_BYTES_PER_READY, type ProposalResult } from './raw-node.js';
export type { TickEvent } from './step.js';
export { MemoryStorage, bootstrapStorage } from './memory-storage.js';
export {
  encodeConfState,
  decodeConfState,
  applyConfChange,
  normalizeConf,
  confEquals,
  isVoter,
  isMember,
  EMPTY_CONF,
} from './conf.js';
