// The HTTP API: route table, request context, blocking queries, handlers per API group.
export { HttpApi } from './server.js';
export { ApiDeps } from './deps.js';
export type { AgentFacade, Member } from './deps.js';
