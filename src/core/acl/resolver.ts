// Token resolution (Consul: agent/consul/acl.go ACLResolver, agent/acl.go): a request's secret ->
// its RequestAcl. Servers resolve synchronously from their own state; client agents ask a server
// over RPC and keep the answer for acl.token_ttl, falling back to acl.down_policy when no server
// answers. The agent_recovery token works on this agent without any server.
//
// MUST: the hot path on a server is two Map lookups and an integer compare (cached authorizers
//       are keyed on the secret and checked against the ACL tables' index).
// MUST: secrets are compared in constant time where a guess could be timed (agent_recovery).
import { timingSafeEqual } from 'node:crypto';
import type { Authorizer } from './authorizer.js';
import { DENY_ALL } from './authorizer.js';
import type { AgentTokens } from './agent-tokens.js';
import { aclNotFound, ANONYMOUS_TOKEN_ID, permissionDeniedCause } from './errors.js';
import { AuthorizerCompiler, identityOfToken, type AclStateView, type TokenIdentity } from './identity.js';
import { compileAuthorizer, defaultAuthorizer } from './policy.js';
import { RequestAcl, type AclResolver } from './request-acl.js';
import { parseRules } from './rules.js';
import type { DownPolicy } from '../config/acl.js';

/** The anonymous token's secret (Consul: anonymousToken). */
export const ANONYMOUS_SECRET = 'anonymous';
/** The AccessorID errors name for the agent recovery token (Consul: acl.AgentRecoveryTokenName). */
export const AGENT_RECOVERY_ACCESSOR = 'agent-recovery-token';

export interface ResolverOptions {
  readonly defaultPolicy: 'allow' | 'deny';
  readonly downPolicy: DownPolicy;
  readonly tokenTtlMs: number;
  readonly datacenter: string;
  readonly nodeName: string;
  readonly tokens: AgentTokens;
  /** Servers: the local ACL tables, and a number that moves whenever any of them changes. */
  readonly local?: { readonly view: AclStateView; generation(): number };
  /** Client agents: a server's answer (null: unknown or expired secret); rejects when none answers. */
  readonly remote?: (secret: string) => Promise<TokenIdentity | null>;
  readonly now?: () => number;
  readonly warn?: (msg: string) => void;
}

interface LocalEntry {
  readonly generation: number;
  readonly identity: TokenIdentity;
  readonly authz: Authorizer;
}

interface RemoteEntry {
  readonly fetchedAt: number;
  readonly identity: TokenIdentity;
  readonly authz: Authorizer;
}

const MAX_CACHED = 50_000;

/**
 * The anonymous token before the leader has stored it (a new cluster, or a follower that has not
 * caught up): Consul synthesizes it "for early use" so tokenless requests get the default policy
 * instead of "ACL not found".
 */
