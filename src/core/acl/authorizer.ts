// The Authorizer: what a resolved token may do (Consul: acl.Authorizer). Every ACL check in the
// agent goes through this interface; policies compile into it (rules.ts/policy.ts), built-ins and
// the default policy are implementations of it.
//
// MUST: methods are pure and synchronous (checks sit on hot request paths).
// MUST: "most specific rule wins" is decided inside the implementation; callers only ask.

/** Consul's resources (acl.Resource), as they appear in rules and in permission errors. */
export type Resource =
  | 'acl'
  | 'agent'
  | 'event'
  | 'intention'
  | 'key'
  | 'keyring'
  | 'mesh'
  | 'node'
  | 'operator'
  | 'query'
  | 'service'
  | 'session';

/** Access levels that appear in errors (acl.AccessLevel.String()). */
export type AccessLevel = 'read' | 'list' | 'write';

export interface Authorizer {
  aclRead(): boolean;
  aclWrite(): boolean;
  agentRead(node: string): boolean;
  agentWrite(node: string): boolean;
  eventRead(name: string): boolean;
  eventWrite(name: string): boolean;
  /** Intentions on destination `service` (service rules' `intentions = ...`, and mesh/service write). */
  intentionRead(service: string): boolean;
  intentionWrite(service: string): boolean;
  /** The intentions default (default_policy of the ACL system: allow unless deny). */
  intentionDefaultAllow(): boolean;
  keyRead(key: string): boolean;
  /** `list` access: needed for recursive reads and ?keys listing of `prefix`. */
  keyList(prefix: string): boolean;
  keyWrite(key: string): boolean;
  /** Write on every key under `prefix` (a recursive delete): no deny rule may sit beneath it. */
  keyWritePrefix(prefix: string): boolean;
  keyringRead(): boolean;
  keyringWrite(): boolean;
  meshRead(): boolean;
  meshWrite(): boolean;
  nodeRead(name: string): boolean;
  /** Read on every node (nodes listing without filtering, e.g. for operator views). */
  nodeReadAll(): boolean;
  nodeWrite(name: string): boolean;
  operatorRead(): boolean;
  operatorWrite(): boolean;
  preparedQueryRead(name: string): boolean;
  preparedQueryWrite(name: string): boolean;
  serviceRead(name: string): boolean;
  serviceReadAll(): boolean;
  serviceWrite(name: string): boolean;
  /** Write on at least one service (Consul: ServiceWriteAny, for connect CA leaf signing). */
  serviceWriteAny(): boolean;
  sessionRead(node: string): boolean;
  sessionWrite(node: string): boolean;
  /** Snapshots save and restore everything, tokens included: acl:write. */
  snapshot(): boolean;
}

/** An authorizer that answers every question the same way (Consul: AllowAll/DenyAll/ManageAll). */
function constant(answer: boolean): Authorizer {
  const f = (): boolean => answer;
  return {
    aclRead: f,
    aclWrite: f,
    agentRead: f,
    agentWrite: f,
    eventRead: f,
    eventWrite: f,
    intentionRead: f,
    intentionWrite: f,
    intentionDefaultAllow: f,
    keyRead: f,
    keyList: f,
    keyWrite: f,
    keyWritePrefix: f,
    keyringRead: f,
    keyringWrite: f,
    meshRead: f,
    meshWrite: f,
    nodeRead: f,
    nodeReadAll: f,
    nodeWrite: f,
    operatorRead: f,
    operatorWrite: f,
    preparedQueryRead: f,
    preparedQueryWrite: f,
    serviceRead: f,
    serviceReadAll: f,
    serviceWrite: f,
    serviceWriteAny: f,
    sessionRead: f,
    sessionWrite: f,
    snapshot: f,
  };
}

/** Everything allowed: ACLs disabled, or the management policy (default_policy=allow is policy.ts defaultAuthorizer: it still denies acl and snapshot). */
export const ALLOW_ALL: Authorizer = constant(true);
/** Everything denied: default_policy=deny with no rules. */
export const DENY_ALL: Authorizer = constant(false);
