// /v1/operator/keyring: list, install, use and remove gossip keys across the LAN and WAN pools
// (Consul: agent/operator_endpoint.go OperatorKeyringEndpoint, keyringErrorsOrNil).
import { HttpError } from '../../errors.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps, KeyringOp, KeyringResult } from '../deps.js';
import { requireOperator } from './agent-acl.js';
import { goDecoderError } from '../decode.js';

const OPS: Readonly<Record<string, KeyringOp>> = { GET: 'list', POST: 'install', PUT: 'use', DELETE: 'remove' };

function relayFactor(ctx: RequestContext): number {
  const raw = ctx.get('relay-factor');
  if (raw === null || raw === '') return 0;
  if (!/^[+-]?\d+$/.test(raw)) throw new HttpError(400, `Error parsing relay factor: strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
  const n = Number(raw);
  if (n < 0 || n > 5) throw new HttpError(400, 'Invalid relay-factor: Relay factor must be in range: [0, 5]');
  return n;
}

function keyFrom(ctx: RequestContext): string {
  if (ctx.body.length === 0) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `Request decode failed: ${goDecoderError(ctx.body.toString('utf8'), err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new HttpError(400, 'Request decode failed: body is not an object');
  const key = (parsed as Record<string, unknown>).Key;
  if (key !== undefined && typeof key !== 'string') throw new HttpError(400, 'Request decode failed: Key must be a string');
  return key ?? '';
}

/** Consul: keyringErrorsOrNil, joined as go-multierror prints them. */
function keyringErrors(results: readonly KeyringResult[]): string | undefined {
  const errs: string[] = [];
  for (const r of results) {
    if (!r.Error) continue;
    let pool = r.WAN ? 'WAN' : `${r.Datacenter} (LAN)`;
    if (r.Segment) pool += ` [segment: ${r.Segment}]`;
    errs.push(`${pool} error: ${r.Error}`);
    for (const [node, msg] of Object.entries(r.Messages ?? {})) errs.push(`${node}: ${msg}`);
  }
  if (errs.length === 0) return undefined;
  const s = errs.length === 1 ? '' : 's';
  return `${errs.length} error${s} occurred:\n${errs.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}

export async function operatorKeyring(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const op = OPS[ctx.method];
  if (!op) throw new HttpError(405, `method ${ctx.method} not allowed`);
  // Consul: Internal.KeyringOperation: keyring:read to list, keyring:write to change.
  if (op === 'list') ctx.acl.require(ctx.acl.authz.keyringRead(), 'keyring', 'read');
  else ctx.acl.require(ctx.acl.authz.keyringWrite(), 'keyring', 'write');
  const key = op === 'list' ? '' : keyFrom(ctx);
  const relay = relayFactor(ctx);
  const results = await deps.agent.keyringOperation(op, key, relay);
  const errors = keyringErrors(results);
  if (errors) throw new HttpError(500, errors);
  if (op !== 'list') return { status: 200, raw: '' };
  return { status: 200, body: results.map(({ Error: _e, ...rest }) => rest) };
}

export async function agentForceLeave(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const node = ctx.tail;
  // Consul: AgentForceLeave needs operator:write (it acts on the whole cluster).
  requireOperator(ctx.acl, 'write');
  if (node === '') throw new HttpError(400, 'Missing node name');
  const flag = (name: string): boolean => ctx.has(name) && ctx.get(name) !== '0' && ctx.get(name) !== 'false';
  await deps.agent.forceLeave(node, flag('prune'), flag('wan'));
  return { status: 200, raw: '' };
}
