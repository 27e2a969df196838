// Serf's member state machine: who is alive, leaving, left or failed, ordered by join/leave intents
// stamped with the member Lamport clock, plus the failed and left lists that the reconnect loop and
// the reaper walk. Pure: `now` comes in, events go out through the host.
// MUST: an intent applies only when its LTime is newer than the member's statusLTime, and the
//       statusLTime is updated even when the status does not change (else two nodes rebroadcast
//       each other's leave forever, hashicorp/consul#8179).
// MUST: intents about nodes memberlist has not reported yet are kept (one per node, the newest)
//       for recentIntentTimeout, and applied when the node's join arrives.
import type { MemberNode } from '../memberlist/types.js';
import type { JoinMessage, LeaveMessage } from './messages.js';
import { decodeTags } from './tags.js';
import type { MemberEventType, MemberStatus, SerfLogLevel, SerfMember } from './types.js';

/** A member plus serf's bookkeeping (serf's memberState). */
export interface MemberState {
  name: string;
  addr: string;
  port: number;
  tags: Record<string, string>;
  status: MemberStatus;
  protocolMin: number;
  protocolMax: number;
  protocolCur: number;
  delegateMin: number;
  delegateMax: number;
  delegateCur: number;
  /** Lamport time of the last join/leave intent applied. */
  statusLTime: number;
  /** `now` when the member failed or left (0 while alive). */
  leaveTime: number;
}

interface NodeIntent {
  readonly type: 'join' | 'leave';
  readonly wallTime: number;
  readonly ltime: number;
}

export interface MemberTableHost {
  readonly localName: string;
  /** True while our own Serf is in the alive state (a leave intent about us is then refuted). */
  isLocalAlive(): boolean;
  /** Broadcast a join intent for ourselves, after the current handler returns. */
  refuteLeave(now: number): void;
  emit(type: MemberEventType, member: SerfMember): void;
  log(level: SerfLogLevel, msg: string): void;
}

export interface MemberTableTimeouts {
  readonly reconnectTimeoutMs: number;
  readonly tombstoneTimeoutMs: number;
  readonly recentIntentTimeoutMs: number;
  /** A prune of a leaving member waits this long (serf: BroadcastTimeout + LeavePropagateDelay). */
  readonly pruneDelayMs: number;
}

export function toSerfMember(m: MemberState): SerfMember {
  return {
    name: m.name,
    addr: m.addr,
    port: m.port,
    tags: { ...m.tags },
    status: m.status,
    protocolMin: m.protocolMin,
    protocolMax: m.protocolMax,
    protocolCur: m.protocolCur,
    delegateMin: m.delegateMin,
    delegateMax: m.delegateMax,
    delegateCur: m.delegateCur,
  };
}

/** A memberlist node as a Member, for the merge delegate (status none, or left). */
export function nodeToMember(n: MemberNode, status: MemberStatus): SerfMember {
  return {
    name: n.name,
    addr: n.addr,
    port: n.port,
    tags: decodeTags(n.meta),
    status,
    protocolMin: n.vsn[0],
    protocolMax: n.vsn[1],
    protocolCur: n.vsn[2],
    delegateMin: n.vsn[3],
    delegateMax: n.vsn[4],
    delegateCur: n.vsn[5],
  };
}

function removeByName(list: MemberState[], name: string): MemberState[] {
  return list.filter((m) => m.name !== name);
}

export class MemberTable {
  readonly members = new Map<string, MemberState>();
  failed: MemberState[] = [];
  left: MemberState[] = [];
  private readonly intents = new Map<string, NodeIntent>();
  /** Prunes of leaving members waiting for the leave to propagate: name -> due time. */
  private readonly pendingPrunes = new Map<string, { member: MemberState; at: number }>();

  constructor(
    private readonly host: MemberTableHost,
    private readonly timeouts: MemberTableTimeouts,
  ) {}

  get(name: string): MemberState | undefined {
    return this.members.get(name);
  }

  /** Any member other than us that is alive (worth broadcasting to). */
  hasAliveMembers(): boolean {
    for (const m of this.members.values()) if (m.name !== this.host.localName && m.status === 'alive') return true;
    return false;
  }

  recentIntentCount(): number {
    return this.intents.size;
  }

  // --- memberlist's view ---------------------------------------------------------------------

  handleNodeJoin(n: MemberNode): void {
    let member = this.members.get(n.name);
    let oldStatus: MemberStatus;
    if (!member) {
      oldStatus = 'none';
      member = {
        name: n.name,
        addr: n.addr,
        port: n.port,
        tags: decodeTags(n.meta),
        status: 'alive',
        protocolMin: 0,
        protocolMax: 0,
        protocolCur: 0,
        delegateMin: 0,
        delegateMax: 0,
        delegateCur: 0,
        statusLTime: 0,
        leaveTime: 0,
      };
      // At most one intent is buffered per node, so whichever kind it is wins.
      const intent = this.intents.get(n.name);
      if (intent?.type === 'join') member.statusLTime = intent.ltime;
      if (intent?.type === 'leave') {
        member.status = 'leaving';
        member.statusLTime = intent.ltime;
      }
      this.members.set(n.name, member);
    } else {
      oldStatus = member.status;
      member.status = 'alive';
      member.leaveTime = 0;
      member.addr = n.addr;
      member.port = n.port;
      member.tags = decodeTags(n.meta);
    }
    this.setVersions(member, n);
    if (oldStatus === 'failed' || oldStatus === 'left') {
      this.failed = removeByName(this.failed, member.name);
      this.left = removeByName(this.left, member.name);
    }
    this.host.log('info', `serf: EventMemberJoin: ${member.name} ${member.addr}`);
    this.host.emit('member-join', toSerfMember(member));
  }

