// ACL objects as /v1/acl/* shows them (Consul: structs.ACLToken, ACLTokenListStub, ACLPolicy,
// ACLPolicyListStub, ACLRole JSON). Links carry the current name of their policy/role; links to
// deleted ones are dropped (Consul: state fixupTokenPolicyLinks / fixupTokenRoleLinks).
import { createHash } from 'node:crypto';
import type { AclLink, AclNodeIdentity, AclPolicy, AclRole, AclServiceIdentity, AclToken } from '../structs/acl.js';
import type { StateStore } from '../state/store.js';

/** What a token without acl:write sees instead of another token's secret (Consul: redactedToken). */
export const REDACTED_SECRET = '<hidden>';

function policyLinks(store: StateStore, links: readonly AclLink[]): AclLink[] {
  const out: AclLink[] = [];
  for (const l of links) {
    const p = store.tables.aclPolicies.get(l.ID);
    if (p) out.push({ ID: p.ID, Name: p.Name });
  }
  return out;
}

function roleLinks(store: StateStore, links: readonly AclLink[]): AclLink[] {
  const out: AclLink[] = [];
  for (const l of links) {
    const r = store.tables.aclRoles.get(l.ID);
    if (r) out.push({ ID: r.ID, Name: r.Name });
  }
  return out;
}

function serviceIdentities(ids: readonly AclServiceIdentity[]): Record<string, unknown>[] {
  return ids.map((s) => (s.Datacenters && s.Datacenters.length > 0 ? { ServiceName: s.ServiceName, Datacenters: s.Datacenters } : { ServiceName: s.ServiceName }));
}

function nodeIdentities(ids: readonly AclNodeIdentity[]): Record<string, unknown>[] {
  return ids.map((n) => ({ NodeName: n.NodeName, Datacenter: n.Datacenter }));
}

/** The omitempty fields of a token, in Consul's field order. */
function tokenBody(store: StateStore, t: AclToken, secret: string): Record<string, unknown> {
  const out: Record<string, unknown> = { AccessorID: t.AccessorID, SecretID: secret, Description: t.Description };
  const policies = policyLinks(store, t.Policies);
  if (policies.length > 0) out.Policies = policies;
  const roles = roleLinks(store, t.Roles);
  if (roles.length > 0) out.Roles = roles;
  if (t.ServiceIdentities.length > 0) out.ServiceIdentities = serviceIdentities(t.ServiceIdentities);
  if (t.NodeIdentities.length > 0) out.NodeIdentities = nodeIdentities(t.NodeIdentities);
  out.Local = t.Local;
  if (t.ExpirationTime) out.ExpirationTime = t.ExpirationTime;
  out.CreateTime = t.CreateTime;
  out.Hash = t.Hash;
  out.CreateIndex = t.CreateIndex;
  out.ModifyIndex = t.ModifyIndex;
  return out;
}

/** GET /v1/acl/token/:id and the token writes' answers. */
export function tokenJson(store: StateStore, t: AclToken, redact: boolean): Record<string, unknown> {
  return tokenBody(store, t, redact ? REDACTED_SECRET : t.SecretID);
}

/** One entry of GET /v1/acl/tokens (ACLTokenListStub: the same fields, no ExpirationTTL). */
export const tokenStubJson = tokenJson;

export function policyJson(p: AclPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = { ID: p.ID, Name: p.Name, Description: p.Description, Rules: p.Rules };
  if (p.Datacenters && p.Datacenters.length > 0) out.Datacenters = p.Datacenters;
  out.Hash = p.Hash;
  out.CreateIndex = p.CreateIndex;
  out.ModifyIndex = p.ModifyIndex;
  return out;
}

/** ACLPolicyListStub: no Rules; Datacenters always present (null when empty), as Go marshals a nil slice. */
export function policyStubJson(p: AclPolicy): Record<string, unknown> {
  return {
    ID: p.ID,
    Name: p.Name,
    Description: p.Description,
    Datacenters: p.Datacenters && p.Datacenters.length > 0 ? p.Datacenters : null,
    Hash: p.Hash,
    CreateIndex: p.CreateIndex,
    ModifyIndex: p.ModifyIndex,
  };
}

export function roleJson(store: StateStore, r: AclRole): Record<string, unknown> {
  const out: Record<string, unknown> = { ID: r.ID, Name: r.Name, Description: r.Description };
  const policies = policyLinks(store, r.Policies);
  if (policies.length > 0) out.Policies = policies;
  if (r.ServiceIdentities.length > 0) out.ServiceIdentities = serviceIdentities(r.ServiceIdentities);
  if (r.NodeIdentities.length > 0) out.NodeIdentities = nodeIdentities(r.NodeIdentities);
  out.Hash = r.Hash;
  out.CreateIndex = r.CreateIndex;
  out.ModifyIndex = r.ModifyIndex;
  return out;
}

/**
 * Content hashes over the same fields, in the same order, as Consul's SetHash. Consul uses
 * BLAKE2b-256, which Node's crypto does not offer at that length; SHA-256 gives a value of the same
 * size and meaning (clients treat Hash as opaque bytes that change when the content does).
 */
function hash(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('base64');
}

const identityParts = (s: readonly AclServiceIdentity[], n: readonly AclNodeIdentity[]): string[] => [
  ...s.flatMap((x) => [x.ServiceName, ...(x.Datacenters ?? [])]),
  ...n.flatMap((x) => [x.NodeName, x.Datacenter]),
];

export function tokenHash(t: Pick<AclToken, 'Description' | 'Local' | 'Policies' | 'Roles' | 'ServiceIdentities' | 'NodeIdentities'>): string {
  return hash([t.Description, t.Local ? 'local' : 'global', ...t.Policies.map((l) => l.ID), ...t.Roles.map((l) => l.ID), ...identityParts(t.ServiceIdentities, t.NodeIdentities)]);
}

export function policyHash(p: Pick<AclPolicy, 'Name' | 'Description' | 'Rules' | 'Datacenters'>): string {
  return hash([p.Name, p.Description, p.Rules, ...(p.Datacenters ?? [])]);
}

export function roleHash(r: Pick<AclRole, 'Name' | 'Description' | 'Policies' | 'ServiceIdentities' | 'NodeIdentities'>): string {
  return hash([r.Name, r.Description, ...r.Policies.map((l) => l.ID), ...identityParts(r.ServiceIdentities, r.NodeIdentities)]);
}
