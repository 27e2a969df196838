// A token's identity: who it is (AccessorID), until when, and which rules it carries (its policies,
// its roles' policies, and the rules synthesized for service and node identities), and the
// compilation of those rules into one Authorizer with caches (Consul: agent/consul/acl.go
// ACLResolver.resolveTokenToIdentityAndPolicies, structs.ACLPolicies.Compile).
//
// Servers build identities from their own state; client agents get them from a server over RPC
// (the same shape travels on the wire), so both sides compile with the same code.
import type { AclPolicy, AclRole, AclToken } from '../structs/acl.js';
import { tokenExpiryMs } from '../structs/acl.js';
import type { Authorizer } from './authorizer.js';
import { GLOBAL_MANAGEMENT_POLICY_ID } from './errors.js';
import { nodeIdentityRules, serviceIdentityRules } from './identities.js';
import { compileAuthorizer, MANAGE_ALL } from './policy.js';
import { parseRules, type ParsedRules } from './rules.js';

/** One source of rules, with a key that changes whenever its text does. */
export interface RulesSource {
  readonly key: string;
  readonly rules: string;
}

export interface TokenIdentity {
  readonly accessorId: string;
  /** Expiry in ms since the epoch; undefined = never. */
  readonly expiresAtMs: number | undefined;
  /** Linked to the built-in global-management policy (directly or through a role): manage all. */
  readonly management: boolean;
  readonly sources: readonly RulesSource[];
}

/** What a server reads to build an identity (its state store). */
export interface AclStateView {
  tokenBySecret(secret: string): AclToken | undefined;
  policy(id: string): AclPolicy | undefined;
  role(id: string): AclRole | undefined;
}

const appliesHere = (dcs: readonly string[] | null | undefined, dc: string): boolean => !dcs || dcs.length === 0 || dcs.includes(dc);

/** The identity of `token` in datacenter `dc` (Consul skips policies scoped to other datacenters). */
export function identityOfToken(view: AclStateView, token: AclToken, dc: string): TokenIdentity {
  const sources: RulesSource[] = [];
  const seenPolicies = new Set<string>();
  let management = false;
  const addPolicy = (id: string): void => {
    if (seenPolicies.has(id)) return;
    seenPolicies.add(id);
    const p = view.policy(id);
    if (!p || !appliesHere(p.Datacenters, dc)) return;
    if (p.ID === GLOBAL_MANAGEMENT_POLICY_ID) management = true;
    sources.push({ key: `p:${p.ID}:${p.ModifyIndex}`, rules: p.Rules });
  };
  const addIdentities = (owner: Pick<AclToken, 'ServiceIdentities' | 'NodeIdentities'>): void => {
    for (const s of owner.ServiceIdentities) {
      if (appliesHere(s.Datacenters, dc)) sources.push({ key: `s:${s.ServiceName}`, rules: serviceIdentityRules(s.ServiceName) });
    }
    for (const n of owner.NodeIdentities) {
      if (n.Datacenter === dc) sources.push({ key: `n:${n.NodeName}`, rules: nodeIdentityRules(n.NodeName) });
    }
  };
  for (const l of token.Policies) addPolicy(l.ID);
  addIdentities(token);
  for (const l of token.Roles) {
    const r = view.role(l.ID);
    if (!r) continue;
    for (const pl of r.Policies) addPolicy(pl.ID);
    addIdentities(r);
  }
  return { accessorId: token.AccessorID, expiresAtMs: tokenExpiryMs(token), management, sources };
}

/**
 * Compiles identities into authorizers. Parsed rules are cached by source key and authorizers by
 * the joined keys of their sources, so tokens sharing policies share one authorizer, and a policy
 * edit (new ModifyIndex, new key) is never served from a stale entry.
 */
export class AuthorizerCompiler {
  private readonly parsed = new Map<string, ParsedRules>();
  private readonly compiled = new Map<string, Authorizer>();

  constructor(private readonly fallback: Authorizer) {}

  compile(identity: TokenIdentity): Authorizer {
    if (identity.management) return MANAGE_ALL;
    if (identity.sources.length === 0) return this.fallback;
    const key = identity.sources.map((s) => s.key).join('|');
    let authz = this.compiled.get(key);
    if (authz) return authz;
    const rules: ParsedRules[] = [];
    for (const s of identity.sources) {
      let p = this.parsed.get(s.key);
      if (!p) {
        try {
          // Stored rules are read leniently (Consul: WarnOnDuplicateKey for rules already in Raft).
          p = parseRules(s.rules, { allowDuplicateKeys: true });
        } catch {
          continue; // a stored policy that no longer parses grants nothing
        }
        this.parsed.set(s.key, p);
      }
      rules.push(p);
    }
    authz = compileAuthorizer(rules, this.fallback);
    if (this.compiled.size > 10_000) this.compiled.clear(); // bounded: keys of edited policies never recur
    this.compiled.set(key, authz);
    return authz;
  }

  /** Forget everything (a policy or role changed: its old keys will not be asked for again anyway). */
  trim(): void {
    if (this.parsed.size > 10_000) this.parsed.clear();
  }
}
