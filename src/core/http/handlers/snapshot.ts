// GET /v1/snapshot (save) and PUT /v1/snapshot (restore) (Consul: agent/snapshot_endpoint.go).
import { HttpError } from '../../errors.js';
import { SnapshotArchiveError } from '../../snapshot/index.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';

/** Consul: SnapshotAllowed. A snapshot holds every token, so both directions need acl:write. */
function requireSnapshot(ctx: RequestContext): void {
  ctx.acl.require(ctx.acl.authz.snapshot(), 'acl', 'write');
}

export async function snapshotGet(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireSnapshot(ctx);
  const server = deps.requireServer();
  const { archive, index } = await server.snapshotArchive(ctx.has('stale'));
  return {
    status: 200,
    raw: archive,
    contentType: 'application/x-gzip',
    headers: { 'X-Consul-Index': String(index) },
  };
}

export async function snapshotPut(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireSnapshot(ctx);
  const server = deps.requireServer();
  try {
    await server.restoreArchive(ctx.body);
  } catch (err) {
    if (err instanceof SnapshotArchiveError) throw new HttpError(500, `failed to restore snapshot: ${err.message}`);
    if (err instanceof HttpError) throw err;
    throw new HttpError(500, `failed to restore snapshot: ${(err as Error).message}`);
  }
  return { status: 200, raw: '' };
}
