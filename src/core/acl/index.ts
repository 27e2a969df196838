// The ACL system (Consul: acl/ and agent/consul/acl*.go). This folder owns:
//   - authorizer.ts   the Authorizer contract every check goes through, and the constant ones;
//   - errors.ts       Consul's ACL error texts and statuses, and the built-in IDs;
//   - filters.ts      what list answers keep for a token (Consul: acl_filter.go);
//   - request-acl.ts  one request's identity (authorizer + AccessorID), token extraction from a
//                     request, and the resolver contract the HTTP server calls;
// and, as they land: rules parsing (HCL/JSON), policy compilation, token/policy/role state in
// Raft, resolution with caching, the /v1/acl/* endpoints and the audit log's accessor naming.
// Must not import agent or server code: they depend on this folder, not the other way round.
export * from './authorizer.js';
export * from './errors.js';
export * from './request-acl.js';
export * from './filters.js';
