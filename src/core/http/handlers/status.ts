// /v1/status/leader and /v1/status/peers, answered from Raft (Consul: agent/status_endpoint.go).
import type { Reply } from '../context.js';
import type { ApiDeps } from '../deps.js';

export async function statusLeader(_ctx: unknown, deps: ApiDeps): Promise<Reply> {
  return { status: 200, body: deps.agent.server?.leaderAddr() ?? '' };
}

export async function statusPeers(_ctx: unknown, deps: ApiDeps): Promise<Reply> {
  return { status: 200, body: deps.agent.server?.peers() ?? [] };
}
