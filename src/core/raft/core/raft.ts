// The Raft state machine: roles, terms, ticks and message dispatch. Role-specific handling lives
// in step-leader.ts, step-candidate.ts and step-follower.ts; this file owns the shared state.
//
// MUST (Raft §5.1): a node's term never decreases; it votes at most once per term; any message
// with a higher term makes it a follower of that term first (except PreVote traffic, thesis §9.6).
// MUST: no I/O, no clock, no Math.random. Time is tick(); randomness is config.rng.

import { invariant } from '../../support/assert.js';
import { decodeConfState, confEquals, isVoter } from './conf.js';
import { RaftLog } from './log.js';
import { Progress } from './progress.js';
import { ReadOnly, type ReadRequest } from './read-only.js';
import { committedIndex, quorumSize } from './quorum.js';
import type { ConfState, Entry, Message, NodeId, RaftConfig, ReadState, Role } from './types.js';

/** Distributes Omit over the Message union, so each variant keeps its own fields. */
export type Outgoing = Message extends infer M ? (M extends Message ? Omit<M, 'from' | 'term'> & { term?: number } : never) : never;

export class Raft {
  readonly id: NodeId;
  readonly cfg: RaftConfig;
  readonly log: RaftLog;
  term = 0;
  vote: NodeId = '';
  lead: NodeId = '';
  role: Role = 'follower';
  conf: ConfState;
  readonly prs = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  readonly readOnly = new ReadOnly();
  /** Reads that arrived before this leader committed an entry of its term (thesis §6.4 step 1). */
  pendingReads: ReadRequest[] = [];
  /** Monotonic count of tick() calls; the leader's lease and CheckQuorum clock. */
  ticks = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId = '';
  transferElapsed = 0;
  /** Leases only count acks heard after this tick (set when a transfer is aborted). */
  noLeaseBeforeTick = Number.NEGATIVE_INFINITY;
  becameLeaderTick = 0;
  /** Index of the latest config entry this leader appended (one uncommitted change at a time). */
  pendingConfIndex = 0;

  constructor(cfg: RaftConfig, log: RaftLog, term: number, vote: NodeId, conf: ConfState) {
    invariant(cfg.id !== '', 'raft: id must be non-empty');
    invariant(cfg.electionTicks > cfg.heartbeatTicks && cfg.heartbeatTicks >= 1,
      'raft: need electionTicks > heartbeatTicks >= 1');
    invariant(cfg.maxInflight >= 1 && cfg.maxSizePerMsg >= 0, 'raft: maxInflight >= 1, maxSizePerMsg >= 0');
    this.id = cfg.id;
    this.cfg = cfg;
    this.log = log;
    this.term = term;
    this.vote = vote;
    this.conf = conf;
    this.becomeFollower(term, '');
  }

  // ---- sending -------------------------------------------------------------------------------

  send(m: Outgoing): void {
    invariant(m.to !== this.id, () => `raft ${this.id}: message ${m.type} to self`);
    // preVote requests carry the future term; every other message carries our current term.
    const msg = { ...m, from: this.id, term: m.term ?? this.term } as Message;
    this.msgs.push(msg);
  }

  // ---- membership ----------------------------------------------------------------------------

  isPromotable(): boolean {
    return isVoter(this.conf, this.id) && this.log.unstable.snapshot === undefined;
  }

  voters(): readonly NodeId[] {
    return this.conf.voters;
  }

  quorum(): number {
    return quorumSize(this.conf.voters.length);
  }

  // ---- role transitions ----------------------------------------------------------------------

