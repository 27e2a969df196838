// The ACL tables: tokens (by AccessorID, with a SecretID index), policies and roles (by ID, with
// unique name indexes), and the bootstrap marker (Consul: agent/consul/state/acl.go).
//
// MUST: pure. IDs, secrets, hashes and times are made by the leader before proposing; the FSM only
// stores them. Links are stored by ID; names are looked up on read (policies can be renamed).
// A token keeps its CreateIndex across updates. Bootstrapping sets the "acl-token-bootstrap"
// index, which is also the reset index `acl-bootstrap-reset` must name to bootstrap again.
import type { AclLink, AclPolicy, AclPolicyInput, AclRole, AclRoleInput, AclToken, AclTokenInput } from '../structs/acl.js';
import { StateError } from './errors.js';
import type { StateStore, WriteTxn } from './store.js';

/** structs.ACLBootstrapNotAllowedErr. */
export const BOOTSTRAP_NOT_ALLOWED = 'ACL bootstrap no longer allowed';

/** Bootstrap: store the first management token unless bootstrapping already happened (resetIndex reopens it once). */
export function aclBootstrapTxn(txn: WriteTxn, token: AclTokenInput, resetIndex: number, bootstrapIndex: number): void {
  if (bootstrapIndex > 0) {
    if (resetIndex === 0) throw new StateError(BOOTSTRAP_NOT_ALLOWED);
    if (resetIndex !== bootstrapIndex) throw new StateError(`Invalid bootstrap reset index (specified ${resetIndex}, reset index: ${bootstrapIndex})`);
  }
  aclTokenSetTxn(txn, [token]);
  txn.touch('acl-token-bootstrap');
}

/** Upsert tokens (Consul: ACLTokenBatchSet). A SecretID used by another token is refused. */
export function aclTokenSetTxn(txn: WriteTxn, tokens: readonly AclTokenInput[]): void {
  const t = txn.tables;
  for (const token of tokens) {
    if (!token.AccessorID) throw new StateError('Missing token AccessorID');
    if (!token.SecretID) throw new StateError('Missing token SecretID');
    const bySecret = t.aclTokenSecrets.get(token.SecretID);
    if (bySecret !== undefined && bySecret !== token.AccessorID) throw new StateError('Invalid Token: SecretID is already in use');
    for (const link of token.Policies) {
      if (!t.aclPolicies.has(link.ID)) throw new StateError(`No such policy with ID: ${link.ID}`);
    }
    for (const link of token.Roles) {
      if (!t.aclRoles.has(link.ID)) throw new StateError(`No such role with ID: ${link.ID}`);
    }
    const existing = t.aclTokens.get(token.AccessorID);
    if (existing && existing.SecretID !== token.SecretID) t.aclTokenSecrets.delete(existing.SecretID);
    const stored: AclToken = {
      ...token,
      Policies: token.Policies.map(idOnly),
      Roles: token.Roles.map(idOnly),
      CreateIndex: existing?.CreateIndex ?? txn.index,
      ModifyIndex: txn.index,
    };
    t.aclTokens.set(token.AccessorID, stored);
    t.aclTokenSecrets.set(token.SecretID, token.AccessorID);
  }
  if (tokens.length > 0) txn.touch('acl-tokens');
}

/** Delete tokens by AccessorID; unknown IDs are ignored. */
export function aclTokenDeleteTxn(txn: WriteTxn, accessorIds: readonly string[]): void {
  const t = txn.tables;
  for (const id of accessorIds) {
    const existing = t.aclTokens.get(id);
    if (!existing) continue;
    t.aclTokens.delete(id);
    t.aclTokenSecrets.delete(existing.SecretID);
    txn.touch('acl-tokens');
  }
}

/** Upsert policies; a name held by another policy is refused. */
export function aclPolicySetTxn(txn: WriteTxn, policies: readonly AclPolicyInput[]): void {
  const t = txn.tables;
  for (const p of policies) {
    if (!p.ID) throw new StateError('Missing policy ID');
    if (!p.Name) throw new StateError('Missing policy Name');
    const holder = t.aclPolicyNames.get(p.Name);
    if (holder !== undefined && holder !== p.ID) throw new StateError(`Invalid Policy: A Policy with Name "${p.Name}" already exists`);
    const existing = t.aclPolicies.get(p.ID);
    if (existing && existing.Name !== p.Name) t.aclPolicyNames.delete(existing.Name);
    t.aclPolicies.set(p.ID, { ...p, CreateIndex: existing?.CreateIndex ?? txn.index, ModifyIndex: txn.index });
    t.aclPolicyNames.set(p.Name, p.ID);
  }
  if (policies.length > 0) txn.touch('acl-policies');
}

