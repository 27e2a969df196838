// The ACL system (Consul: acl/ and agent/consul/acl*.go). This folder owns:
//   - authorizer.ts   the Authorizer contract every check goes through, and the constant ones;
//   - errors.ts       Consul's ACL error texts and statuses, and the built-in IDs;
//   - request-acl.ts  one request's identity (authorizer + AccessorID), token extraction from a
//                     request, and the resolver contract the HTTP server calls;
//   - rules.ts        the rules language (HCL/JSON) -> ParsedRules, with Consul's error texts;
//   - merge.ts        several policies of one token -> one set of rules (deny > write > list > read);
//   - rule-tree.ts    the per-resource trie: most specific rule wins, O(name length) lookups;
//   - policy.ts       compileAuthorizer (rules chained before a fallback), the default-policy
//                     authorizers, MANAGE_ALL and the built-in policies' rules text;
//   - identities.ts   the rules Consul synthesizes for service and node identities;
// and, as they land: token/policy/role state in
// Raft, resolution with caching, the /v1/acl/* endpoints and the audit log's accessor naming.
// Must not import agent or server code: they depend on this folder, not the other way round.
export * from './authorizer.js';
export * from './errors.js';
export * from './request-acl.js';
export * from './rules.js';
export * from './policy.js';
export { mergeRules, takesPrecedenceOver } from './merge.js';
export { nodeIdentityRules, serviceIdentityRules } from './identities.js';
