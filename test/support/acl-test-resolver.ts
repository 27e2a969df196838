// An AclResolver for tests: fixed secrets mapped to authorizers compiled from rules text, the
// anonymous token for a request without one, Consul's 403 "ACL not found" for any other secret.
// It hands out one Authorizer object per token (as the real resolver does per policy version), so
// the response cache and the DNS view can share answers between requests of the same token.
import { aclNotFound, ANONYMOUS_TOKEN_ID, MANAGE_ALL, RequestAcl, type AclResolver, type Authorizer } from '../../src/core/acl/index.js';
import { compileTestRules } from './acl-test-rules.js';

export interface TestToken {
  readonly secret: string;
  readonly accessorId: string;
  /** Rules text (HCL), or 'management' for the global-management policy. */
  readonly rules: string | 'management';
}

export class TestAclResolver implements AclResolver {
  readonly enabled = true;
  private readonly tokens = new Map<string, { accessorId: string; authz: Authorizer }>();
  private anonymous: Authorizer;

  constructor(
    tokens: readonly TestToken[],
    readonly defaultPolicy: 'allow' | 'deny' = 'deny',
    /** The anonymous token's rules (none by default). */
    anonymousRules = '',
  ) {
    for (const t of tokens) this.tokens.set(t.secret, { accessorId: t.accessorId, authz: this.compile(t.rules) });
    this.anonymous = this.compile(anonymousRules);
  }

  /** The anonymous token's policy changed (a new Authorizer, as the real resolver would make). */
  setAnonymousRules(rules: string): void {
    this.anonymous = this.compile(rules);
  }

  private compile(rules: string): Authorizer {
    return rules === 'management' ? MANAGE_ALL : compileTestRules(rules, this.defaultPolicy);
  }

  resolve(secret: string | undefined): RequestAcl {
    if (secret === undefined || secret === '' || secret === 'anonymous') return new RequestAcl(this.anonymous, ANONYMOUS_TOKEN_ID, true);
    const t = this.tokens.get(secret);
    if (!t) throw aclNotFound();
    return new RequestAcl(t.authz, t.accessorId, true);
  }
}
