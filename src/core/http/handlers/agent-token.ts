// PUT /v1/agent/token/:type (Consul: agent/agent_endpoint.go AgentToken): set one of this agent's
// ACL tokens. Needs agent:write on this agent's node. Answered locally (never forwarded); with
// acl.enable_token_persistence the token is written to the data dir before the answer.
import { HttpError } from '../../errors.js';
import { AGENT_TOKEN_NAMES } from '../../acl/agent-tokens.js';
import type { Reply, RequestContext } from '../context.js';
import { field, goDecoderError, isObject } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { aclAgent, requireAclsEnabled } from './acl-tokens.js';

export async function agentTokenSet(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAclsEnabled(deps);
  const node = deps.config.nodeName;
  ctx.acl.require(ctx.acl.authz.agentWrite(node), 'agent', 'write', node);
  const text = ctx.body.toString('utf8');
  let token = '';
  if (text.trim() !== '') {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, `Request decode failed: ${goDecoderError(text, err)}`);
    }
    if (!isObject(v)) throw new HttpError(400, `Request decode failed: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type api.AgentToken`);
    const t = field(v, 'Token');
    if (t !== undefined && t !== null && typeof t !== 'string') throw new HttpError(400, `Request decode failed: json: cannot unmarshal ${typeof t} into Go struct field AgentToken.Token of type string`);
    token = typeof t === 'string' ? t : '';
  }
  const target = ctx.tail;
  const kind = AGENT_TOKEN_NAMES[target];
  if (!kind) throw new HttpError(404, `Token "${target}" is unknown`);
  const a = aclAgent(deps);
  try {
    await a.tokens.set(kind, token);
  } catch (err) {
    throw new HttpError(500, (err as Error).message);
  }
  if (kind === 'default' || kind === 'agent') void deps.agent.syncChanges();
  a.log.info(`Updated agent's ACL token: token=${target}`);
  return { status: 200, raw: '' };
}
