// /v1/agent/{self,members,leave,join,reload}: the local agent (Consul: agent/agent_endpoint.go).
// Agent PUTs answer 200 with an empty body, as Consul's do. ACLs: agent:read to read this agent,
// agent:write to change it; members are filtered by node:read (Consul: filterMembers).
import { HttpError } from '../../errors.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { filterNodes } from '../../acl/index.js';
import { requireAgent } from './agent-acl.js';

export async function agentSelf(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAgent(ctx.acl, deps, 'read');
  return { status: 200, body: deps.agent.self() };
}

export async function agentMembers(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const members = deps.agent.members(ctx.has('wan') && ctx.get('wan') !== '0' && ctx.get('wan') !== 'false');
  return { status: 200, body: ctx.acl.enabled ? filterNodes(ctx.acl, members.map((m) => ({ ...m, Node: m.Name }))).map(({ Node: _n, ...m }) => m) : members };
}

export async function agentLeave(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAgent(ctx.acl, deps, 'write');
  await deps.agent.leave();
  return { status: 200, raw: '' };
}

export async function agentJoin(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const addr = ctx.tail;
  requireAgent(ctx.acl, deps, 'write');
  if (addr === '') throw new HttpError(400, 'Missing address to join');
  const wan = ctx.has('wan') && ctx.get('wan') !== '0' && ctx.get('wan') !== 'false';
  await deps.agent.join(addr, wan);
  return { status: 200, raw: '' };
}

export async function agentReload(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAgent(ctx.acl, deps, 'write');
  await deps.agent.reload();
  return { status: 200, raw: '' };
}
