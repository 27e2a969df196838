// The Raft core's data types: the contract between the pure core (this folder) and its driver.
//
// MUST: nothing in src/core/raft/core touches disk, sockets, clocks or Math.random. Time is a tick
// count; randomness comes from an injected Rng. The same inputs always give the same outputs.

export type NodeId = string;

/** What an entry carries. `noop` is the empty entry a new leader appends (Raft §8); `config`
 * carries an encoded ConfState (see conf.ts) for a single-server membership change. */
export type EntryKind = 'command' | 'config' | 'noop';

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly kind: EntryKind;
  readonly data: Uint8Array;
}

/** State that must be on stable storage before any message of the same Ready is sent. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId; // '' = none
  readonly commit: number;
}

/** The membership: voters decide elections and commits; learners (non-voters) only replicate. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The FSM's serialized state at meta.index; opaque to the core. */
  readonly data: Uint8Array;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export interface SoftState {
  readonly leader: NodeId; // '' = unknown
  readonly role: Role;
}

/** A linearizable read point: once the local applied index reaches `index`, a read tagged
 * `context` may be served (Raft §6.4, ReadIndex). */
export interface ReadState {
  readonly context: string;
  readonly index: number;
}

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export type Message =
  | (MessageBase & {
      readonly type: 'append';
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly Entry[];
      readonly commit: number;
    })
  | (MessageBase & {
      readonly type: 'appendResp';
      readonly index: number; // on success: the last index the follower now matches
      readonly reject: boolean;
      readonly rejectHint: number; // on reject: the follower's last index (a place to retry from)
    })
  | (MessageBase & {
      readonly type: 'vote' | 'preVote';
      readonly lastIndex: number;
      readonly lastTerm: number;
      /** Set when a leadership transfer asked for this election: voters skip the lease check. */
      readonly transfer: boolean;
    })
  | (MessageBase & { readonly type: 'voteResp' | 'preVoteResp'; readonly reject: boolean })
  | (MessageBase & { readonly type: 'heartbeat'; readonly commit: number; readonly context: string })
  | (MessageBase & { readonly type: 'heartbeatResp'; readonly context: string })
  | (MessageBase & { readonly type: 'snapshot'; readonly snapshot: Snapshot })
  | (MessageBase & { readonly type: 'timeoutNow' })
  /** A follower forwards a ReadIndex request to the leader; the leader answers with readIndexResp. */
  | (MessageBase & { readonly type: 'readIndex'; readonly context: string })
  | (MessageBase & { readonly type: 'readIndexResp'; readonly context: string; readonly index: number });

export type MessageType = Message['type'];

/**
 * One batch of work for the driver. The driver MUST, in this order:
 *   1. persist `snapshot` (if any), then `entries` (appending; an entry at an index that already
 *      exists replaces it and everything after it), then `hardState` (if any), with an fsync when
 *      `mustSync` is true;
 *   2. send `messages` (only after step 1, so no vote or ack is sent for state that could be lost);
 *   3. restore the FSM from `snapshot` (if any), then apply `committedEntries` in order;
 *   4. call `advance(ready)`.
 */
export interface Ready {
  readonly softState?: SoftState; // present when it changed since the last Ready
  readonly hardState?: HardState; // present when it changed since the last Ready
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly readStates: readonly ReadState[];
  readonly mustSync: boolean;
}

/** Read-only view of the stable log that the core consults. The driver does all writes. */
export interface RaftStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most maxBytes of data (always at least one entry if any exist). */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /** Term of the entry at index i; the snapshot's index answers the snapshot's term. */
  term(i: number): number;
  /** Index of the first entry still in the log (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

/** Injected randomness (seeded in the simulator, crypto-backed in the driver). */
export interface Rng {
  /** A uniform integer in [0, n). */
  int(n: number): number;
}

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: RaftStorage;
  readonly rng: Rng;
  /** Followers start an election after a random timeout in [electionTicks, 2*electionTicks). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Max entries bytes in one append message (batching); at least one entry always goes. */
  readonly maxSizePerMsg: number;
  /** Max unacknowledged append messages in flight to one follower (pipelining). */
  readonly maxInflight: number;
  /** The highest index already applied by the FSM at start (restart from a snapshot/state). */
  readonly applied: number;
}

/** A single-server membership change (hashicorp/raft semantics, one at a time). */
export type ConfChange =
  | { readonly type: 'addVoter'; readonly id: NodeId }
  | { readonly type: 'addLearner'; readonly id: NodeId }
  | { readonly type: 'demote'; readonly id: NodeId }
  | { readonly type: 'remove'; readonly id: NodeId };

export interface Status {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly leader: NodeId;
  readonly role: Role;
  readonly conf: ConfState;
  /** Followers: ticks since the leader was last heard from (0 on the leader). */
  readonly ticksSinceLeaderContact: number;
  /** Leader only: true while a quorum has been heard from within the last election timeout
   * (the leader lease; default-consistency reads are served under it). */
  readonly hasLease: boolean;
  /** Leader only: match index per peer. */
  readonly progress: Readonly<Record<NodeId, { match: number; next: number; isLearner: boolean }>>;
}

/** Why a Raft operation failed. The last three come from the driver, not the core:
 * `stateExists` (bootstrap on a server that has Raft state), `timeout` (e.g. a leadership
 * transfer that did not finish in time), `invalid` (a bad argument such as an empty server id). */
export type RaftErrorCode =
  | 'notLeader'
  /** The entry was proposed, then this server lost leadership (or was removed) before it applied:
   * it may still commit under the next leader, so the caller must not propose it again. */
  | 'leadershipLost'
  | 'proposalDropped'
  | 'confChangePending'
  | 'compacted'
  | 'unavailable'
  /** Storage: the entries are applied and on disk but not in memory; the driver reads them back. */
  | 'notLoaded'
  | 'transferInProgress'
  | 'stateExists'
  | 'timeout'
  | 'invalid'
  /** The disk refused a write: the server stepped down until it can write again. */
  | 'storageFault';

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RaftError';
  }
}
