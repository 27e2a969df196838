// ?near= sorting (Consul: agent/consul/rtt.go sortNodesByDistanceFrom): answers listing nodes are
// ordered by the estimated round trip time from a named node, using the LAN coordinates agents
// report. `_agent` names the agent that received the request. A source without a coordinate
// leaves the order alone; nodes without one go last, in their original order (a stable sort).
import { distanceSeconds, type Coordinate } from '../gossip/serf/coordinate.js';
import { nodeCoordinates } from '../state/coordinates.js';
import type { StateStore } from '../state/store.js';
import type { RequestContext } from './context.js';

/**
 * The ?near node, with `_agent` resolved to the agent that took the request (and written back
 * into the query, so answers cached per query never mix two agents' views).
 */
export function nearParam(ctx: RequestContext, localNode: string): string | undefined {
  const near = ctx.get('near');
  if (near === null || near === '') return undefined;
  if (near !== '_agent') return near;
  const self = ctx.originNode ?? localNode;
  ctx.query.set('near', self);
  return self;
}

function coordinateOf(store: StateStore, node: string): Coordinate | undefined {
  return nodeCoordinates(store, node)[0]?.Coord;
}

export function sortByNear<T>(store: StateStore, near: string | undefined, items: T[], nodeOf: (item: T) => string): T[] {
  if (near === undefined || items.length < 2) return items;
  const from = coordinateOf(store, near);
  if (!from) return items;
  const dist = new Map<string, number>();
  const d = (node: string): number => {
    let v = dist.get(node);
    if (v === undefined) {
      const c = coordinateOf(store, node);
      v = c && c.Vec.length === from.Vec.length ? distanceSeconds(from, c) : Number.POSITIVE_INFINITY;
      dist.set(node, v);
    }
    return v;
  };
  return items
    .map((item, i) => ({ item, i, d: d(nodeOf(item)) }))
    .sort((a, b) => (a.d === b.d ? a.i - b.i : a.d < b.d ? -1 : 1))
    .map((x) => x.item);
}