export function aclPolicyDeleteTxn(txn: WriteTxn, ids: readonly string[]): void {
  const t = txn.tables;
  for (const id of ids) {
    const existing = t.aclPolicies.get(id);
    if (!existing) continue;
    t.aclPolicies.delete(id);
    t.aclPolicyNames.delete(existing.Name);
    txn.touch('acl-policies');
  }
}

/** Upsert roles; a name held by another role is refused, links must name existing policies. */
export function aclRoleSetTxn(txn: WriteTxn, roles: readonly AclRoleInput[]): void {
  const t = txn.tables;
  for (const r of roles) {
    if (!r.ID) throw new StateError('Missing role ID');
    if (!r.Name) throw new StateError('Missing role Name');
    const holder = t.aclRoleNames.get(r.Name);
    if (holder !== undefined && holder !== r.ID) throw new StateError(`Invalid Role: A Role with Name "${r.Name}" already exists`);
    for (const link of r.Policies) {
      if (!t.aclPolicies.has(link.ID)) throw new StateError(`No such policy with ID: ${link.ID}`);
    }
    const existing = t.aclRoles.get(r.ID);
    if (existing && existing.Name !== r.Name) t.aclRoleNames.delete(existing.Name);
    t.aclRoles.set(r.ID, { ...r, Policies: r.Policies.map(idOnly), CreateIndex: existing?.CreateIndex ?? txn.index, ModifyIndex: txn.index });
    t.aclRoleNames.set(r.Name, r.ID);
  }
  if (roles.length > 0) txn.touch('acl-roles');
}

export function aclRoleDeleteTxn(txn: WriteTxn, ids: readonly string[]): void {
  const t = txn.tables;
  for (const id of ids) {
    const existing = t.aclRoles.get(id);
    if (!existing) continue;
    t.aclRoles.delete(id);
    t.aclRoleNames.delete(existing.Name);
    txn.touch('acl-roles');
  }
}

const idOnly = (l: AclLink): AclLink => ({ ID: l.ID });

// ---- reads ----

export function aclTokenGetByAccessor(store: StateStore, accessorId: string): AclToken | undefined {
  return store.tables.aclTokens.get(accessorId);
}

export function aclTokenGetBySecret(store: StateStore, secretId: string): AclToken | undefined {
  const accessor = store.tables.aclTokenSecrets.get(secretId);
  return accessor === undefined ? undefined : store.tables.aclTokens.get(accessor);
}

/** Tokens ordered by AccessorID, optionally only those linking policy `policy` or role `role` (by ID). */
export function aclTokenList(store: StateStore, filter: { policy?: string; role?: string } = {}): AclToken[] {
  const out: AclToken[] = [];
  for (const tok of store.tables.aclTokens.values()) {
    if (filter.policy && !tok.Policies.some((l) => l.ID === filter.policy)) continue;
    if (filter.role && !tok.Roles.some((l) => l.ID === filter.role)) continue;
    out.push(tok);
  }
  return out;
}

export function aclPolicyGetById(store: StateStore, id: string): AclPolicy | undefined {
  return store.tables.aclPolicies.get(id);
}

export function aclPolicyGetByName(store: StateStore, name: string): AclPolicy | undefined {
  const id = store.tables.aclPolicyNames.get(name);
  return id === undefined ? undefined : store.tables.aclPolicies.get(id);
}

export function aclPolicyList(store: StateStore): AclPolicy[] {
  return [...store.tables.aclPolicies.values()];
}

export function aclRoleGetById(store: StateStore, id: string): AclRole | undefined {
  return store.tables.aclRoles.get(id);
}

export function aclRoleGetByName(store: StateStore, name: string): AclRole | undefined {
  const id = store.tables.aclRoleNames.get(name);
  return id === undefined ? undefined : store.tables.aclRoles.get(id);
}

/** Roles ordered by ID, optionally only those linking policy `policy`. */
export function aclRoleList(store: StateStore, policy?: string): AclRole[] {
  const out: AclRole[] = [];
  for (const r of store.tables.aclRoles.values()) if (!policy || r.Policies.some((l) => l.ID === policy)) out.push(r);
  return out;
}

/** Consul: CanBootstrapACLToken: allowed until bootstrapped; the reset index is the bootstrap's Raft index. */
export function aclCanBootstrap(store: StateStore): { allowed: boolean; resetIndex: number } {
  const idx = store.maxIndex('acl-token-bootstrap');
  return { allowed: idx === 0, resetIndex: idx };
}

/** The index ACL reads report: the max over the tables they read. */
export function aclIndex(store: StateStore, ...tables: ('acl-tokens' | 'acl-policies' | 'acl-roles')[]): number {
  return store.maxIndex(...tables);
}
