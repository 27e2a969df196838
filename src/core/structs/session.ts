// Session wire and domain types (Consul: agent/structs/structs.go Session, api/session.go).
// Field names and order are Consul's JSON ones, so the HTTP layer serializes them as they are.

export type SessionBehavior = 'release' | 'delete';

export interface ServiceCheck {
  ID: string;
  Namespace: string;
}

export interface Session {
  ID: string;
  Name: string;
  Node: string;
  /** Nanoseconds, as Go's time.Duration. */
  LockDelay: number;
  Behavior: SessionBehavior;
  /** A Go duration ("30s"), or '' for no TTL. */
  TTL: string;
  /** null when absent (Go's nil slice). */
  NodeChecks: string[] | null;
  ServiceChecks: ServiceCheck[] | null;
  /** Deprecated since Consul 1.7; omitted from JSON when empty. */
  Checks: string[] | null;
  CreateIndex: number;
  ModifyIndex: number;
}

/** What a create proposes: the session before the FSM assigns its indexes. */
export type SessionInput = Omit<Session, 'CreateIndex' | 'ModifyIndex'>;

/** Every check a session is tied to, whatever field named it (Consul: Session.CheckIDs). */
export function sessionCheckIds(s: SessionInput): string[] {
  return [...(s.Checks ?? []), ...(s.NodeChecks ?? []), ...(s.ServiceChecks ?? []).map((c) => c.ID)];
}

export const SERF_CHECK_ID = 'serfHealth';
/** Consul: structs.MaxLockDelay. */
export const MAX_LOCK_DELAY_NS = 60e9;
/** Consul: structs.SessionTTLMultiplier: a session lives up to twice its TTL without a renew. */
export const SESSION_TTL_MULTIPLIER = 2;

/** The JSON form: Checks is `omitempty`. */
export function sessionJson(s: Session): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: s.ID,
    Name: s.Name,
    Node: s.Node,
    LockDelay: s.LockDelay,
    Behavior: s.Behavior,
    TTL: s.TTL,
    NodeChecks: s.NodeChecks,
    ServiceChecks: s.ServiceChecks,
  };
  if (s.Checks && s.Checks.length > 0) out.Checks = s.Checks;
  out.CreateIndex = s.CreateIndex;
  out.ModifyIndex = s.ModifyIndex;
  return out;
}
