// Errors a state-store write reports to its caller with Consul's exact text (the FSM turns them
// into an error result, the HTTP layer into a 500, as Consul's RPC errors are).
export class StateError extends Error {}
