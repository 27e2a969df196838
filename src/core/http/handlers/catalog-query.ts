// Query parameters shared by catalog and health reads.
import type { CatalogNode } from '../../structs/catalog.js';
import type { RequestContext } from '../context.js';

/** ?node-meta=key:value (repeatable; every pair must match). Consul: ParseMetaPair. */
export function parseNodeMeta(ctx: RequestContext): [string, string][] {
  return ctx.query.getAll('node-meta').map((pair) => {
    const at = pair.indexOf(':');
    return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
  });
}

export function nodeMetaMatches(node: CatalogNode | undefined, filters: readonly [string, string][]): boolean {
  if (filters.length === 0) return true;
  if (!node) return false;
  return filters.every(([k, v]) => node.Meta[k] === v);
}

/**
 * ?peer=NAME on the service-instance reads (Consul 1.21 parsePeerName: /v1/catalog/service and
 * /v1/health/service; the other catalog and health reads ignore it). Cluster peering is not built
 * here, so a named peer is never known and has no imported instances: Consul answers [] for it.
 */
export function isPeerQuery(ctx: RequestContext): boolean {
  return (ctx.get('peer') ?? '') !== '';
}
