// The ACL system (Consul: acl/ and agent/consul/acl*.go). This folder owns:
//   - authorizer.ts   the Authorizer contract every check goes through, and the constant ones;
//   - errors.ts       Consul's ACL error texts and statuses, and the built-in IDs;
//   - filters.ts      what list answers keep for a token (Consul: acl_filter.go);
//   - request-acl.ts  one request's identity (authorizer + AccessorID), token extraction from a
//                     request, and the resolver contract the HTTP server calls;
//   - rules.ts        the rules language (HCL/JSON) -> ParsedRules, with Consul's error texts;
//   - merge.ts        several policies of one token -> one set of rules (deny > write > list > read);
//   - rule-tree.ts    the per-resource trie: most specific rule wins, O(name length) lookups;
//   - policy.ts       compileAuthorizer (rules chained before a fallback), the default-policy
//                     authorizers, MANAGE_ALL and the built-in policies' rules text;
//   - identities.ts   the rules Consul synthesizes for service and node identities;
//   - identity.ts     a token's identity (accessor, expiry, rules sources) and the cached compiler;
//   - resolver.ts     TokenResolver: secret -> RequestAcl (servers: local state; clients: RPC,
//                     token_ttl, down_policy; agent_recovery);
//   - agent-tokens.ts the agent's own tokens and their acl-tokens.json persistence.
// Token/policy/role state is in state/acl.ts, the writes in server/acl-endpoint.ts, the endpoints
// in http/handlers/acl-*.ts (docs/acl.md).
// Must not import agent or server code: they depend on this folder, not the other way round.
export * from './authorizer.js';
export * from './errors.js';
export * from './request-acl.js';
export * from './filters.js';
export * from './rules.js';
export * from './policy.js';
export { mergeRules, takesPrecedenceOver } from './merge.js';
export { nodeIdentityRules, serviceIdentityRules } from './identities.js';
export { AuthorizerCompiler, identityOfToken, type AclStateView, type RulesSource, type TokenIdentity } from './identity.js';
export { AGENT_RECOVERY_ACCESSOR, ANONYMOUS_SECRET, TokenResolver, type ResolverOptions } from './resolver.js';
export { AGENT_TOKEN_NAMES, AgentTokens, TOKENS_FILE, type AgentTokenKind } from './agent-tokens.js';
