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
