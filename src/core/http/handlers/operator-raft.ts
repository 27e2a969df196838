// /v1/operator/raft/{configuration,peer,transfer-leader}: the Raft peer set, removing a stale peer
// and moving leadership (Consul: agent/operator_endpoint.go, agent/consul/operator_raft_endpoint.go).
// ACLs: operator:read to read the configuration, operator:write to change it (operator_raft_endpoint.go).
// MUST: parameter checks and their error texts are Consul's, word for word (clients match them).
// MUST: every server row carries LastIndex (`consul operator raft list-peers` reads its
//       "Commit Index" column from it); the server fills it from its view of each peer.
import { HttpError } from '../../errors.js';
import type { RaftServerView } from '../operator-facade.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { requireOperator } from './agent-acl.js';

export function operatorRaftConfiguration(ctx: RequestContext, deps: ApiDeps): Reply {
  requireOperator(ctx.acl, 'read');
  const config = deps.requireServer().operator.raftConfiguration();
  // Consul 1.17+ field order, LastIndex last (0 when the server does not know it, Go's zero value).
  const servers = config.Servers.map((s: RaftServerView) => ({
    ID: s.ID,
    Node: s.Node,
    Address: s.Address,
    Leader: s.Leader,
    ProtocolVersion: s.ProtocolVersion,
    Voter: s.Voter,
    LastIndex: s.LastIndex ?? 0,
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
  requireOperator(ctx.acl, 'write');
  const op = deps.requireServer().operator;
  await op.removePeer(hasId ? { id: ctx.get('id') ?? '' } : { address: ctx.get('address') ?? '' });
  return { status: 200, raw: '' };
}

export async function operatorRaftTransferLeader(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireOperator(ctx.acl, 'write');
  const id = ctx.get('id') ?? '';
  const op = deps.requireServer().operator;
  // An empty ?id lets the server pick the most up-to-date voter, as Consul does.
  await op.transferLeader(id === '' ? undefined : id);
  return { status: 200, body: { Success: true } };
}
