// The server role: Raft, FSM, state store and the write/read endpoints over them.
export { Server } from './server.js';
export type { Consistency, ServerOptions } from './server.js';
export { canRetry, forwardToLeader, type LeaderTarget } from './leader-forward.js';
