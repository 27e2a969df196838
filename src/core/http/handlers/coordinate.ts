// /v1/coordinate/* (Consul: agent/coordinate_endpoint.go): the LAN coordinates agents report,
// the WAN coordinates of every datacenter's servers, and the update endpoint agents use.
// ACLs (agent/consul/coordinate_endpoint.go): the node list drops nodes without node:read, one
// node's coordinates need node:read (403), an update node:write; datacenters need nothing.
import { HttpError } from '../../errors.js';
import type { Coordinate } from '../../gossip/serf/coordinate.js';
import { listCoordinates, nodeCoordinates, type CoordinateEntry } from '../../state/coordinates.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { DecodeError, field, isObject, parseJson, str } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { Errors } from '../../errors.js';
import { filterNodes } from '../../acl/index.js';

/** structs.DatacenterMap: one datacenter's servers and their WAN coordinates. */
export interface DatacenterMap {
  Datacenter: string;
  AreaID: string;
  Coordinates: { Node: string; Coord: Coordinate }[];
}

/** The WAN pool's servers by datacenter (this server's view), sorted by name. */
export function datacenterMaps(deps: ApiDeps): DatacenterMap[] {
  const byDc = new Map<string, DatacenterMap>();
  for (const c of deps.agent.wanCoordinates?.() ?? []) {
    let m = byDc.get(c.dc);
    if (!m) byDc.set(c.dc, (m = { Datacenter: c.dc, AreaID: 'wan', Coordinates: [] }));
    m.Coordinates.push({ Node: c.name, Coord: c.coord });
  }
  const out = [...byDc.values()].sort((a, b) => (a.Datacenter < b.Datacenter ? -1 : a.Datacenter > b.Datacenter ? 1 : 0));
  for (const m of out) m.Coordinates.sort((a, b) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0));
  return out;
}

export function coordinateDatacenters(_ctx: RequestContext, deps: ApiDeps): Reply {
  deps.requireServer();
  return { status: 200, body: datacenterMaps(deps) };
}

/** ?segment= narrows to one network segment (Consul Enterprise's segments; OSS has only ""). */
function segmentFilter(ctx: RequestContext): (e: CoordinateEntry) => boolean {
  if (!ctx.has('segment')) return () => true;
  const seg = ctx.get('segment') ?? '';
  return (e) => e.Segment === seg;
}

export async function coordinateNodes(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const keep = segmentFilter(ctx);
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('coordinates');
    return { index: server.store.maxIndex('coordinates'), value: filterNodes(ctx.acl, listCoordinates(server.store).filter(keep)) };
  });
  return { status: 200, body: r.value, meta: r.meta };
}

export async function coordinateNode(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const node = ctx.tail;
  ctx.acl.require(ctx.acl.authz.nodeRead(node), 'node', 'read', node);
  const keep = segmentFilter(ctx);
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('coordinates');
    return { index: server.store.maxIndex('coordinates'), value: nodeCoordinates(server.store, node).filter(keep) };
  });
  // Consul answers 404 (and no body) when the node has no coordinate.
  if (r.value.length === 0) return { status: 404, raw: '', meta: r.meta };
  return { status: 200, body: r.value, meta: r.meta };
}

function coordinateOf(v: unknown): Coordinate {
  if (!isObject(v)) throw new DecodeError('json: cannot unmarshal into Go struct field CoordinateUpdateRequest.Coord of type coordinate.Coordinate');
  const vec = field(v, 'Vec');
  const nums = (x: unknown, name: string): number => {
    if (x === undefined || x === null) return 0;
    if (typeof x !== 'number') throw new DecodeError(`json: cannot unmarshal ${typeof x} into Go struct field Coordinate.Coord.${name} of type float64`);
    return x;
  };
  if (vec !== undefined && vec !== null && !Array.isArray(vec)) throw new DecodeError('json: cannot unmarshal into Go struct field Coordinate.Coord.Vec of type []float64');
  return {
    Vec: ((vec as unknown[] | null | undefined) ?? []).map((x) => nums(x, 'Vec')),
    Error: nums(field(v, 'Error'), 'Error'),
    Adjustment: nums(field(v, 'Adjustment'), 'Adjustment'),
    Height: nums(field(v, 'Height'), 'Height'),
  };
}

/** PUT /v1/coordinate/update {Node, Segment, Coord}: queued, written with the next batch. */
export function coordinateUpdate(ctx: RequestContext, deps: ApiDeps): Reply {
  const server = deps.requireServer();
  const body = parseJson(ctx.body);
  if (!isObject(body)) throw Errors.decode('json: cannot unmarshal into Go value of type structs.CoordinateUpdateRequest');
  let node: string;
  let segment: string;
  let coord: Coordinate;
  try {
    node = str(body, 'Node');
    segment = str(body, 'Segment');
    coord = coordinateOf(field(body, 'Coord'));
  } catch (err) {
    if (err instanceof DecodeError) throw Errors.decode(err.message);
    throw err;
  }
  if (node === '') throw new HttpError(400, 'Missing node name');
  ctx.acl.require(ctx.acl.authz.nodeWrite(node), 'node', 'write', node);
  server.coordinateUpdates.submit(node, segment, coord);
  return { status: 200, raw: '' };
}
