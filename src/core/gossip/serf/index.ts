// The serf core's public surface: the Serf class, its config and value types, and the codec
// pieces the agent and tests need (tags, filters, messages).
export { Serf } from './serf.js';
export {
  type SerfConfig,
  type ResolvedSerfConfig,
  SerfConfigError,
  PROTOCOL_VERSION_MIN,
  PROTOCOL_VERSION_MAX,
  USER_EVENT_SIZE_HARD_LIMIT,
  resolveSerfConfig,
  serfDelegateVersion,
  memberlistProtocolFor,
} from './config.js';
export * from './types.js';
export { type Tags, encodeTags, decodeTags, META_MAX_SIZE, TAG_MAGIC_BYTE } from './tags.js';
export * from './messages.js';
export * from './codec.js';
export { LamportClock } from './lamport.js';
export { BroadcastQueue, retransmitLimit } from './broadcast-queue.js';
export { compileGoRegexp, shouldProcessQuery } from './query-filters.js';
export { KEY_QUERY_NAMES } from './key-manager.js';
export { INTERNAL_QUERY_PREFIX } from './internal-queries.js';
export { ipToBytes, bytesToIp } from './ip.js';
export { decodeStdBase64, encodeStdBase64 } from './base64.js';
