// Service and check definitions, decoded from agent config (snake_case) and from HTTP bodies
// (PascalCase or snake_case) into one shape (Consul: agent/structs/service_definition.go,
// check_definition.go, check_type.go; agent/config/builder.go).
//
// Keys match like Consul's decoding: case-insensitively and with `_` ignored, so `service_id`,
// `ServiceID` and `serviceid` are the same field; a few aliases (`args`/`ScriptArgs`,
// `id`/`CheckID`) are Consul's own. A wrong type throws DefinitionError with Go's text.
import { parseGoDuration } from '../support/duration.js';
import { isCheckStatus, type CheckStatus } from '../checks/status-rules.js';
import type { NodeService, ServiceAddress } from '../structs/catalog.js';
import { decodeConnect, decodeProxy, SidecarError } from './sidecar.js';

export class DefinitionError extends Error {}

/** An initial status other than passing/warning/critical (each endpoint has its own text). */
export class BadStatusError extends DefinitionError {}

export type CheckKind = 'script' | 'http' | 'tcp' | 'ttl' | 'alias';

/** Consul: structs.CheckType plus the identity fields of structs.CheckDefinition. */
export interface CheckDefinition {
  id: string;
  name: string;
  notes: string;
  /** Initial status; '' = Consul's default (critical). */
  status: CheckStatus | '';
  serviceId: string;
  args: string[];
  http: string;
  method: string;
  header: Record<string, string[]>;
  body: string;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  disableRedirects: boolean;
  tcp: string;
  ttlMs: number;
  intervalMs: number;
  timeoutMs: number;
  deregisterCriticalServiceAfterMs: number;
  outputMaxSize: number;
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
  /** An alias check's local service ID (Consul: CheckType.AliasService; local services only). */
  aliasService?: string;
  /** Kinds we decode but cannot run yet (grpc, docker, alias...), for a clear refusal. */
  unsupported: string;
}

export type ServiceRecord = Omit<NodeService, 'CreateIndex' | 'ModifyIndex'>;

export interface ServiceDefinition {
  service: ServiceRecord;
  /** The service's own checks, in order, before IDs are assigned. */
  checks: CheckDefinition[];
  token: string;
  /** `connect { sidecar_service {} }`: the sidecar's own definition, port 0 until allocated (agent/sidecar.ts). */
  sidecar?: ServiceDefinition;
}

type Obj = Record<string, unknown>;

const norm = (k: string): string => k.toLowerCase().replace(/_/g, '');

/** A field by any of its names (normalized); the first name gives the Go field for errors. */
function get(o: Obj, ...names: string[]): unknown {
  const wanted = new Set(names.map(norm));
  for (const [k, v] of Object.entries(o)) if (wanted.has(norm(k)) && v !== undefined && v !== null) return v;
  return undefined;
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function typeError(struct: string, field: string, v: unknown, want: string): DefinitionError {
  return new DefinitionError(`json: cannot unmarshal ${goType(v)} into Go struct field ${struct}.${field} of type ${want}`);
}

function str(o: Obj, struct: string, ...names: string[]): string {
  const v = get(o, ...names);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw typeError(struct, names[0] as string, v, 'string');
  return v;
}

function int(o: Obj, struct: string, ...names: string[]): number {
  const v = get(o, ...names);
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(struct, names[0] as string, v, 'int');
  return v;
}

function bool(o: Obj, struct: string, ...names: string[]): boolean {
  const v = get(o, ...names);
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw typeError(struct, names[0] as string, v, 'bool');
  return v;
}

function strList(o: Obj, struct: string, ...names: string[]): string[] {
  const v = get(o, ...names);
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw typeError(struct, names[0] as string, v, '[]string');
  return [...(v as string[])];
}

function strMap(o: Obj, struct: string, ...names: string[]): Record<string, string> {
  const v = get(o, ...names);
  if (v === undefined) return {};
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== 'string')) throw typeError(struct, names[0] as string, v, 'map[string]string');
  return { ...(v as Record<string, string>) };
}

