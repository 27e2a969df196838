// ACL tokens, policies and roles as they are stored in Raft and shown by /v1/acl/* (Consul:
// agent/structs/acl.go ACLToken, ACLPolicy, ACLRole). Links are stored by ID only; the name a
// reader sees is looked up when the answer is built, since a policy or role may be renamed.

export interface AclLink {
  ID: string;
  /** Never stored (Consul clears it before Raft); filled in from the current policy/role on reads. */
  Name?: string;
}

export interface AclServiceIdentity {
  ServiceName: string;
  Datacenters?: string[];
}

export interface AclNodeIdentity {
  NodeName: string;
  Datacenter: string;
}

export interface AclToken {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies: AclLink[];
  Roles: AclLink[];
  ServiceIdentities: AclServiceIdentity[];
  NodeIdentities: AclNodeIdentity[];
  Local: boolean;
  /** RFC 3339 with nanoseconds, as Go marshals time.Time; absent = never expires. */
  ExpirationTime?: string;
  CreateTime: string;
  /** Base64 of the content hash (Consul: []byte Hash). */
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AclPolicy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters?: string[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AclRole {
  ID: string;
  Name: string;
  Description: string;
  Policies: AclLink[];
  ServiceIdentities: AclServiceIdentity[];
  NodeIdentities: AclNodeIdentity[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export type AclTokenInput = Omit<AclToken, 'CreateIndex' | 'ModifyIndex'>;
export type AclPolicyInput = Omit<AclPolicy, 'CreateIndex' | 'ModifyIndex'>;
export type AclRoleInput = Omit<AclRole, 'CreateIndex' | 'ModifyIndex'>;

/** The expiry instant of a token in ms since the epoch, or undefined when it never expires. */
export function tokenExpiryMs(t: Pick<AclToken, 'ExpirationTime'>): number | undefined {
  if (t.ExpirationTime === undefined || t.ExpirationTime === '') return undefined;
  const ms = Date.parse(t.ExpirationTime);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Consul: ACLToken.IsExpired (an expiry strictly before `nowMs`). */
export function tokenIsExpired(t: Pick<AclToken, 'ExpirationTime'>, nowMs: number): boolean {
  const exp = tokenExpiryMs(t);
  return exp !== undefined && exp < nowMs;
}
