// /v1/config and /v1/config/:kind[/:name] (Consul: agent/config_endpoint.go).
// ACLs: each kind's CanRead/CanWrite (agent/structs/config_entry*.go): reading one entry the token
// may not read is 403, a list drops them; writes and deletes need CanWrite.
import { HttpError } from '../../errors.js';
import { checkKind, ConfigEntryError, normalizeEntry } from '../../connect/config-entry.js';
import type { ConfigEntry } from '../../structs/connect.js';
import { configEntryDelete, configEntrySet } from '../../server/intention-endpoint.js';
import { configEntriesIndex, configEntryGet, configEntryList } from '../../state/config-entries.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { parseJson } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import type { RequestAcl } from '../../acl/index.js';

/** Consul's ConfigEntry.CanRead / CanWrite for the kinds this agent stores; throws 403 when denied. */
function requireEntryAccess(acl: RequestAcl, kind: string, name: string, level: 'read' | 'write'): void {
  if (!acl.enabled) return;
  const a = acl.authz;
  if (kind === 'proxy-defaults') {
    // Anyone may read proxy-defaults; writing needs mesh:write.
    if (level === 'write') acl.require(a.meshWrite(), 'mesh', 'write');
  } else if (kind === 'service-intentions') {
    acl.require(level === 'read' ? a.intentionRead(name) : a.intentionWrite(name), 'intention', level, name);
  } else {
    acl.require(level === 'read' ? a.serviceRead(name) : a.serviceWrite(name), 'service', level, name);
  }
}

function canRead(acl: RequestAcl, kind: string, name: string): boolean {
  try {
    requireEntryAccess(acl, kind, name, 'read');
    return true;
  } catch {
    return false;
  }
}

function kindOk(kind: string): void {
  try {
    checkKind(kind);
  } catch (err) {
    if (err instanceof ConfigEntryError) throw new HttpError(500, err.message);
    throw err;
  }
}

/** GET /v1/config/:kind (list) or /v1/config/:kind/:name (one entry, 404 when absent). */
export async function configGet(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const parts = ctx.tail.split('/').filter((p) => p !== '');
  if (parts.length === 0 || parts.length > 2) throw new HttpError(400, 'Must provide either a kind or both kind and name');
  const [kind, name] = parts as [string, string | undefined];
  kindOk(kind);
  if (name !== undefined) requireEntryAccess(ctx.acl, kind, name, 'read');
  const server = deps.requireServer();
  const r = await blockingQuery<ConfigEntry | ConfigEntry[] | undefined>(ctx, server, deps.limits, (ws) => {
    ws?.table('config-entries');
    if (name !== undefined) return { index: configEntriesIndex(server.store), value: configEntryGet(server.store, kind, name) };
    const list = configEntryList(server.store, kind);
    return { index: configEntriesIndex(server.store), value: ctx.acl.filter(list, (e) => canRead(ctx.acl, kind, e.Name)) };
  });
  if (r.value === undefined) throw new HttpError(404, `Config entry not found for "${kind}" / "${name ?? ''}"`);
  return { status: 200, body: r.value, meta: r.meta };
}

/** PUT /v1/config (?cas=N): true, or false when the CAS did not hold. */
export async function configPut(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  let entry;
  try {
    entry = normalizeEntry(parseJson(ctx.body));
  } catch (err) {
    if (err instanceof ConfigEntryError) throw new HttpError(400, `Request decoding failed: ${err.message}`);
    throw err;
  }
  const cas = ctx.has('cas') ? ctx.uint('cas', 0, () => new HttpError(400, `Failed to parse cas parameter: ${ctx.get('cas') ?? ''}`)) : undefined;
  requireEntryAccess(ctx.acl, entry.Kind, entry.Name, 'write');
  return { status: 200, body: await configEntrySet(deps.requireServer(), entry, cas) };
}

/** DELETE /v1/config/:kind/:name (?cas=N). */
export async function configDelete(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const parts = ctx.tail.split('/').filter((p) => p !== '');
  if (parts.length !== 2) throw new HttpError(400, 'Must provide both a kind and name to delete');
  const [kind, name] = parts as [string, string];
  kindOk(kind);
  const cas = ctx.has('cas') ? ctx.uint('cas', 0, () => new HttpError(400, `Failed to parse cas parameter: ${ctx.get('cas') ?? ''}`)) : undefined;
  requireEntryAccess(ctx.acl, kind, name, 'write');
  const ok = await configEntryDelete(deps.requireServer(), kind, name, cas);
  return { status: 200, body: cas === undefined ? {} : ok };
}
