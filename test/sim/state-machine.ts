// What a simulated server runs above Raft: a deterministic state machine with snapshots. The Raft
// stack uses a toy KV (toy-kv.ts); the full stack uses the real FSM and state store (fsm-app.ts).
//
// MUST: apply() is deterministic and depends only on the state and the entry; restore(snapshot())
// gives an equal state (same fingerprint).

export interface SimStateMachine {
  /** Applies one committed command entry; the result goes to whoever proposed it. */
  apply(index: number, data: Uint8Array): unknown;
  snapshot(): Uint8Array;
  /** A canonical text of the whole state: two replicas at one applied index must agree on it. */
  fingerprint(): string;
}

export interface SimApp<S extends SimStateMachine> {
  readonly name: string;
  /** The state machine of a fresh server (data is empty) or one restored from a snapshot. */
  restore(data: Uint8Array, index: number): S;
  /** A harmless command the liveness check writes to see every member apply it. */
  marker(now: number): Uint8Array;
}
