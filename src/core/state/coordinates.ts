// The coordinates table (Consul: agent/consul/state/coordinate.go): each node's LAN network
// coordinate per network segment, as agents report them through Coordinate.Update batches.
//
// MUST: pure; an update for a node the catalog does not hold is dropped (a coordinate must never
//       create a node), and deregistering a node deletes its coordinates.
import type { Coordinate } from '../gossip/serf/coordinate.js';
import type { StateStore, WriteTxn } from './store.js';

/** structs.Coordinate: one row of /v1/coordinate/nodes. */
export interface CoordinateEntry {
  Node: string;
  Segment: string;
  Partition?: string;
  Coord: Coordinate;
}

const key = (node: string, segment: string): string => `${node}\x00${segment}`;

/** Apply one batch; returns how many rows were written. */
export function coordinateBatchUpdateTxn(txn: WriteTxn, updates: readonly CoordinateEntry[]): number {
  let n = 0;
  for (const u of updates) {
    if (!txn.tables.nodes.has(u.Node)) continue;
    txn.tables.coordinates.set(key(u.Node, u.Segment), { Node: u.Node, Segment: u.Segment, Coord: u.Coord });
    n++;
  }
  if (n > 0) txn.touch('coordinates');
  return n;
}

/** Called when a node leaves the catalog. */
export function deleteNodeCoordinatesTxn(txn: WriteTxn, node: string): void {
  const gone: string[] = [];
  txn.tables.coordinates.forRange(node + '\x00', node + '\x00\uffff', true, (k) => void gone.push(k));
  for (const k of gone) txn.tables.coordinates.delete(k);
  if (gone.length > 0) txn.touch('coordinates');
}

export function listCoordinates(store: StateStore): CoordinateEntry[] {
  return [...store.tables.coordinates.values()];
}

export function nodeCoordinates(store: StateStore, node: string): CoordinateEntry[] {
  const out: CoordinateEntry[] = [];
  store.tables.coordinates.forRange(node + '\x00', node + '\x00\uffff', true, (_k, v) => void out.push(v));
  return out;
}