function obj(o: Obj, struct: string, ...names: string[]): Obj | undefined {
  const v = get(o, ...names);
  if (v === undefined) return undefined;
  if (!isObj(v)) throw typeError(struct, names[0] as string, v, 'struct');
  return v;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A duration: a Go duration string, or a number of nanoseconds (Go's JSON form). */
function duration(o: Obj, struct: string, ...names: string[]): number {
  const v = get(o, ...names);
  if (v === undefined) return 0;
  if (typeof v === 'number') return v / 1e6;
  if (typeof v !== 'string') throw typeError(struct, names[0] as string, v, 'time.Duration');
  if (v === '') return 0;
  try {
    return parseGoDuration(v);
  } catch (err) {
    throw new DefinitionError((err as Error).message);
  }
}

function headerMap(o: Obj, struct: string): Record<string, string[]> {
  const v = get(o, 'Header');
  if (v === undefined) return {};
  if (!isObj(v)) throw typeError(struct, 'Header', v, 'map[string][]string');
  const out: Record<string, string[]> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!Array.isArray(val) || val.some((x) => typeof x !== 'string')) throw typeError(struct, 'Header', val, '[]string');
    out[k] = [...(val as string[])];
  }
  return out;
}

const UNSUPPORTED = ['GRPC', 'DockerContainerID', 'AliasNode', 'H2PING', 'UDP', 'OSService'];

/** Decode one check definition (a service's `check`, or a node-level `check`). */
export function decodeCheck(raw: unknown, struct = 'CheckDefinition'): CheckDefinition {
  if (!isObj(raw)) throw new DefinitionError(`json: cannot unmarshal ${goType(raw)} into Go value of type structs.${struct}`);
  const status = str(raw, struct, 'Status');
  if (status !== '' && !isCheckStatus(status)) throw new BadStatusError(`invalid check status "${status}"`);
  let args = strList(raw, struct, 'ScriptArgs', 'Args');
  const script = str(raw, struct, 'Script');
  // Consul 1.0 ran `script` through the shell; we keep that for old configs.
  if (args.length === 0 && script !== '') args = ['/bin/sh', '-c', script];
  const unsupported = UNSUPPORTED.find((k) => get(raw, k) !== undefined && get(raw, k) !== '') ?? '';
  return {
    id: str(raw, struct, 'CheckID', 'ID'),
    name: str(raw, struct, 'Name'),
    notes: str(raw, struct, 'Notes'),
    status: status as CheckStatus | '',
    serviceId: str(raw, struct, 'ServiceID'),
    args,
    http: str(raw, struct, 'HTTP'),
    method: str(raw, struct, 'Method'),
    header: headerMap(raw, struct),
    body: str(raw, struct, 'Body'),
    tlsSkipVerify: bool(raw, struct, 'TLSSkipVerify'),
    tlsServerName: str(raw, struct, 'TLSServerName'),
    disableRedirects: bool(raw, struct, 'DisableRedirects'),
    tcp: str(raw, struct, 'TCP'),
    ttlMs: duration(raw, struct, 'TTL'),
    intervalMs: duration(raw, struct, 'Interval'),
    timeoutMs: duration(raw, struct, 'Timeout'),
    deregisterCriticalServiceAfterMs: duration(raw, struct, 'DeregisterCriticalServiceAfter'),
    outputMaxSize: int(raw, struct, 'OutputMaxSize'),
    successBeforePassing: int(raw, struct, 'SuccessBeforePassing'),
    failuresBeforeWarning: int(raw, struct, 'FailuresBeforeWarning'),
    failuresBeforeCritical: int(raw, struct, 'FailuresBeforeCritical'),
    unsupported,
    ...(str(raw, struct, 'AliasService') !== '' ? { aliasService: str(raw, struct, 'AliasService') } : {}),
  };
}

export function checkKind(c: CheckDefinition): CheckKind | undefined {
  if (c.args.length > 0) return 'script';
  if (c.http !== '') return 'http';
  if (c.tcp !== '') return 'tcp';
  if (c.ttlMs > 0) return 'ttl';
  if (c.aliasService) return 'alias';
  return undefined;
}

