// A prepared query from a request body, decoded as Go's encoding/json fills structs.PreparedQuery
// (keys matched without case; nil slices and maps stay null), then validated as Consul's
// parseQuery does before anything reaches Raft.
import { parseGoDuration } from '../support/duration.js';
import { DecodeError, bool, field, isObject, num, str, strList, strMap, type JsonObject } from '../http/decode.js';
import type { PreparedQuery } from './types.js';

/** Consul's redactedToken: a definition read back without acl:write carries it instead of the token. */
export const REDACTED_TOKEN = '<hidden>';

export class QueryInvalid extends Error {}

function sub(o: JsonObject, name: string): JsonObject {
  const v = field(o, name);
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new DecodeError(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field .${name} of type object`);
  return v;
}

function listOrNull(o: JsonObject, name: string): string[] | null {
  const v = field(o, name);
  return v === undefined || v === null ? null : strList(o, name);
}

function mapOrNull(o: JsonObject, name: string): Record<string, string> | null {
  const v = field(o, name);
  return v === undefined || v === null ? null : strMap(o, name);
}

/** NearestN is a Go int: negative values decode (and are refused by validation). */
function int(o: JsonObject, name: string): number {
  const v = field(o, name);
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new DecodeError(`json: cannot unmarshal ${typeof v} into Go struct field .${name} of type int`);
  return v;
}

export function decodeQuery(body: JsonObject): PreparedQuery {
  const tmpl = sub(body, 'Template');
  const svc = sub(body, 'Service');
  const failover = sub(svc, 'Failover');
  const connect = sub(svc, 'Connect');
  const dns = sub(body, 'DNS');
  return {
    ID: str(body, 'ID'),
    Name: str(body, 'Name'),
    Session: str(body, 'Session'),
    Token: str(body, 'Token'),
    Template: { Type: str(tmpl, 'Type'), Regexp: str(tmpl, 'Regexp'), RemoveEmptyTags: bool(tmpl, 'RemoveEmptyTags') },
    Service: {
      Service: str(svc, 'Service'),
      Failover: { NearestN: int(failover, 'NearestN'), Datacenters: listOrNull(failover, 'Datacenters') },
      OnlyPassing: bool(svc, 'OnlyPassing'),
      IgnoreCheckIDs: listOrNull(svc, 'IgnoreCheckIDs'),
      Near: str(svc, 'Near'),
      Tags: listOrNull(svc, 'Tags'),
      NodeMeta: mapOrNull(svc, 'NodeMeta'),
      ServiceMeta: mapOrNull(svc, 'ServiceMeta'),
      Connect: { Enabled: bool(connect, 'Enabled') },
    },
    DNS: { TTL: str(dns, 'TTL') },
    CreateIndex: num(body, 'CreateIndex'),
    ModifyIndex: num(body, 'ModifyIndex'),
  };
}

/** Consul's parseQuery; the caller prefixes "Invalid prepared query: ". */
export function validateQuery(q: PreparedQuery): void {
  if (q.Name === '' && q.Template.Type === '' && q.Session === '') throw new QueryInvalid('Must be bound to a session');
  if (q.Token === REDACTED_TOKEN) throw new QueryInvalid(`Bad Token '${q.Token}', it looks like a query definition with a redacted token was submitted`);
  if (q.Service.Service === '') throw new QueryInvalid('Must provide a Service name to query');
  if (q.Service.Failover.NearestN < 0) throw new QueryInvalid(`Bad NearestN '${q.Service.Failover.NearestN}', must be >= 0`);
  for (const k of Object.keys(q.Service.NodeMeta ?? {})) {
    if (k === '') throw new QueryInvalid('Couldn\'t load metadata pair (\'\'): Key cannot be blank');
  }
  if (q.DNS.TTL !== '') {
    let ms: number;
    try {
      ms = parseGoDuration(q.DNS.TTL);
    } catch (err) {
      throw new QueryInvalid(`Bad DNS TTL '${q.DNS.TTL}': ${(err as Error).message}`);
    }
    if (ms < 0) throw new QueryInvalid(`DNS TTL '${q.DNS.TTL}', must be >=0`);
  }
}

/** The prefix query ACLs apply to (Consul: GetACLPrefix): templates and named queries have one. */
export function aclPrefix(q: PreparedQuery): string | undefined {
  if (q.Template.Type !== '') return q.Name;
  return q.Name !== '' ? q.Name : undefined;
}
