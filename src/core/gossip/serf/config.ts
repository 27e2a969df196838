// Serf's configuration with serf's DefaultConfig values, and the checks serf.Create makes.
// MUST: the delegate protocol range we advertise is [2, 5]; memberlist speaks protocol 2 for every
//       serf protocol (serf's ProtocolVersionMap). Consul pins serf protocol 4.
import type { Rng } from '../../support/rng.js';
import type { KeyringPort, SerfLogLevel, SerfMember, SerfSnapshotState } from './types.js';
import { META_MAX_SIZE, type Tags, encodeTags } from './tags.js';

export const PROTOCOL_VERSION_MIN = 2;
export const PROTOCOL_VERSION_MAX = 5;
/** serf's hard cap on user event name + payload (UserEventSizeLimit constant). */
export const USER_EVENT_SIZE_HARD_LIMIT = 9 * 1024;

export class SerfConfigError extends Error {
  override name = 'SerfConfigError';
}

export interface SerfConfig {
  readonly nodeName: string;
  readonly tags?: Tags;
  /** Serf (delegate) protocol spoken: 2..5, serf default 4 (Consul pins 4, the serf agent 5). */
  readonly protocolVersion?: number;
  readonly eventBuffer?: number;
  readonly queryBuffer?: number;
  readonly reapIntervalMs?: number;
  readonly reconnectIntervalMs?: number;
  /** How long a failed member is retried before it is reaped (serf 24 h; Consul 72 h). */
  readonly reconnectTimeoutMs?: number;
  readonly tombstoneTimeoutMs?: number;
  readonly leavePropagateDelayMs?: number;
  /** How long leave()/force-leave prune wait for a broadcast to go out (serf's BroadcastTimeout). */
  readonly broadcastTimeoutMs?: number;
  readonly recentIntentTimeoutMs?: number;
  readonly queryTimeoutMult?: number;
  readonly querySizeLimit?: number;
  readonly queryResponseSizeLimit?: number;
  readonly userEventSizeLimit?: number;
  readonly maxQueueDepth?: number;
  /** > 0: drop queued broadcasts above max(minQueueDepth, 2 * members) instead of maxQueueDepth. */
  readonly minQueueDepth?: number;
  readonly queueCheckIntervalMs?: number;
  readonly queueDepthWarning?: number;
  /** memberlist's GossipInterval, for the default query timeout. */
  readonly gossipIntervalMs?: number;
  /** memberlist's RetransmitMult, for serf's own broadcast queues. */
  readonly retransmitMult?: number;
  /** Run `_serf_conflict` when another node claims our name (serf: true; Consul sets false). */
  readonly enableNameConflictResolution?: boolean;
  readonly rng: Rng;
  readonly log?: (level: SerfLogLevel, msg: string) => void;
  /** Consul's merge delegate: return an error text to refuse these members. */
  readonly merge?: (members: SerfMember[]) => string | undefined;
  /** The keyring the key queries act on; absent = encryption not enabled. */
  readonly keyring?: KeyringPort;
  /** State from a previous run's snapshot: clocks to resume, members to rejoin. */
  readonly previous?: SerfSnapshotState;
}

export type ResolvedSerfConfig = Required<Omit<SerfConfig, 'log' | 'merge' | 'keyring' | 'previous'>> &
  Pick<SerfConfig, 'log' | 'merge' | 'keyring' | 'previous'>;

const HOUR = 3_600_000;

export function resolveSerfConfig(c: SerfConfig): ResolvedSerfConfig {
  const r: ResolvedSerfConfig = {
    tags: {},
    protocolVersion: 4,
    eventBuffer: 512,
    queryBuffer: 512,
    reapIntervalMs: 15_000,
    reconnectIntervalMs: 30_000,
    reconnectTimeoutMs: 24 * HOUR,
    tombstoneTimeoutMs: 24 * HOUR,
    leavePropagateDelayMs: 1_000,
    broadcastTimeoutMs: 5_000,
    recentIntentTimeoutMs: 5 * 60_000,
    queryTimeoutMult: 16,
    querySizeLimit: 1024,
    queryResponseSizeLimit: 1024,
    userEventSizeLimit: 512,
    maxQueueDepth: 4096,
    minQueueDepth: 0,
    queueCheckIntervalMs: 30_000,
    queueDepthWarning: 128,
    gossipIntervalMs: 200,
    retransmitMult: 4,
    enableNameConflictResolution: true,
    ...definedOnly(c),
    nodeName: c.nodeName,
    rng: c.rng,
  };
  if (r.protocolVersion < PROTOCOL_VERSION_MIN) {
    throw new SerfConfigError(
      `Protocol version '${r.protocolVersion}' too low. Must be in range: [${PROTOCOL_VERSION_MIN}, ${PROTOCOL_VERSION_MAX}]`,
    );
  }
  if (r.protocolVersion > PROTOCOL_VERSION_MAX) {
    throw new SerfConfigError(
      `Protocol version '${r.protocolVersion}' too high. Must be in range: [${PROTOCOL_VERSION_MIN}, ${PROTOCOL_VERSION_MAX}]`,
    );
  }
  if (r.userEventSizeLimit > USER_EVENT_SIZE_HARD_LIMIT) {
    throw new SerfConfigError(`user event size limit exceeds limit of ${USER_EVENT_SIZE_HARD_LIMIT} bytes`);
  }
  if (encodeTags(r.tags, r.protocolVersion).length > META_MAX_SIZE) {
    throw new SerfConfigError(`Encoded length of tags exceeds limit of ${META_MAX_SIZE} bytes`);
  }
  return r;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The delegate version triple for MemberlistConfig.delegateVersion: [min, max, cur]. */
export function serfDelegateVersion(protocolVersion: number): readonly [number, number, number] {
  return [PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX, protocolVersion];
}

/** The memberlist protocol serf asks for (ProtocolVersionMap maps every serf version to 2). */
export function memberlistProtocolFor(_serfProtocol: number): number {
  return 2;
}
