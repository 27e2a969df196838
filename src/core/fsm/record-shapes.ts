// Shape checks for state.bin records. A snapshot can come from a file a user hands to
// `consul snapshot restore`, so a record whose checksums match may still hold anything msgpack
// can say: a number where a key string belongs, a map where a tag list belongs. Putting such a
// value into the tables would break every later read (the B-tree compares keys as strings). Each
// record is checked here for the fields the state store and the endpoints rely on; extra fields
// pass through untouched, so newer records keep restoring.
//
// MUST: throw only RecordFormatError, naming the record and the field.
// Hand-written rather than zod: this runs once per record on every restart and InstallSnapshot,
// where a schema library's per-object cost shows up at a million keys.
import { RecordFormatError } from './records.js';

type Check = (v: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isIndex: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isBoolean: Check = (v) => typeof v === 'boolean';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isStringList: Check = (v) => Array.isArray(v) && v.every(isString);
const isStringMap: Check = (v) => isObject(v) && Object.values(v).every(isString);
const orNull = (c: Check): Check => (v) => v === null || v === undefined || c(v);
const isFlags: Check = (v) => isNumber(v) || (typeof v === 'string' && /^\d+$/.test(v));
const isStatus: Check = (v) => v === 'passing' || v === 'warning' || v === 'critical' || v === 'maintenance';
const isServiceAddressMap: Check = (v) => isObject(v) && Object.values(v).every((a) => isObject(a) && isString(a.Address) && isNumber(a.Port));

type Shape = Readonly<Record<string, Check>>;

const NODE: Shape = { ID: isString, Node: isString, Address: isString, Datacenter: isString, TaggedAddresses: isStringMap, Meta: isStringMap, CreateIndex: isIndex, ModifyIndex: isIndex };
const SERVICE: Shape = {
  Kind: isString,
  ID: isString,
  Service: isString,
  Tags: isStringList,
  Address: isString,
  TaggedAddresses: isServiceAddressMap,
  Meta: isStringMap,
  Port: isNumber,
  Weights: (v) => isObject(v) && isNumber(v.Passing) && isNumber(v.Warning),
  EnableTagOverride: isBoolean,
  CreateIndex: isIndex,
  ModifyIndex: isIndex,
};
const CHECK: Shape = {
  Node: isString,
  CheckID: isString,
  Name: isString,
  Status: isStatus,
  Notes: isString,
  Output: isString,
  ServiceID: isString,
  ServiceName: isString,
  ServiceTags: isStringList,
  Type: isString,
  Interval: isString,
  Timeout: isString,
  ExposedPort: isNumber,
  Definition: isObject,
  CreateIndex: isIndex,
  ModifyIndex: isIndex,
};
const DIR_ENTRY: Shape = {
  Key: isString,
  Value: orNull((v) => v instanceof Uint8Array),
  Flags: isFlags,
  LockIndex: isIndex,
  Session: isString,
  CreateIndex: isIndex,
  ModifyIndex: isIndex,
};
const SESSION: Shape = {
  ID: isString,
  Name: isString,
  Node: isString,
  LockDelay: isNumber,
  Behavior: (v) => v === 'release' || v === 'delete',
  TTL: isString,
  NodeChecks: orNull(isStringList),
  ServiceChecks: orNull((v) => Array.isArray(v) && v.every((c) => isObject(c) && isString(c.ID))),
  Checks: orNull(isStringList),
  CreateIndex: isIndex,
  ModifyIndex: isIndex,
};
const TOMBSTONE: Shape = { key: isString, idx: isIndex };
const CA_ROOT: Shape = { ID: isString, Name: isString, RootCert: isString, Active: isBoolean, IntermediateCerts: orNull(isStringList), PrivateKeyType: isString, CreateIndex: isIndex, ModifyIndex: isIndex };
const CA_CONFIG: Shape = { ClusterID: isString, Provider: isString, Config: isObject, State: orNull(isStringMap), CreateIndex: isIndex, ModifyIndex: isIndex };
const isLinks: Check = (v) => Array.isArray(v) && v.every((l) => isObject(l) && isString(l.ID));
const isObjectList: Check = (v) => Array.isArray(v) && v.every(isObject);
const ACL_TOKEN: Shape = {
  AccessorID: isString,
  SecretID: isString,
  Description: isString,
  Policies: isLinks,
  Roles: isLinks,
  ServiceIdentities: isObjectList,
  NodeIdentities: isObjectList,
  Local: isBoolean,
  ExpirationTime: orNull(isString),
  CreateTime: isString,
  Hash: isString,
  CreateIndex: isIndex,
  ModifyIndex: isIndex,
};
const ACL_POLICY: Shape = { ID: isString, Name: isString, Description: isString, Rules: isString, Datacenters: orNull(isStringList), Hash: isString, CreateIndex: isIndex, ModifyIndex: isIndex };
const ACL_ROLE: Shape = { ID: isString, Name: isString, Description: isString, Policies: isLinks, ServiceIdentities: isObjectList, NodeIdentities: isObjectList, Hash: isString, CreateIndex: isIndex, ModifyIndex: isIndex };
const CONFIG_ENTRY: Shape = { Kind: isString, Name: isString, CreateIndex: isIndex, ModifyIndex: isIndex };
const isCoord: Check = (v) =>
  isObject(v) && Array.isArray(v.Vec) && v.Vec.every(isNumber) && isNumber(v.Error) && isNumber(v.Adjustment) && isNumber(v.Height);
const COORDINATE: Shape = { Node: isString, Segment: isString, Coord: isCoord };
const PREPARED_QUERY: Shape = { ID: isString, Name: isString, Session: isString, Token: isString, Template: isObject, Service: (v) => isObject(v) && isString(v.Service), DNS: isObject, CreateIndex: isIndex, ModifyIndex: isIndex };

function conform<T>(what: string, v: unknown, shape: Shape): T {
  if (!isObject(v)) throw new RecordFormatError(`${what} record is not a map`);
  for (const [field, ok] of Object.entries(shape)) {
    if (!ok(v[field])) throw new RecordFormatError(`${what} record has an invalid ${field}`);
  }
  return v as T;
}

export const recordShapes = {
  node: <T>(v: unknown): T => conform<T>('node', v, NODE),
  service: <T>(v: unknown): T => conform<T>('service', v, SERVICE),
  check: <T>(v: unknown): T => conform<T>('check', v, CHECK),
  dirEntry: <T>(v: unknown): T => conform<T>('KVS', v, DIR_ENTRY),
  session: <T>(v: unknown): T => conform<T>('session', v, SESSION),
  tombstone: <T>(v: unknown): T => conform<T>('tombstone', v, TOMBSTONE),
  caRoot: <T>(v: unknown): T => conform<T>('CA root', v, CA_ROOT),
  caConfig: <T>(v: unknown): T => conform<T>('CA configuration', v, CA_CONFIG),
  configEntry: <T>(v: unknown): T => conform<T>('config entry', v, CONFIG_ENTRY),
  aclToken: <T>(v: unknown): T => conform<T>('ACL token', v, ACL_TOKEN),
  aclPolicy: <T>(v: unknown): T => conform<T>('ACL policy', v, ACL_POLICY),
  aclRole: <T>(v: unknown): T => conform<T>('ACL role', v, ACL_ROLE),
  coordinate: <T>(v: unknown): T => conform<T>('coordinate', v, COORDINATE),
  preparedQuery: <T>(v: unknown): T => conform<T>('prepared query', v, PREPARED_QUERY),
  /** The register record's envelope: which kind, and the node name of a service. */
  register(v: unknown): { kind: 'node' | 'service' | 'check'; body: Record<string, unknown> } {
    if (!isObject(v)) throw new RecordFormatError('register record is not a map');
    if (v.kind !== 'node' && v.kind !== 'service' && v.kind !== 'check') throw new RecordFormatError('register record has an invalid kind');
    if (v.kind === 'service' && !isString(v.node)) throw new RecordFormatError('service record has an invalid node');
    return { kind: v.kind, body: v };
  },
  indexes(v: unknown): Record<string, number> {
    if (!isObject(v) || !Object.values(v).every(isIndex)) throw new RecordFormatError('index record is not a map of indexes');
    return v as Record<string, number>;
  },
};
