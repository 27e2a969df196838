// Serf's periodic housekeeping decisions, kept out of the Serf class: which failed member the
// reconnect loop retries, and trimming broadcast queues that grew past their limit.
import type { Rng } from '../../support/rng.js';
import type { BroadcastQueue } from './broadcast-queue.js';
import type { MemberState, MemberTable } from './member-table.js';
import type { SerfLogLevel } from './types.js';

type Log = (level: SerfLogLevel, msg: string) => void;

/**
 * The failed member to try this round, if any. Each node tries with probability failed / alive,
 * so the cluster as a whole retries each failed member about once per reconnect interval.
 */
export function pickReconnectTarget(table: MemberTable, rng: Rng, log: Log): MemberState | undefined {
  const failed = table.failed;
  if (failed.length === 0) return undefined;
  const numAlive = table.members.size - failed.length - table.left.length || 1;
  const prob = failed.length / numAlive;
  // Go draws rand.Float32(): 24 bits of randomness.
  if (rng.int(1 << 24) / (1 << 24) > prob) {
    log('debug', 'serf: forgoing reconnect for random throttling');
    return undefined;
  }
  return failed[rng.int(failed.length)];
}

export interface QueueLimits {
  readonly maxQueueDepth: number;
  readonly minQueueDepth: number;
  readonly queueDepthWarning: number;
}

/** serf's getQueueMax: fixed, or scaled with the cluster when minQueueDepth is set. */
export function queueMax(limits: QueueLimits, numMembers: number): number {
  if (limits.minQueueDepth <= 0) return limits.maxQueueDepth;
  return Math.max(limits.minQueueDepth, 2 * numMembers);
}

/** serf's checkQueueDepth for each named queue: warn when deep, drop the stalest above the max. */
export function checkQueueDepths(
  queues: readonly (readonly [string, BroadcastQueue])[],
  limits: QueueLimits,
  numMembers: number,
  log: Log,
): void {
  for (const [name, queue] of queues) {
    const n = queue.numQueued();
    if (n >= limits.queueDepthWarning) log('warn', `serf: ${name} queue depth: ${n}`);
    const max = queueMax(limits, numMembers);
    if (n > max) {
      log('warn', `serf: ${name} queue depth (${n}) exceeds limit (${max}), dropping messages!`);
      queue.prune(max);
    }
  }
}
