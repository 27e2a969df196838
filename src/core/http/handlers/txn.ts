// PUT /v1/txn: atomic KV transactions (Consul: agent/txn_endpoint.go). All ops succeed together
// (200 {Results, Errors:null}) or none apply (409 {Results:null, Errors:[{OpIndex, What}]}).
// A transaction of reads only is served from the state store without a Raft round.
// ACLs (Consul: agent/consul/txn_endpoint.go preCheck + kvsPreApply): every op is checked before
// anything applies, and each denied op is one 409 error; reads are filtered on the way out.
import { HttpError } from '../../errors.js';
import { READ_VERBS, txnReadOnly, type TxnKvOp, type TxnOutcome, type TxnResult } from '../../state/txn.js';
import type { Reply, RequestContext } from '../context.js';
import { dirEntryJson } from '../encode.js';
import { bytes, DecodeError, isObject, num, obj, parseJson, str } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import type { Consistency, Server } from '../../server/index.js';
import { permissionDenied, type RequestAcl } from '../../acl/index.js';

const MAX_TXN_OPS = 128;

function decodeOps(body: Buffer, maxValue: number): TxnKvOp[] {
  let raw: unknown;
  try {
    raw = parseJson(body);
  } catch (err) {
    throw new HttpError(400, `Failed to parse body: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new HttpError(400, 'Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps');
  if (raw.length > MAX_TXN_OPS) {
    throw new HttpError(413, `Transaction contains too many operations (${raw.length} > ${MAX_TXN_OPS})`);
  }
  return raw.map((op, i) => {
    try {
      if (!isObject(op)) throw new DecodeError('json: cannot unmarshal non-object into Go value of type api.TxnOp');
      const kv = obj(op, 'KV');
      if (!kv) throw new HttpError(400, `Failed to parse body: operation ${i} has no KV operation (only KV operations are supported yet)`);
      const value = bytes(kv, 'Value');
      if (value.length > maxValue) {
        throw new HttpError(413, `Value for key "${str(kv, 'Key')}" is too large (${value.length} > ${maxValue} bytes)`);
      }
      return { verb: str(kv, 'Verb'), key: str(kv, 'Key'), value, flags: num(kv, 'Flags'), index: num(kv, 'Index'), session: str(kv, 'Session') };
    } catch (err) {
      if (err instanceof DecodeError) throw new HttpError(400, `Failed to parse body: ${err.message}`);
      throw err;
    }
  });
}

/** The permission an op needs (kvsPreApply), or undefined when it passes. */
function deniedOp(acl: RequestAcl, op: TxnKvOp): string | undefined {
  const a = acl.authz;
  switch (op.verb) {
    case 'get':
    case 'get-tree':
    case 'get-or-empty':
      return undefined; // filtered on the output side
    case 'check-index':
    case 'check-session':
      return a.keyRead(op.key) ? undefined : permissionDenied(acl.accessorId, 'key', 'read', op.key).message;
    case 'delete-tree':
      return a.keyWritePrefix(op.key) ? undefined : permissionDenied(acl.accessorId, 'key', 'write', op.key).message;
    default:
      return a.keyWrite(op.key) ? undefined : permissionDenied(acl.accessorId, 'key', 'write', op.key).message;
  }
}

/** Consul's preCheck: every denied op, by index; null when all may run. */
function preCheck(acl: RequestAcl, ops: readonly TxnKvOp[]): TxnOutcome | null {
  if (!acl.enabled) return null;
  const errors = ops.flatMap((op, i) => {
    const what = deniedOp(acl, op);
    return what === undefined ? [] : [{ OpIndex: i, What: what }];
  });
  return errors.length > 0 ? { results: null, errors } : null;
}

/** FilterTxnResults: KV results the token may not read are dropped (reads only report it). */
function filterResults(acl: RequestAcl, outcome: TxnOutcome, isRead: boolean): TxnOutcome {
  if (!acl.enabled || outcome.errors !== null) return outcome;
  const visible = (r: TxnResult): boolean => acl.authz.keyRead(r.KV.Key);
  const results = isRead ? acl.filter(outcome.results, visible) : outcome.results.filter(visible);
  return { results, errors: null };
}

// Go clients parse the query meta of 200 and 409 answers alike, so both carry it.
function reply(outcome: TxnOutcome, server: Server, consistency: Consistency): Reply {
  const meta = { index: Math.max(server.store.latestIndex, 1), knownLeader: server.knownLeader(), lastContactMs: server.lastContactMs(), consistency };
  if (outcome.errors !== null) return { status: 409, body: { Results: null, Errors: outcome.errors }, meta };
  return { status: 200, body: { Results: outcome.results.map((r) => ({ KV: dirEntryJson(r.KV) })), Errors: null }, meta };
}

export async function txn(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.body.length > deps.config.txnMaxReqLen) throw new HttpError(413, `Request body(${ctx.body.length} bytes) too large, max size: ${deps.config.txnMaxReqLen} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#txn_max_req_len.`);
  const ops = decodeOps(ctx.body, deps.config.kvMaxValueSize);
  const server = deps.requireServer();
  const consistency = ctx.consistency();
  const denied = preCheck(ctx.acl, ops);
  if (denied) return reply(denied, server, consistency);
  if (ops.every((op) => READ_VERBS.has(op.verb))) {
    await server.readCheck(consistency);
    return reply(filterResults(ctx.acl, txnReadOnly(server.store, ops), true), server, consistency);
  }
  const result = await server.apply({ t: 'txn', v: 1, ops });
  if (result.t !== 'txn') throw new HttpError(500, 'unexpected transaction result');
  return reply(filterResults(ctx.acl, result.value, false), server, 'default');
}