/** A check that carries no runner definition at all (Consul: CheckType.Empty). */
export function isEmptyCheck(c: CheckDefinition): boolean {
  return checkKind(c) === undefined && c.unsupported === '' && c.intervalMs === 0 && c.ttlMs === 0;
}

/** Consul: CheckType.Validate (the text after `Invalid check: `). */
export function validateCheck(c: CheckDefinition): string | undefined {
  const kind = checkKind(c);
  if (c.unsupported !== '') return `${c.unsupported} checks are not supported by this agent yet`;
  if (kind === 'alias') return undefined;
  const intervalCheck = kind === 'script' || kind === 'http' || kind === 'tcp';
  if (intervalCheck && c.intervalMs <= 0) return 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks';
  if (!intervalCheck && c.ttlMs <= 0) return 'TTL must be > 0 for TTL checks';
  if (c.outputMaxSize < 0) return 'MaxOutputMaxSize must be positive';
  return undefined;
}

function taggedAddresses(o: Obj): Record<string, ServiceAddress> {
  const v = obj(o, 'ServiceDefinition', 'TaggedAddresses');
  if (!v) return {};
  const out: Record<string, ServiceAddress> = {};
  for (const [k, a] of Object.entries(v)) {
    if (!isObj(a)) throw typeError('ServiceDefinition', 'TaggedAddresses', a, 'structs.ServiceAddress');
    out[k] = { Address: str(a, 'ServiceAddress', 'Address'), Port: int(a, 'ServiceAddress', 'Port') };
  }
  return out;
}

/** Decode a service definition (config `service`/`services[]`, or PUT /v1/agent/service/register). */
export function decodeService(raw: unknown): ServiceDefinition {
  const S = 'ServiceDefinition';
  if (!isObj(raw)) throw new DefinitionError(`json: cannot unmarshal ${goType(raw)} into Go value of type structs.${S}`);
  const name = str(raw, S, 'Name');
  const weights = obj(raw, S, 'Weights');
  const checks: CheckDefinition[] = [];
  const one = get(raw, 'Check');
  if (one !== undefined) {
    const c = decodeCheck(one, 'CheckType');
    if (!isEmptyCheck(c)) checks.push(c);
  }
  const many = get(raw, 'Checks');
  if (many !== undefined) {
    if (!Array.isArray(many)) throw typeError(S, 'Checks', many, 'structs.CheckTypes');
    for (const c of many) checks.push(decodeCheck(c, 'CheckType'));
  }
  const service: ServiceRecord = {
    Kind: str(raw, S, 'Kind'),
    ID: str(raw, S, 'ID') || name,
    Service: name,
    Tags: strList(raw, S, 'Tags'),
    Address: str(raw, S, 'Address'),
    TaggedAddresses: taggedAddresses(raw),
    Meta: strMap(raw, S, 'Meta'),
    Port: int(raw, S, 'Port'),
    Weights: weights ? { Passing: int(weights, 'Weights', 'Passing'), Warning: int(weights, 'Weights', 'Warning') } : { Passing: 1, Warning: 1 },
    EnableTagOverride: bool(raw, S, 'EnableTagOverride'),
  };
  if (weights && service.Weights.Passing === 0 && get(weights, 'Passing') === undefined) service.Weights.Passing = 1;
  const def: ServiceDefinition = { service, checks, token: str(raw, S, 'Token') };
  try {
    decodeServiceConnect(raw, def);
  } catch (err) {
    if (err instanceof SidecarError) throw new DefinitionError(err.message);
    throw err;
  }
  return def;
}

