// Connect parts of a service definition: `proxy` (kind connect-proxy), `connect { native,
// sidecar_service {} }`, and the sidecar a parent asks for (Consul: agent/sidecar_service.go
// sidecarServiceFromNodeService, agent/structs/connect_proxy_config.go).
import type { ConnectProxyConfig, ServiceConnect, Upstream } from '../structs/catalog.js';

type Obj = Record<string, unknown>;
const norm = (k: string): string => k.toLowerCase().replace(/_/g, '');

function get(o: Obj, name: string): unknown {
  for (const [k, v] of Object.entries(o)) if (norm(k) === norm(name) && v !== undefined && v !== null) return v;
  return undefined;
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SidecarError extends Error {}

function s(o: Obj, name: string): string {
  const v = get(o, name);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new SidecarError(`json: cannot unmarshal ${typeof v} into Go struct field ${name} of type string`);
  return v;
}
function n(o: Obj, name: string): number {
  const v = get(o, name);
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SidecarError(`json: cannot unmarshal ${typeof v} into Go struct field ${name} of type int`);
  return v;
}

function decodeUpstream(raw: unknown, i: number): Upstream {
  if (!isObj(raw)) throw new SidecarError(`upstreams[${i}] must be an object`);
  const name = s(raw, 'DestinationName');
  if (name === '') throw new SidecarError(`upstreams[${i}]: DestinationName is required`);
  const u: Upstream = { DestinationType: s(raw, 'DestinationType') || 'service', DestinationName: name, Datacenter: s(raw, 'Datacenter') };
  const addr = s(raw, 'LocalBindAddress');
  if (addr !== '') u.LocalBindAddress = addr;
  u.LocalBindPort = n(raw, 'LocalBindPort');
  const cfg = get(raw, 'Config');
  if (isObj(cfg)) u.Config = cfg;
  u.MeshGateway = {};
  return u;
}

/** Decode a `proxy` block (Consul: structs.ConnectProxyConfig). */
export function decodeProxy(raw: unknown): ConnectProxyConfig {
  if (!isObj(raw)) throw new SidecarError('json: cannot unmarshal non-object into Go struct field ServiceDefinition.Proxy of type structs.ConnectProxyConfig');
  const ups = get(raw, 'Upstreams');
  if (ups !== undefined && !Array.isArray(ups)) throw new SidecarError('json: cannot unmarshal non-array into Go struct field ConnectProxyConfig.Upstreams of type structs.Upstreams');
  const p: ConnectProxyConfig = {
    DestinationServiceName: s(raw, 'DestinationServiceName'),
    DestinationServiceID: s(raw, 'DestinationServiceID'),
    LocalServiceAddress: s(raw, 'LocalServiceAddress'),
    LocalServicePort: n(raw, 'LocalServicePort'),
    Mode: s(raw, 'Mode'),
    Upstreams: ((ups as unknown[] | undefined) ?? []).map(decodeUpstream),
    MeshGateway: {},
    Expose: {},
  };
  const cfg = get(raw, 'Config');
  if (isObj(cfg)) p.Config = cfg;
  return p;
}

export interface DecodedConnect {
  connect: ServiceConnect | undefined;
  /** The raw sidecar_service block, when asked for. */
  sidecar: Obj | undefined;
}

/** Decode a `connect` block: `native`, and `sidecar_service` kept raw until the parent is known. */
export function decodeConnect(raw: unknown): DecodedConnect {
  if (raw === undefined || raw === null) return { connect: undefined, sidecar: undefined };
  if (!isObj(raw)) throw new SidecarError('json: cannot unmarshal non-object into Go struct field ServiceDefinition.Connect of type structs.ServiceConnect');
  const native = get(raw, 'Native');
  if (native !== undefined && typeof native !== 'boolean') throw new SidecarError('json: cannot unmarshal non-bool into Go struct field ServiceConnect.Native of type bool');
  const sc = get(raw, 'SidecarService');
  if (sc !== undefined && !isObj(sc)) throw new SidecarError('json: cannot unmarshal non-object into Go struct field ServiceConnect.SidecarService of type structs.ServiceDefinition');
  if (native === true && sc !== undefined) throw new SidecarError('Services that are Connect native may not have a sidecar service');
  return { connect: native === true ? { Native: true } : undefined, sidecar: sc as Obj | undefined };
}

/** Consul: the default sidecar port range (ports.sidecar_min_port / sidecar_max_port). */
export const SIDECAR_MIN_PORT = 21000;
export const SIDECAR_MAX_PORT = 21255;

/** The first port of the range no other local sidecar uses (Consul: sidecarPortFromServiceID). */
export function allocateSidecarPort(used: ReadonlySet<number>): number {
  for (let p = SIDECAR_MIN_PORT; p <= SIDECAR_MAX_PORT; p++) if (!used.has(p)) return p;
  throw new SidecarError(`no port available in range ${SIDECAR_MIN_PORT} to ${SIDECAR_MAX_PORT} for sidecar service`);
}