export const ANONYMOUS_IDENTITY: TokenIdentity = Object.freeze({ accessorId: ANONYMOUS_TOKEN_ID, expiresAtMs: undefined, management: false, sources: [] });

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  // Compare against itself when lengths differ so the time does not depend on where they differ.
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export class TokenResolver implements AclResolver {
  readonly enabled = true;
  readonly defaultPolicy: 'allow' | 'deny';
  private readonly compiler: AuthorizerCompiler;
  private readonly recoveryAuthz: Authorizer;
  private readonly localCache = new Map<string, LocalEntry>();
  private readonly remoteCache = new Map<string, RemoteEntry>();
  private readonly inflight = new Map<string, Promise<RemoteEntry | null>>();
  private readonly now: () => number;

  constructor(private readonly o: ResolverOptions) {
    this.defaultPolicy = o.defaultPolicy;
    this.compiler = new AuthorizerCompiler(defaultAuthorizer(o.defaultPolicy));
    this.now = o.now ?? Date.now;
    // Consul's agentRecoveryAuthorizer: write on this agent, read on every node, nothing else.
    const rules = parseRules(`agent ${JSON.stringify(o.nodeName)} {\n  policy = "write"\n}\nnode_prefix "" {\n  policy = "read"\n}\n`);
    this.recoveryAuthz = compileAuthorizer([rules], DENY_ALL);
  }

  /** The secret a request stands for: its own, else the agent's default token, else anonymous. */
  effectiveSecret(secret: string | undefined): string {
    if (secret !== undefined && secret !== '') return secret;
    const dflt = this.o.tokens.get('default');
    return dflt !== '' ? dflt : ANONYMOUS_SECRET;
  }

  resolve(secret: string | undefined): RequestAcl | Promise<RequestAcl> {
    const s = this.effectiveSecret(secret);
    const recovery = this.o.tokens.get('agentRecovery');
    if (recovery !== '' && constantTimeEqual(s, recovery)) return new RequestAcl(this.recoveryAuthz, AGENT_RECOVERY_ACCESSOR, true);
    if (s === 'allow' || s === 'deny' || s === 'manage') throw permissionDeniedCause('Cannot resolve root ACL');
    if (this.o.local) return this.resolveLocal(s, this.o.local);
    return this.resolveRemote(s);
  }

  private resolveLocal(secret: string, local: NonNullable<ResolverOptions['local']>): RequestAcl {
    const generation = local.generation();
    let entry = this.localCache.get(secret);
    if (!entry || entry.generation !== generation) {
      const token = local.view.tokenBySecret(secret);
      let identity: TokenIdentity;
      if (token) identity = identityOfToken(local.view, token, this.o.datacenter);
      else if (secret === ANONYMOUS_SECRET) identity = ANONYMOUS_IDENTITY;
      else {
        this.localCache.delete(secret);
        throw aclNotFound();
      }
      if (this.localCache.size >= MAX_CACHED) this.localCache.clear();
      entry = { generation, identity, authz: this.compiler.compile(identity) };
      this.localCache.set(secret, entry);
    }
    const exp = entry.identity.expiresAtMs;
    if (exp !== undefined && exp < this.now()) throw aclNotFound(); // Consul: an expired token is not found
    return new RequestAcl(entry.authz, entry.identity.accessorId, true);
  }

  private async resolveRemote(secret: string): Promise<RequestAcl> {
    const now = this.now();
    const cached = this.remoteCache.get(secret);
    const usable = (e: RemoteEntry): boolean => e.identity.expiresAtMs === undefined || e.identity.expiresAtMs >= this.now();
    if (cached && now - cached.fetchedAt < this.o.tokenTtlMs && usable(cached)) return this.identityAcl(cached);
    if (cached && this.o.downPolicy === 'async-cache' && usable(cached)) {
      void this.fetch(secret).catch(() => undefined); // refresh behind the stale answer
      return this.identityAcl(cached);
    }
    let fresh: RemoteEntry | null;
    try {
      fresh = await this.fetch(secret);
    } catch (err) {
      return this.downAcl(cached, err);
    }
    if (!fresh || !usable(fresh)) throw aclNotFound();
    return this.identityAcl(fresh);
  }

  private fetch(secret: string): Promise<RemoteEntry | null> {
    const remote = this.o.remote;
    if (!remote) return Promise.reject(new Error('no ACL source'));
    let p = this.inflight.get(secret);
    if (!p) {
      p = remote(secret).then(
        (identity) => {
          this.inflight.delete(secret);
          if (!identity) {
            this.remoteCache.delete(secret);
            return null;
          }
          const entry: RemoteEntry = { fetchedAt: this.now(), identity, authz: this.compiler.compile(identity) };
          if (this.remoteCache.size >= MAX_CACHED) this.remoteCache.clear();
          this.remoteCache.set(secret, entry);
          return entry;
        },
        (err: unknown) => {
          this.inflight.delete(secret);
          throw err;
        },
      );
      this.inflight.set(secret, p);
    }
    return p;
  }

  /** No server answered (Consul's down policy): the cached identity, or the policy's fallback. */
  private downAcl(cached: RemoteEntry | undefined, err: unknown): RequestAcl {
    this.o.warn?.(`Error resolving token: error="${(err as Error).message}"`);
    switch (this.o.downPolicy) {
      case 'allow':
        return new RequestAcl(defaultAuthorizer('allow'), ANONYMOUS_TOKEN_ID, true);
      case 'deny':
        return new RequestAcl(DENY_ALL, ANONYMOUS_TOKEN_ID, true);
      default:
        if (cached) return this.identityAcl(cached);
        return new RequestAcl(defaultAuthorizer(this.o.defaultPolicy), ANONYMOUS_TOKEN_ID, true);
    }
  }

  private identityAcl(e: RemoteEntry): RequestAcl {
    return new RequestAcl(e.authz, e.identity.accessorId, true);
  }

  /** Forget cached client-side answers (a token was changed through this agent). */
  purge(): void {
    this.remoteCache.clear();
  }
}