/** `proxy`, `connect.native` and `connect.sidecar_service` (Consul: sidecarServiceFromNodeService). */
function decodeServiceConnect(raw: Obj, def: ServiceDefinition): void {
  const svc = def.service;
  const proxy = get(raw, 'Proxy');
  if (proxy !== undefined) svc.Proxy = decodeProxy(proxy);
  const { connect, sidecar } = decodeConnect(get(raw, 'Connect'));
  if (connect) svc.Connect = connect;
  if (!sidecar) return;
  if (svc.Kind !== '') throw new DefinitionError('sidecar_service is only allowed on a typical service (no kind)');
  const sd = decodeService({ ...sidecar, Name: get(sidecar, 'Name') ?? `${svc.Service}-sidecar-proxy` });
  const s2 = sd.service;
  if (get(sidecar, 'ID') === undefined) s2.ID = `${svc.ID}-sidecar-proxy`;
  s2.Kind = 'connect-proxy';
  if (s2.Tags.length === 0) s2.Tags = [...svc.Tags];
  if (Object.keys(s2.Meta).length === 0) s2.Meta = { ...svc.Meta };
  const p = s2.Proxy ?? decodeProxy({});
  p.DestinationServiceName = svc.Service;
  p.DestinationServiceID = svc.ID;
  if (p.LocalServiceAddress === '') p.LocalServiceAddress = '127.0.0.1';
  if (p.LocalServicePort === 0) p.LocalServicePort = svc.Port;
  s2.Proxy = p;
  def.sidecar = sd;
}

/** Consul: ServiceDefinition validation as the HTTP endpoint applies it; returns the 400 text. */
export function validateService(def: ServiceDefinition): string | undefined {
  const s = def.service;
  if (s.Service === '') return 'Missing service name';
  if (['0.0.0.0', '::', '[::]'].includes(s.Address)) return 'Invalid service address';
  if (s.Weights.Passing < 1) return 'Invalid Weights: Passing must be greater than 0';
  if (s.Weights.Warning < 0) return 'Invalid Weights: Warning must be greater or equal than 0';
  if (s.Kind === 'connect-proxy') {
    if (!s.Proxy || s.Proxy.DestinationServiceName === '') return 'Proxy.DestinationServiceName must be set for Connect proxy services';
    if (s.Port === 0) return 'Port must be set for a Connect proxy';
  }
  const metaErr = validateMeta(s.Meta);
  if (metaErr) return `Invalid Service Meta: ${metaErr}`;
  for (const c of def.checks) {
    const err = validateCheck(c);
    if (err) return `Invalid check: ${err}`;
  }
  return undefined;
}

/** Consul: structs.ValidateServiceMetadata. */
function validateMeta(meta: Record<string, string>): string | undefined {
  const keys = Object.keys(meta);
  if (keys.length > 64) return `Node metadata cannot contain more than 64 key/value pairs`;
  for (const k of keys) {
    if (k === '') return 'Key cannot be blank';
    if (!/^[a-zA-Z0-9_-]+$/.test(k)) return `Key contains invalid characters`;
    if (k.length > 128) return `Key is too long (limit: 128 characters)`;
    if (k.startsWith('consul-')) return `Key prefix 'consul-' is reserved for internal use`;
    if ((meta[k] as string).length > 512) return `Value is too long (limit: 512 characters)`;
  }
  return undefined;
}

/** Consul's IDs for a service's checks: `service:<id>`, or `service:<id>:<n>` when several. */
export function serviceCheckId(serviceId: string, index: number, count: number): string {
  return count > 1 ? `service:${serviceId}:${index + 1}` : `service:${serviceId}`;
}

export function serviceCheckName(serviceName: string): string {
  return `Service '${serviceName}' check`;
}

/** The Type field of a HealthCheck for a definition (Consul: CheckType.Type). */
export function checkTypeName(c: CheckDefinition): string {
  return checkKind(c) ?? '';
}

/** The config sections that define services and checks (RuntimeConfig.file). */
export interface ConfigDefinitions {
  services: ServiceDefinition[];
  checks: CheckDefinition[];
}

/** Decode `service`, `services[]`, `check`, `checks[]` of a merged config file. */
export function definitionsFromConfig(file: { service?: unknown; services?: unknown[]; check?: unknown; checks?: unknown[] }): ConfigDefinitions {
  const services: ServiceDefinition[] = [];
  const checks: CheckDefinition[] = [];
  for (const raw of [...(file.service !== undefined ? [file.service] : []), ...(file.services ?? [])]) services.push(decodeService(raw));
  for (const raw of [...(file.check !== undefined ? [file.check] : []), ...(file.checks ?? [])]) checks.push(decodeCheck(raw));
  return { services, checks };
}
