// Request bodies of /v1/acl/* decoded as Consul's lib.DecodeJSON does (encoding/json: field names
// case-insensitive, unknown fields ignored), into the server's write shapes. A body that does not
// decode is 400 "<Kind> decoding failed: <Go's error>".
import { HttpError } from '../../errors.js';
import type { PolicyWrite, RoleWrite, TokenWrite } from '../../server/acl-endpoint.js';
import type { AclLink, AclNodeIdentity, AclServiceIdentity } from '../../structs/acl.js';
import { DurationError, parseGoDuration } from '../../support/duration.js';
import { goDecoderError, bool, DecodeError, field, isObject, str, strList, type JsonObject } from '../decode.js';

function decodeBody(body: Buffer, kind: string): JsonObject {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `${kind} decoding failed: ${goDecoderError(text, err)}`);
  }
  if (!isObject(v)) throw new HttpError(400, `${kind} decoding failed: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type structs.ACL${kind}`);
  return v;
}

function list(o: JsonObject, name: string): JsonObject[] {
  const v = field(o, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(isObject)) throw new DecodeError(`json: cannot unmarshal ${typeof v} into Go struct field .${name}`);
  return v;
}

function links(o: JsonObject, name: string): AclLink[] {
  return list(o, name).map((l) => ({ ID: str(l, 'ID'), Name: str(l, 'Name') }));
}

function serviceIdentities(o: JsonObject): AclServiceIdentity[] {
  return list(o, 'ServiceIdentities').map((s) => {
    const dcs = strList(s, 'Datacenters');
    return dcs.length > 0 ? { ServiceName: str(s, 'ServiceName'), Datacenters: dcs } : { ServiceName: str(s, 'ServiceName') };
  });
}

function nodeIdentities(o: JsonObject): AclNodeIdentity[] {
  return list(o, 'NodeIdentities').map((n) => ({ NodeName: str(n, 'NodeName'), Datacenter: str(n, 'Datacenter') }));
}

/** ExpirationTTL: a Go duration string, or a number of nanoseconds (Consul's UnmarshalJSON). */
function ttlMs(o: JsonObject): number {
  const v = field(o, 'ExpirationTTL');
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number') return v / 1e6;
  if (typeof v !== 'string') throw new DecodeError(`json: cannot unmarshal ${typeof v} into Go struct field .ExpirationTTL`);
  try {
    return parseGoDuration(v);
  } catch (err) {
    if (err instanceof DurationError) throw new DecodeError(`time: invalid duration "${v}"`);
    throw err;
  }
}

function decoding<T>(kind: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError) throw new HttpError(400, `${kind} decoding failed: ${err.message}`);
    throw err;
  }
}

export function decodeTokenWrite(body: Buffer): TokenWrite {
  const o = decodeBody(body, 'Token');
  return decoding('Token', () => ({
    AccessorID: str(o, 'AccessorID'),
    SecretID: str(o, 'SecretID'),
    Description: str(o, 'Description'),
    Policies: links(o, 'Policies'),
    Roles: links(o, 'Roles'),
    ServiceIdentities: serviceIdentities(o),
    NodeIdentities: nodeIdentities(o),
    Local: bool(o, 'Local'),
    ExpirationTime: str(o, 'ExpirationTime'),
    ExpirationTTLMs: ttlMs(o),
    AuthMethod: str(o, 'AuthMethod'),
  }));
}

export function decodePolicyWrite(body: Buffer): PolicyWrite {
  const o = decodeBody(body, 'Policy');
  return decoding('Policy', () => ({
    ID: str(o, 'ID'),
    Name: str(o, 'Name'),
    Description: str(o, 'Description'),
    Rules: str(o, 'Rules'),
    Datacenters: strList(o, 'Datacenters'),
  }));
}

export function decodeRoleWrite(body: Buffer): RoleWrite {
  const o = decodeBody(body, 'Role');
  return decoding('Role', () => ({
    ID: str(o, 'ID'),
    Name: str(o, 'Name'),
    Description: str(o, 'Description'),
    Policies: links(o, 'Policies'),
    ServiceIdentities: serviceIdentities(o),
    NodeIdentities: nodeIdentities(o),
  }));
}
