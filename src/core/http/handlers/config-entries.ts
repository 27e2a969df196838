// /v1/config and /v1/config/:kind[/:name] (Consul: agent/config_endpoint.go).
import { HttpError } from '../../errors.js';
import { checkKind, ConfigEntryError, normalizeEntry } from '../../connect/config-entry.js';
import { configEntryDelete, configEntrySet } from '../../server/intention-endpoint.js';
import { configEntriesIndex, configEntryGet, configEntryList } from '../../state/config-entries.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { parseJson } from '../decode.js';
import type { ApiDeps } from '../deps.js';

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
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('config-entries');
    return { index: configEntriesIndex(server.store), value: name === undefined ? configEntryList(server.store, kind) : configEntryGet(server.store, kind, name) };
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
  return { status: 200, body: await configEntrySet(deps.requireServer(), entry, cas) };
}

/** DELETE /v1/config/:kind/:name (?cas=N). */
export async function configDelete(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const parts = ctx.tail.split('/').filter((p) => p !== '');
  if (parts.length !== 2) throw new HttpError(400, 'Must provide both a kind and name to delete');
  const [kind, name] = parts as [string, string];
  kindOk(kind);
  const cas = ctx.has('cas') ? ctx.uint('cas', 0, () => new HttpError(400, `Failed to parse cas parameter: ${ctx.get('cas') ?? ''}`)) : undefined;
  const ok = await configEntryDelete(deps.requireServer(), kind, name, cas);
  return { status: 200, body: cas === undefined ? {} : ok };
}
