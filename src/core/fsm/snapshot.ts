// FSM snapshot: the state store as state.bin records, and back (Consul: agent/consul/fsm/snapshot*.go).
import type { CoordinateEntry } from '../state/coordinates.js';
import type { PreparedQuery } from '../query/types.js';
import { decode, Encoder } from '@msgpack/msgpack';
import { emptyTables, TABLES, type TableName, type Tables } from '../state/store.js';
import type { DirEntry } from '../structs/kv.js';
import type { CatalogNode, HealthCheck, NodeService } from '../structs/catalog.js';
import { putService, serviceKey } from '../state/catalog.js';
import { insertSession } from '../state/sessions.js';
import type { Session } from '../structs/session.js';
import type { CAConfiguration, CARoot, ConfigEntry } from '../structs/connect.js';
import { forEachRecord, RecordFormatError, RecordType, RecordWriter, recordTypeName } from './records.js';
import { recordShapes } from './record-shapes.js';
import type { AclPolicy, AclRole, AclToken } from '../structs/acl.js';

const encoder = new Encoder();
const encode = (v: unknown): Uint8Array => encoder.encode(v);

type RegisterRecord =
  | { kind: 'node'; node: CatalogNode }
  | { kind: 'service'; node: string; service: NodeService }
  | { kind: 'check'; check: HealthCheck };

export function encodeState(tables: Tables, indexes: ReadonlyMap<TableName, number>): Uint8Array {
  const w = new RecordWriter();
  const index: Record<string, number> = {};
  for (const [k, v] of indexes) index[k] = v;
  w.write(RecordType.Index, encode(index));
  for (const node of tables.nodes.values()) w.write(RecordType.Register, encode({ kind: 'node', node }));
  for (const [key, service] of tables.services.entries()) {
    w.write(RecordType.Register, encode({ kind: 'service', node: key.slice(0, key.indexOf('\x00')), service }));
  }
  for (const check of tables.checks.values()) w.write(RecordType.Register, encode({ kind: 'check', check }));
  for (const s of tables.sessions.values()) w.write(RecordType.Session, encode(s));
  for (const e of tables.kvs.values()) w.write(RecordType.KVS, encode(e));
  for (const [key, idx] of tables.tombstones.entries()) w.write(RecordType.Tombstone, encode({ key, idx }));
  for (const c of tables.caConfig.values()) w.write(RecordType.ConnectCAConfig, encode(c));
  for (const r of tables.caRoots.values()) w.write(RecordType.ConnectCA, encode(r));
  for (const e of tables.configEntries.values()) w.write(RecordType.ConfigEntry, encode(e));
  // Policies and roles before tokens, so a reader can resolve links as it goes.
  for (const p of tables.aclPolicies.values()) w.write(RecordType.ACLPolicy, encode(p));
  for (const r of tables.aclRoles.values()) w.write(RecordType.ACLRole, encode(r));
  for (const t of tables.aclTokens.values()) w.write(RecordType.ACLToken, encode(t));
  for (const c of tables.coordinates.values()) w.write(RecordType.Coordinate, encode(c));
  for (const q of tables.preparedQueries.values()) w.write(RecordType.PreparedQuery, encode(q));
  return w.finish();
}

export interface DecodedState {
  tables: Tables;
  indexes: Map<TableName, number>;
}

/** msgpack body of one record; a malformed body is the record's fault, not the caller's. */
function decodeBody(type: number, body: Uint8Array): unknown {
  try {
    return decode(body);
  } catch (err) {
    throw new RecordFormatError(`malformed ${recordTypeName(type)} record: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Decode state.bin; throws RecordFormatError for anything that is not a state we wrote. */
export function decodeState(data: Uint8Array): DecodedState {
  const tables = emptyTables();
  const indexes = new Map<TableName, number>();
  forEachRecord(data, (type, body) => {
    const value = decodeBody(type, body);
    switch (type) {
      case RecordType.Index:
        for (const [k, v] of Object.entries(recordShapes.indexes(value))) {
          if ((TABLES as readonly string[]).includes(k)) indexes.set(k as TableName, v);
        }
        break;
      case RecordType.Register: {
        const r = recordShapes.register(value);
        if (r.kind === 'node') {
          const node = recordShapes.node<CatalogNode>(r.body.node);
          tables.nodes.set(node.Node, node);
        } else if (r.kind === 'service') putService(tables, r.body.node as string, recordShapes.service<NodeService>(r.body.service));
        else {
          const check = recordShapes.check<HealthCheck>(r.body.check);
          tables.checks.set(serviceKey(check.Node, check.CheckID), check);
        }
        break;
      }
      case RecordType.KVS: {
        const e = recordShapes.dirEntry<DirEntry>(value);
        tables.kvs.set(e.Key, { ...e, Value: e.Value ?? new Uint8Array(0) });
        if (e.Session) tables.kvsBySession.set(`${e.Session}\x00${e.Key}`, true);
        break;
      }
      case RecordType.Session:
        insertSession(tables, recordShapes.session<Session>(value));
        break;
      case RecordType.Tombstone: {
        const t = recordShapes.tombstone<{ key: string; idx: number }>(value);
        tables.tombstones.set(t.key, t.idx);
        break;
      }
      case RecordType.ConnectCAConfig:
        tables.caConfig.set('ca', recordShapes.caConfig<CAConfiguration>(value));
        break;
      case RecordType.ConnectCA: {
        const r = recordShapes.caRoot<CARoot>(value);
        tables.caRoots.set(r.ID, r);
        break;
      }
      case RecordType.ConfigEntry: {
        const e = recordShapes.configEntry<ConfigEntry>(value);
        tables.configEntries.set(`${e.Kind}\x00${e.Name}`, e);
        break;
      }
      case RecordType.ACLPolicy: {
        const p = recordShapes.aclPolicy<AclPolicy>(value);
        tables.aclPolicies.set(p.ID, p);
        tables.aclPolicyNames.set(p.Name, p.ID);
        break;
      }
      case RecordType.ACLRole: {
        const r = recordShapes.aclRole<AclRole>(value);
        tables.aclRoles.set(r.ID, r);
        tables.aclRoleNames.set(r.Name, r.ID);
        break;
      }
      case RecordType.ACLToken: {
        const t = recordShapes.aclToken<AclToken>(value);
        tables.aclTokens.set(t.AccessorID, t);
        tables.aclTokenSecrets.set(t.SecretID, t.AccessorID);
        break;
      }
      case RecordType.PreparedQuery: {
        const q = recordShapes.preparedQuery<PreparedQuery>(value);
        tables.preparedQueries.set(q.ID, q);
        break;
      }
      case RecordType.Coordinate: {
        const c = recordShapes.coordinate<CoordinateEntry>(value);
        tables.coordinates.set(`${c.Node}\x00${c.Segment}`, c);
        break;
      }
      default:
        throw new RecordFormatError(`unknown record type ${type}`);
    }
  });
  return { tables, indexes };
}