  handleNodeLeave(n: MemberNode, now: number): void {
    const member = this.members.get(n.name);
    if (!member) return; // never heard of it: nothing to tell anyone
    if (member.status === 'leaving') {
      member.status = 'left';
      member.leaveTime = now;
      this.left.push(member);
    } else if (member.status === 'alive') {
      member.status = 'failed';
      member.leaveTime = now;
      this.failed.push(member);
    } else {
      this.host.log('warn', `serf: Bad state when leave: ${member.status}`);
      return;
    }
    const left = member.status === 'left';
    this.host.log('info', `serf: ${left ? 'EventMemberLeave' : 'EventMemberFailed'}: ${member.name} ${member.addr}`);
    this.host.emit(left ? 'member-leave' : 'member-failed', toSerfMember(member));
  }

  handleNodeUpdate(n: MemberNode): void {
    const member = this.members.get(n.name);
    if (!member) return;
    member.addr = n.addr;
    member.port = n.port;
    member.tags = decodeTags(n.meta);
    this.setVersions(member, n);
    this.host.log('info', `serf: EventMemberUpdate: ${member.name}`);
    this.host.emit('member-update', toSerfMember(member));
  }

  private setVersions(m: MemberState, n: MemberNode): void {
    [m.protocolMin, m.protocolMax, m.protocolCur, m.delegateMin, m.delegateMax, m.delegateCur] = n.vsn;
  }

  // --- intents (the caller has already witnessed the LTime) ----------------------------------

  /** Returns whether the intent is news and should be rebroadcast. */
  handleLeaveIntent(msg: LeaveMessage, now: number): boolean {
    const member = this.members.get(msg.node);
    if (!member) return this.upsertIntent(msg.node, 'leave', msg.ltime, now);
    if (msg.ltime <= member.statusLTime) return false;
    if (msg.node === this.host.localName && this.host.isLocalAlive()) {
      this.host.log('debug', 'serf: Refuting an older leave intent');
      this.host.refuteLeave(now);
      return false;
    }
    member.statusLTime = msg.ltime;
    switch (member.status) {
      case 'alive':
        member.status = 'leaving';
        if (msg.prune) this.prune(member, now);
        return true;
      case 'failed':
        member.status = 'left';
        this.failed = removeByName(this.failed, member.name);
        // On the left list, so that our push/pulls tell others to drop it from their failed lists.
        this.left.push(member);
        this.host.log('info', `serf: EventMemberLeave (forced): ${member.name} ${member.addr}`);
        this.host.emit('member-leave', toSerfMember(member));
        if (msg.prune) this.prune(member, now);
        return true;
      case 'leaving':
      case 'left':
        if (msg.prune) this.prune(member, now);
        return true;
      default:
        return false;
    }
  }

  /** Returns whether the intent is news and should be rebroadcast. */
  handleJoinIntent(msg: JoinMessage, now: number): boolean {
    const member = this.members.get(msg.node);
    if (!member) return this.upsertIntent(msg.node, 'join', msg.ltime, now);
    if (msg.ltime <= member.statusLTime) return false;
    member.statusLTime = msg.ltime;
    // A leave older than this join no longer holds.
    if (member.status === 'leaving') member.status = 'alive';
    return true;
  }

  private upsertIntent(node: string, type: 'join' | 'leave', ltime: number, now: number): boolean {
    const existing = this.intents.get(node);
    if (existing && ltime <= existing.ltime) return false;
    this.intents.set(node, { type, wallTime: now, ltime });
    return true;
  }

  // --- prune, reap, erase --------------------------------------------------------------------

  /** Force-leave with prune: erase the member, after the leave propagated if it is still leaving. */
  private prune(member: MemberState, now: number): void {
    if (member.status === 'leaving') {
      this.pendingPrunes.set(member.name, { member, at: now + this.timeouts.pruneDelayMs });
      return;
    }
    this.finishPrune(member);
  }

  private finishPrune(member: MemberState): void {
    this.host.log('info', `serf: EventMemberReap (forced): ${member.name} ${member.addr}`);
    this.left = removeByName(this.left, member.name);
    this.failed = removeByName(this.failed, member.name);
    this.erase(member);
  }

  /** Run the prunes whose wait is over. */
  runDuePrunes(now: number): void {
    for (const [name, p] of [...this.pendingPrunes]) {
      if (p.at > now) continue;
      this.pendingPrunes.delete(name);
      // Only if the member was not erased or replaced meanwhile.
      if (this.members.get(name) === p.member) this.finishPrune(p.member);
    }
  }

  nextPruneAt(): number {
    let at = Infinity;
    for (const p of this.pendingPrunes.values()) at = Math.min(at, p.at);
    return at;
  }

  private erase(member: MemberState): void {
    this.members.delete(member.name);
    this.host.emit('member-reap', toSerfMember(member));
  }

  /** The reaper: failed members past reconnectTimeout, left past tombstoneTimeout, old intents. */
  reap(now: number): void {
    this.failed = this.reapList(this.failed, now, this.timeouts.reconnectTimeoutMs);
    this.left = this.reapList(this.left, now, this.timeouts.tombstoneTimeoutMs);
    for (const [node, intent] of [...this.intents]) {
      if (now - intent.wallTime > this.timeouts.recentIntentTimeoutMs) this.intents.delete(node);
    }
  }

  private reapList(list: MemberState[], now: number, timeoutMs: number): MemberState[] {
    const keep: MemberState[] = [];
    for (const m of list) {
      if (now - m.leaveTime <= timeoutMs) {
        keep.push(m);
        continue;
      }
      this.host.log('info', `serf: EventMemberReap: ${m.name}`);
      this.erase(m);
    }
    return keep;
  }
}
