// RawNode: the synchronous public API of the Raft core (etcd's RawNode). Inputs: tick, step,
// propose, proposeConfChange, campaign, transferLeader, readIndex. Output: Ready batches.
//
// MUST: the driver calls ready() -> (persist, send, apply) -> advance(ready), strictly in turn;
// ready() is never called again before the previous Ready is advanced (checked). A Ready never
// repeats data: ready() marks what it hands out, advance() marks it stable/applied.

import { invariant } from '../../support/assert.js';
import { applyConfChange, decodeConfState, encodeConfState, isVoter } from './conf.js';
import { RaftLog } from './log.js';
import { Raft } from './raft.js';
import { applyConf, step, tick, type TickEvent } from './step.js';
import { hup } from './step-candidate.js';
import { bcastAppend, leaderMaybeCommit, leaderReadIndex, retryAppends, startTransfer } from './step-leader.js';
import {
  RaftError,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type RaftConfig,
  type Ready,
  type SoftState,
  type Status,
} from './types.js';

/** Upper bound of committed entry data handed out in one Ready (the rest follows next time). */
export const MAX_COMMITTED_BYTES_PER_READY = 64 * 1024 * 1024;

export interface ProposalResult {
  readonly index: number;
  readonly term: number;
}

export class RawNode {
  private readonly r: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private awaitingAdvance = false;

  constructor(config: RaftConfig) {
    const storage = config.storage;
    const { hardState, confState } = storage.initialState();
    const log = new RaftLog(storage);
    const first = log.firstIndex();
    const last = log.lastIndex();
    invariant(config.applied >= first - 1,
      () => `config.applied ${config.applied} is below the snapshot index ${first - 1}: restore the FSM from storage.snapshot() first`);
    invariant(config.applied <= last, () => `config.applied ${config.applied} beyond last index ${last}`);
    invariant(hardState.commit <= last, () => `hard state commit ${hardState.commit} beyond last index ${last}`);
    // What the FSM applied was committed, even if the commit index was not synced yet.
    log.committed = Math.max(hardState.commit, config.applied, first - 1);
    log.applied = config.applied;
    log.applying = config.applied;
    const conf = initialConf(confState, log, first, config.applied);
    this.r = new Raft(config, log, hardState.term, hardState.vote, conf);
    this.prevSoft = { leader: '', role: 'follower' };
    this.prevHard = hardState;
  }

  get id(): NodeId {
    return this.r.id;
  }

  /** The current term (cheap, for the driver's per-message bookkeeping). */
  get term(): number {
    return this.r.term;
  }

  /** Advances time by one tick; says whether it timed out on the leader or an election. */
  tick(): TickEvent {
    return tick(this.r);
  }

  step(msg: Message): void {
    if (msg.to !== this.r.id) return; // misrouted: not ours to act on
    step(this.r, msg);
  }

  propose(data: readonly Uint8Array[]): ProposalResult[] {
    this.assertCanPropose();
    if (data.length === 0) return [];
    const items = data.map((d) => ({ kind: 'command' as const, data: d }));
    const ents = this.commitAndSend(items);
    return ents.map((e) => ({ index: e.index, term: e.term }));
  }

  proposeConfChange(cc: ConfChange): ProposalResult {
    this.assertCanPropose();
    const r = this.r;
    if (r.pendingConfIndex > r.log.applying) {
      throw new RaftError('confChangePending', `a configuration change (index ${r.pendingConfIndex}) is not applied yet`);
    }
    const next = applyConfChange(r.conf, cc);
    const [e] = this.commitAndSend([{ kind: 'config', data: encodeConfState(next) }]);
    invariant(e !== undefined, 'proposeConfChange: no entry appended');
    r.pendingConfIndex = e.index;
    return { index: e.index, term: e.term };
  }

  private assertCanPropose(): void {
    const r = this.r;
    if (r.role !== 'leader') {
      throw new RaftError('notLeader', `node ${r.id} is not the leader (leader: ${r.lead === '' ? 'unknown' : r.lead})`);
    }
    if (r.leadTransferee !== '') {
      throw new RaftError('transferInProgress', `leadership transfer to ${r.leadTransferee} in progress`);
    }
  }

  private commitAndSend(items: readonly { kind: Entry['kind']; data: Uint8Array }[]): Entry[] {
    const ents = this.r.appendEntries(items);
    leaderMaybeCommit(this.r); // a single voter commits at once
    bcastAppend(this.r);
    return ents;
  }

  /** Starts an election now (PreVote first when enabled). */
  campaign(): void {
    hup(this.r, false);
  }

  /** Leader only: hands leadership to voter `to` (thesis §3.10). Proposals fail meanwhile. */
  transferLeader(to: NodeId): void {
    const r = this.r;
    if (r.role !== 'leader') throw new RaftError('notLeader', `node ${r.id} is not the leader`);
    if (!isVoter(r.conf, to)) throw new RaftError('unavailable', `transfer target ${to} is not a voter`);
    startTransfer(r, to);
  }

