// A blocking read over some state tables whose serialized answer is shared per table index
// (see ../response-cache.ts). Catalog and health reads use it.
import type { StateStore, TableName } from '../../state/store.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { cacheKey } from '../response-cache.js';

export async function cachedRead(ctx: RequestContext, deps: ApiDeps, tables: readonly TableName[], read: (store: StateStore) => unknown): Promise<Reply> {
  const server = deps.requireServer();
  const key = cacheKey(ctx.path, ctx.query, ctx.pretty);
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    for (const t of tables) ws?.table(t);
    const index = server.store.maxIndex(...tables);
    return { index, value: deps.responses.get(key, index, () => read(server.store), ctx.pretty, ctx.acl) };
  });
  return { status: 200, raw: r.value, contentType: 'application/json', meta: r.meta };
}

/**
 * The same for a read of one service (its instances, checks, nodes): it wakes only when that
 * service changes and answers with that service's index, as Consul's health and catalog service
 * endpoints do, so a change elsewhere in the catalog neither wakes nor moves it.
 */
export async function cachedServiceRead(ctx: RequestContext, deps: ApiDeps, service: string, read: (store: StateStore) => unknown): Promise<Reply> {
  const server = deps.requireServer();
  const key = cacheKey(ctx.path, ctx.query, ctx.pretty);
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.service(service);
    const index = server.store.serviceIndex(service);
    return { index, value: deps.responses.get(key, index, () => read(server.store), ctx.pretty, ctx.acl) };
  });
  return { status: 200, raw: r.value, contentType: 'application/json', meta: r.meta };
}
