// /v1/agent/{self,members,leave,join,reload}: the local agent (Consul: agent/agent_endpoint.go).
// Agent PUTs answer 200 with an empty body, as Consul's do.
import { HttpError } from '../../errors.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';

export async function agentSelf(_ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  return { status: 200, body: deps.agent.self() };
}

export async function agentMembers(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  return { status: 200, body: deps.agent.members(ctx.has('wan') && ctx.get('wan') !== '0' && ctx.get('wan') !== 'false') };
}

export async function agentLeave(_ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  await deps.agent.leave();
  return { status: 200, raw: '' };
}

export async function agentJoin(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const addr = ctx.tail;
  if (addr === '') throw new HttpError(400, 'Missing address to join');
  const wan = ctx.has('wan') && ctx.get('wan') !== '0' && ctx.get('wan') !== 'false';
  await deps.agent.join(addr, wan);
  return { status: 200, raw: '' };
}

export async function agentReload(_ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  await deps.agent.reload();
  return { status: 200, raw: '' };
}
