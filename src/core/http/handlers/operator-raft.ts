// /v1/operator/raft/{configuration,peer,transfer-leader}: the Raft peer set, removing a stale peer
// and moving leadership (Consul: agent/operator_endpoint.go, agent/consul/operator_raft_endpoint.go).
// MUST: parameter checks and their error texts are Consul's, word for word (clients match them).
// MUST: every server row carries LastIndex (`consul operator raft list-peers` reads its
//       "Commit Index" column from it); Consul fills it from autopilot's view of each server.
import { HttpError } from '../../errors.js';
import type { OperatorFacade, RaftServerView } from '../operator-facade.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';

/** api.RaftServer as Consul 1.17+ answers it (LastIndex last). */
interface RaftServerReply extends RaftServerView {
  LastIndex: number;
}

/**
 * Autopilot's last known log index per server ID. A facade that already reports LastIndex on its
 * rows wins; otherwise the health report supplies it, and a server unknown to autopilot gets 0
 * (Go's zero value for a missing map entry, as Consul answers).
 */
function lastIndexes(op: OperatorFacade): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  try {
    for (const s of op.autopilotHealth().Servers) out.set(s.ID, s.LastIndex);
  } catch {
    // Health is only decoration here: the configuration must still be answered without it.
  }
  return out;
}

export function operatorRaftConfiguration(_ctx: RequestContext, deps: ApiDeps): Reply {
  const op = deps.requireServer().operator;
  const config = op.raftConfiguration();
  const known = lastIndexes(op);
  const servers = config.Servers.map((s: RaftServerView & { LastIndex?: number }): RaftServerReply => ({
    ID: s.ID,
    Node: s.Node,
    Address: s.Address,
    Leader: s.Leader,
    ProtocolVersion: s.ProtocolVersion,
    Voter: s.Voter,
    LastIndex: s.LastIndex ?? known.get(s.ID) ?? 0,
  }));
  return { status: 200, body: { Servers: servers, Index: config.Index } };
}

export async function operatorRaftPeer(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const hasId = ctx.has('id');
  const hasAddress = ctx.has('address');
  if (!hasId && !hasAddress) {
    throw new HttpError(400, "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
  }
  if (hasId && hasAddress) throw new HttpError(400, 'Must specify only one of ?id or ?address');
  const op = deps.requireServer().operator;
  await op.removePeer(hasId ? { id: ctx.get('id') ?? '' } : { address: ctx.get('address') ?? '' });
  return { status: 200, raw: '' };
}

export async function operatorRaftTransferLeader(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const id = ctx.get('id') ?? '';
  const op = deps.requireServer().operator;
  // An empty ?id lets the server pick the most up-to-date voter, as Consul does.
  await op.transferLeader(id === '' ? undefined : id);
  return { status: 200, body: { Success: true } };
}
