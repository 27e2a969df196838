// Executed prepared queries kept per definition and catalog index, with every instance already
// serialized: each execution shuffles, filters and sorts, so answers differ per request, but the
// per-instance JSON does not. A request then costs a shuffle and a join, not a catalog walk and a
// full JSON.stringify (the health endpoint's shared-answer cache plays the same role there).
//
// MUST: an entry is used only at the exact index it was built at; ACL filtering and sorting work
//       on the kept nodes, so no token ever sees another token's filtering.
import type { ExecuteResponse, QueryNode } from './execute.js';

export interface ExecutedQuery {
  readonly index: number;
  readonly response: ExecuteResponse;
  /** JSON of response.Nodes[i], in the same order. */
  readonly fragments: readonly string[];
}

const MAX_ENTRIES = 256;

export class QueryResultCache {
  private readonly entries = new Map<string, ExecutedQuery>();

  get(key: string, index: number, build: () => ExecuteResponse): ExecutedQuery {
    const hit = this.entries.get(key);
    if (hit && hit.index === index) return hit;
    const response = build();
    const e: ExecutedQuery = { index, response, fragments: response.Nodes.map((n) => JSON.stringify(n)) };
    this.entries.delete(key);
    this.entries.set(key, e);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return e;
  }
}

/** The answer as JSON text from kept fragments (`order` picks and orders them). */
export function executeJson(r: Omit<ExecuteResponse, 'Nodes'>, fragments: readonly string[], order: readonly number[]): string {
  let nodes = '';
  for (let i = 0; i < order.length; i++) nodes += (i > 0 ? ',' : '') + (fragments[order[i] as number] as string);
  return `{"Service":${JSON.stringify(r.Service)},"Nodes":[${nodes}],"DNS":${JSON.stringify(r.DNS)},"Datacenter":${JSON.stringify(r.Datacenter)},"Failovers":${r.Failovers}}`;
}

export type { QueryNode };
