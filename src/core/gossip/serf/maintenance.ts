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

export interface HousekeepingIntervals {
  readonly reapIntervalMs: number;
  readonly reconnectIntervalMs: number;
  readonly queueCheckIntervalMs: number;
}

/** Which periodic jobs are due now (each is re-armed one interval later). */
export interface DueJobs {
  /** The first tick: nothing else is due yet, but the snapshot rejoin starts. */
  readonly start: boolean;
  readonly reap: boolean;
  readonly reconnect: boolean;
  readonly queueCheck: boolean;
}

/** serf's reap, reconnect and queue-check tickers, as deadlines armed at the first tick. */
export class HousekeepingSchedule {
  private started = false;
  private nextReapAt = 0;
  private nextReconnectAt = 0;
  private nextQueueCheckAt = 0;

  constructor(private readonly intervals: HousekeepingIntervals) {}

  due(now: number): DueJobs {
    const iv = this.intervals;
    const start = !this.started;
    if (start) {
      this.started = true;
      this.nextReapAt = now + iv.reapIntervalMs;
      this.nextReconnectAt = now + iv.reconnectIntervalMs;
      this.nextQueueCheckAt = now + iv.queueCheckIntervalMs;
    }
    const reap = now >= this.nextReapAt;
    if (reap) this.nextReapAt = now + iv.reapIntervalMs;
    const reconnect = now >= this.nextReconnectAt;
    if (reconnect) this.nextReconnectAt = now + iv.reconnectIntervalMs;
    const queueCheck = now >= this.nextQueueCheckAt;
    if (queueCheck) this.nextQueueCheckAt = now + iv.queueCheckIntervalMs;
    return { start, reap, reconnect, queueCheck };
  }

  /** The earliest due time; 0 before the first tick (which arms the tickers). */
  nextDeadline(): number {
    if (!this.started) return 0;
    return Math.min(this.nextReapAt, this.nextReconnectAt, this.nextQueueCheckAt);
  }
}
