// Serf's half of a memberlist push/pull (serf delegate.go LocalState and MergeRemoteState): our
// Lamport clocks, every member's status LTime, the left members and the recent user events go
// out; a remote's are merged in as if their intents and events had arrived by gossip.
// MUST: the encoded state keeps Go's shape (a stock serf agent reads it).
import { decodeSerfMessage, encodeSerfMessage } from './codec.js';
import type { LamportClock } from './lamport.js';
import type { MemberTable } from './member-table.js';
import { type JoinMessage, type LeaveMessage, type SerfMessage, SerfMessageType } from './messages.js';
import type { SerfLogLevel } from './types.js';
import type { UserEvents } from './user-events.js';

export interface PushPullParts {
  readonly clock: LamportClock;
  readonly queryClock: LamportClock;
  readonly table: MemberTable;
  readonly events: UserEvents;
}

export interface MergeHost extends PushPullParts {
  handleLeaveIntent(msg: LeaveMessage, now: number): boolean;
  handleJoinIntent(msg: JoinMessage, now: number): boolean;
  /** An application join that ignores old events is in flight. */
  ignoringOldEvents(): boolean;
  log(level: SerfLogLevel, msg: string): void;
}

export function encodeLocalState(p: PushPullParts): Uint8Array {
  const statusLTimes = new Map<string, number>();
  for (const m of p.table.members.values()) statusLTimes.set(m.name, m.statusLTime);
  return encodeSerfMessage({
    type: 'pushPull',
    ltime: p.clock.time(),
    statusLTimes,
    leftMembers: p.table.left.map((m) => m.name),
    ...p.events.localState(),
    queryLTime: p.queryClock.time(),
  });
}

export function mergeRemoteState(state: Uint8Array, join: boolean, now: number, host: MergeHost): void {
  if (state.length === 0) return host.log('error', 'serf: Remote state is zero bytes');
  if (state[0] !== SerfMessageType.PushPull) return host.log('error', `serf: Remote state has bad type prefix: ${state[0]}`);
  let pp: SerfMessage;
  try {
    pp = decodeSerfMessage(state);
  } catch (e) {
    return host.log('error', `serf: Failed to decode remote state: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (pp.type !== 'pushPull') return;
  // Minus one: nobody has sent a message stamped with the remote's current time yet.
  if (pp.ltime > 0) host.clock.witness(pp.ltime - 1);
  if (pp.queryLTime > 0) host.queryClock.witness(pp.queryLTime - 1);
  // Left members first. Their leave LTime is unknown, but it came after their join time.
  const left = new Set(pp.leftMembers);
  for (const name of pp.leftMembers) {
    host.handleLeaveIntent({ type: 'leave', ltime: (pp.statusLTimes.get(name) ?? 0) + 1, node: name, prune: false }, now);
  }
  for (const [name, ltime] of pp.statusLTimes) {
    if (!left.has(name)) host.handleJoinIntent({ type: 'join', ltime, node: name }, now);
  }
  host.events.merge(pp, join && host.ignoringOldEvents());
}