  private reset(term: number): void {
    if (term !== this.term) {
      invariant(term > this.term, () => `raft ${this.id}: term going back from ${this.term} to ${term}`);
      this.term = term;
      this.vote = '';
    }
    this.lead = '';
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTicks + this.cfg.rng.int(this.cfg.electionTicks);
    this.abortLeaderTransfer();
    this.votes.clear();
    this.prs.clear();
    this.readOnly.reset();
    this.pendingReads = [];
    this.pendingConfIndex = 0;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomePreCandidate(): void {
    invariant(this.role !== 'leader', 'raft: leader cannot become pre-candidate');
    // PreVote (thesis §9.6) changes neither term nor vote: a partitioned node cannot inflate terms.
    this.role = 'preCandidate';
    this.votes.clear();
    this.lead = '';
  }

  becomeCandidate(): void {
    invariant(this.role !== 'leader', 'raft: leader cannot become candidate');
    this.reset(this.term + 1); // Raft §5.2: increment term, vote for self
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    invariant(this.role === 'candidate', () => `raft ${this.id}: becomeLeader from ${this.role}`);
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.becameLeaderTick = this.ticks;
    const last = this.log.lastIndex();
    for (const id of [...this.conf.voters, ...this.conf.learners]) {
      this.prs.set(id, new Progress(last + 1, this.cfg.maxInflight, !isVoter(this.conf, id), this.ticks));
    }
    const self = this.prs.get(this.id);
    if (self !== undefined) {
      self.match = last;
      self.becomeReplicate();
    }
    // Conservative: a config entry may be uncommitted somewhere in our log.
    this.pendingConfIndex = last;
    // Raft §8: a no-op entry of the new term lets the leader commit (and learn) the commit index.
    // The caller commits (single voter) and broadcasts it.
    this.appendEntries([{ kind: 'noop', data: new Uint8Array(0) }]);
  }

  /** Leader: appends entries of the current term to its own log and counts itself. */
  appendEntries(items: readonly { kind: Entry['kind']; data: Uint8Array }[]): Entry[] {
    invariant(this.role === 'leader', 'appendEntries on a non-leader');
    let index = this.log.lastIndex();
    const ents: Entry[] = new Array<Entry>(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as { kind: Entry['kind']; data: Uint8Array };
      ents[i] = { index: ++index, term: this.term, kind: it.kind, data: it.data };
    }
    const last = this.log.append(ents);
    // The leader counts its own unpersisted entries: the driver persists them before sending any
    // message or applying anything of the same Ready, so nobody can observe the commit earlier.
    this.prs.get(this.id)?.maybeUpdate(last);
    return ents;
  }

  /** Leader: advances commit to the quorum match if it is in the current term (Raft §5.4.2). */
  maybeCommit(): boolean {
    const mci = committedIndex(this.conf.voters, (id) => this.prs.get(id)?.match ?? 0);
    return this.log.maybeCommit(mci, this.term);
  }

  committedInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  abortLeaderTransfer(): void {
    if (this.leadTransferee !== '') this.noLeaseBeforeTick = this.ticks;
    this.leadTransferee = '';
    this.transferElapsed = 0;
  }

  // ---- time ----------------------------------------------------------------------------------

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  /** Voters that answered within the last election timeout (CheckQuorum, thesis §6.2). */
  quorumActive(): boolean {
    if (this.ticks - this.becameLeaderTick < this.cfg.electionTicks) return true;
    let n = 0;
    for (const id of this.conf.voters) {
      const pr = this.prs.get(id);
      if (id === this.id || (pr !== undefined && this.ticks - pr.activeTick < this.cfg.electionTicks)) n++;
    }
    return n >= this.quorum();
  }

  /**
   * Leader lease: a quorum acked within (electionTicks - heartbeatTicks) ticks, after the last
   * aborted transfer, and an entry of this term is committed. Followers refuse votes for an
   * election timeout after hearing from us (CheckQuorum), so no other leader can exist meanwhile,
   * assuming clock drift and one-way delay stay below heartbeatTicks.
   */
  hasLease(): boolean {
    if (this.role !== 'leader' || !this.cfg.checkQuorum || this.leadTransferee !== '') return false;
    if (!this.committedInCurrentTerm()) return false;
    const window = this.cfg.electionTicks - this.cfg.heartbeatTicks;
    let n = 0;
    for (const id of this.conf.voters) {
      const pr = this.prs.get(id);
      if (id === this.id) n++;
      else if (pr !== undefined && pr.lastAckTick > this.noLeaseBeforeTick && this.ticks - pr.lastAckTick < window) n++;
    }
    return n >= this.quorum();
  }

  // ---- config entries ------------------------------------------------------------------------

  /** Whether a committed, not yet applied config entry would change the configuration. */
  hasPendingConf(): boolean {
    const lo = Math.max(this.log.applying + 1, this.log.firstIndex());
    if (lo > this.log.committed) return false;
    for (const e of this.log.slice(lo, this.log.committed + 1)) {
      if (e.kind === 'config' && !confEquals(decodeConfState(e.data), this.conf)) return true;
    }
    return false;
  }
}