  /** Linearizable read point (thesis §6.4); the answer arrives as a ReadState in a later Ready. */
  readIndex(context: string): void {
    const r = this.r;
    if (r.role === 'leader') {
      leaderReadIndex(r, context, r.id);
    } else if (r.lead !== '') {
      r.send({ type: 'readIndex', to: r.lead, context });
    } else {
      throw new RaftError('unavailable', `node ${r.id} knows no leader to confirm a read`);
    }
  }

  hasReady(): boolean {
    const r = this.r;
    const log = r.log;
    return (
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      log.unstable.hasNextEntries() ||
      log.unstable.nextSnapshot() !== undefined ||
      log.hasNextCommittedEnts() ||
      !softEqual(this.softState(), this.prevSoft) ||
      !hardEqual(this.hardState(), this.prevHard)
    );
  }

  ready(): Ready {
    invariant(!this.awaitingAdvance, 'ready() called before advance() of the previous Ready');
    const r = this.r;
    const log = r.log;
    const snapshot = log.unstable.nextSnapshot();
    const entries = log.unstable.nextEntries();
    const committedEntries = log.hasNextCommittedEnts() ? log.nextCommittedEnts(MAX_COMMITTED_BYTES_PER_READY) : [];
    log.unstable.acceptInProgress();
    if (snapshot !== undefined) log.acceptApplying(snapshot.meta.index);
    const lastCommitted = committedEntries[committedEntries.length - 1];
    if (lastCommitted !== undefined) log.acceptApplying(lastCommitted.index);
    // The configuration takes effect as its entry is handed out for applying (thesis §4.1 with
    // commit-time activation, as etcd does). This may commit more or make a leader step down,
    // so messages and states are collected afterwards.
    for (const e of committedEntries) if (e.kind === 'config') applyConf(r, decodeConfState(e.data));

    const soft = this.softState();
    const hard = this.hardState();
    const rd: Ready = {
      ...(softEqual(soft, this.prevSoft) ? {} : { softState: soft }),
      ...(hardEqual(hard, this.prevHard) ? {} : { hardState: hard }),
      entries,
      ...(snapshot === undefined ? {} : { snapshot }),
      committedEntries,
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: entries.length > 0 || snapshot !== undefined || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    this.prevHard = hard;
    this.awaitingAdvance = true;
    return rd;
  }

  /** The driver has persisted rd's entries/snapshot/hard state and applied its committed entries. */
  advance(rd: Ready): void {
    invariant(this.awaitingAdvance, 'advance() without a pending Ready');
    this.awaitingAdvance = false;
    const log = this.r.log;
    const last = rd.entries[rd.entries.length - 1];
    if (rd.snapshot !== undefined) log.unstable.stableSnapTo(rd.snapshot.meta.index);
    if (last !== undefined) log.unstable.stableTo(last.index, last.term);
    if (rd.snapshot !== undefined) log.appliedTo(rd.snapshot.meta.index);
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastApplied !== undefined) log.appliedTo(lastApplied.index);
  }

  status(): Status {
    const r = this.r;
    const progress: Record<NodeId, { match: number; next: number; isLearner: boolean }> = {};
    if (r.role === 'leader') {
      for (const [id, pr] of r.prs) progress[id] = { match: pr.match, next: pr.next, isLearner: pr.isLearner };
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      leader: r.lead,
      role: r.role,
      conf: r.conf,
      ticksSinceLeaderContact: r.role === 'leader' ? 0 : r.electionElapsed,
      hasLease: r.hasLease(),
      progress,
    };
  }

  /** A cheap view for the per-read lease check (status() builds a whole object). */
  hasLease(): boolean {
    return this.r.hasLease();
  }

  /** The storage now holds evicted entries it was asked for (see MemoryStorage.evict): the
   * leader sends the appends it had to skip. */
  retryAppends(): void {
    if (this.r.role === 'leader') retryAppends(this.r);
  }

  /** The transport could not reach `id`: stop pipelining to it and probe again. */
  reportUnreachable(id: NodeId): void {
    const pr = this.r.role === 'leader' ? this.r.prs.get(id) : undefined;
    if (pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
  }

  /** The snapshot sent to `id` was installed (ok) or failed; leaves the snapshot state. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    const pr = this.r.role === 'leader' ? this.r.prs.get(id) : undefined;
    if (pr === undefined || pr.state !== 'snapshot') return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for the follower's answer (or a heartbeat round) before the next append.
    pr.probeSent = true;
  }

  private softState(): SoftState {
    return { leader: this.r.lead, role: this.r.role };
  }

  private hardState(): HardState {
    return { term: this.r.term, vote: this.r.vote, commit: this.r.log.committed };
  }
}

function softEqual(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

function hardEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** The configuration as of `applied`: the stored one, overridden by later applied config entries. */
function initialConf(stored: ConfState, log: RaftLog, first: number, applied: number): ConfState {
  let conf = stored;
  if (applied >= first) {
    for (const e of log.slice(first, applied + 1)) if (e.kind === 'config') conf = decodeConfState(e.data);
  }
  return conf;
}
