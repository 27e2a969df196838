// /v1/kv/<key>: GET (get, ?recurse, ?keys&separator, ?raw), PUT (?flags, ?cas, ?acquire,
// ?release), DELETE (?recurse, ?cas). Consul: agent/kvs_endpoint.go.
// ACLs (Consul: agent/consul/kvs_endpoint.go): a single GET needs key:read (403 otherwise);
// ?recurse and ?keys filter what the token cannot read (404 when nothing is left); every write
// needs key:write on its key, and a recursive delete write on the whole prefix (kvsPreApply).
import { Errors, HttpError } from '../../errors.js';
import { kvsGet, kvsList, kvsListKeys } from '../../state/kvs.js';
import type { KvFlags, KvsOp } from '../../structs/kv.js';
import { kvsApply } from '../../server/session-endpoint.js';
import { blockingQuery, then } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { dirEntriesJsonText } from '../encode.js';
import { dirEntryJsonBytes } from '../shared-answer.js';
import type { ApiDeps } from '../deps.js';
import { filterDirEntries, filterKeys } from '../../acl/index.js';

function strconvError(v: string): HttpError {
  return new HttpError(500, `strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
}

const U64_MAX = 18446744073709551615n;

/** ?flags= as Go's strconv.ParseUint(v, 10, 64): the full uint64 range, exactly (see KvFlags). */
function parseFlags(v: string | null): KvFlags {
  if (v === null || v === '') return 0;
  if (!/^\d+$/.test(v)) throw strconvError(v);
  const n = Number(v);
  if (Number.isSafeInteger(n)) return n;
  const big = BigInt(v);
  if (big > U64_MAX) throw new HttpError(500, `strconv.ParseUint: parsing ${JSON.stringify(v)}: value out of range`);
  return big.toString();
}

function conflicting(ctx: RequestContext, ...flags: string[]): void {
  if (flags.filter((f) => ctx.has(f)).length > 1) throw Errors.conflictingFlags(ctx.query.toString());
}

export function kvGet(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  const server = deps.requireServer();
  const key = ctx.tail;
  if (ctx.has('keys')) {
    const sep = ctx.get('separator') || ctx.get('seperator') || '';
    const r = blockingQuery(ctx, server, deps.limits, (ws) => {
      ws?.prefix(key);
      const l = kvsListKeys(server.store, key, sep);
      return { index: l.index, value: filterKeys(ctx.acl, l.keys) };
    });
    return then(r, ({ value: keys, meta }): Reply => {
      if (keys.length === 0 && key !== '') return { status: 404, raw: '', meta };
      return { status: 200, body: keys, meta };
    });
  }
  if (ctx.has('recurse')) {
    const r = blockingQuery(ctx, server, deps.limits, (ws) => {
      ws?.prefix(key);
      const l = kvsList(server.store, key);
      return { index: l.index, value: filterDirEntries(ctx.acl, l.entries) };
    });
    return then(r, ({ value, meta }): Reply => {
      if (value.length === 0) return { status: 404, raw: '', meta };
      return { status: 200, json: dirEntriesJsonText(value, ctx.pretty), meta };
    });
  }
  if (key === '') throw Errors.missingKey();
  ctx.acl.require(ctx.acl.authz.keyRead(key), 'key', 'read', key);
  const r = blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.key(key);
    const g = kvsGet(server.store, key);
    return { index: g.index, value: g.entry };
  });
  return then(r, ({ value: entry, meta }): Reply => {
    if (!entry) return { status: 404, raw: '', meta };
    if (ctx.has('raw')) {
      return {
        status: 200,
        raw: entry.Value,
        contentType: 'text/plain',
        headers: { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' },
        meta,
      };
    }
    // One serialized answer per (key, index), shared by every query it wakes (shared-answer.ts).
    return { status: 200, raw: dirEntryJsonBytes(entry, ctx.pretty), contentType: 'application/json', meta };
  });
}

export async function kvPut(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const key = ctx.tail;
  if (key === '') throw Errors.missingKey();
  conflicting(ctx, 'cas', 'acquire', 'release');
  if (ctx.body.length > deps.config.kvMaxValueSize) throw Errors.tooLarge(ctx.body.length, deps.config.kvMaxValueSize);
  const flags = parseFlags(ctx.get('flags'));
  const casRaw = ctx.get('cas');
  const cas = ctx.uint('cas', -1, () => strconvError(casRaw ?? ''));
  let op: KvsOp = 'set';
  let session = '';
  if (ctx.has('cas')) op = 'cas';
  if (ctx.has('acquire')) {
    op = 'lock';
    session = ctx.get('acquire') ?? '';
  }
  if (ctx.has('release')) {
    op = 'unlock';
    session = ctx.get('release') ?? '';
  }
  const server = deps.requireServer();
  ctx.acl.require(ctx.acl.authz.keyWrite(key), 'key', 'write', key);
  const ok = await kvsApply(server, { op, key, value: new Uint8Array(ctx.body), flags, session, index: Math.max(cas, 0) });
  return { status: 200, body: ok };
}

export async function kvDelete(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const key = ctx.tail;
  conflicting(ctx, 'recurse', 'cas');
  let op: KvsOp = 'delete';
  if (ctx.has('recurse')) op = 'delete-tree';
  else if (key === '') throw Errors.missingKey();
  const casRaw = ctx.get('cas');
  const cas = ctx.uint('cas', -1, () => strconvError(casRaw ?? ''));
  if (ctx.has('cas')) op = 'delete-cas';
  const server = deps.requireServer();
  if (op === 'delete-tree') ctx.acl.require(ctx.acl.authz.keyWritePrefix(key), 'key', 'write', key);
  else ctx.acl.require(ctx.acl.authz.keyWrite(key), 'key', 'write', key);
  const result = await server.apply({
    t: 'kvs',
    v: 1,
    req: { op, key, value: new Uint8Array(0), flags: 0, session: '', index: Math.max(cas, 0) },
  });
  return { status: 200, body: result.t === 'bool' ? result.value : false };
}
