// Coordinate endpoints (api/coordinate.go): servers' WAN coordinates by datacenter, and the LAN
// coordinates agents report.
import type { Coordinate } from '../gossip/serf/coordinate.js';
import { type HttpTransport, parseJson } from './http.js';

export interface CoordinateEntry {
  Node: string;
  Segment: string;
  Coord: Coordinate;
}

export interface CoordinateDatacenterMap {
  Datacenter: string;
  AreaID: string;
  Coordinates: CoordinateEntry[];
}

export class CoordinateApi {
  constructor(private readonly http: HttpTransport) {}

  async datacenters(): Promise<CoordinateDatacenterMap[]> {
    return parseJson<CoordinateDatacenterMap[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/coordinate/datacenters', dcScoped: false })) ?? [];
  }

  async nodes(): Promise<CoordinateEntry[]> {
    return parseJson<CoordinateEntry[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/coordinate/nodes' })) ?? [];
  }
}
