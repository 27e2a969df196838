// FSM snapshot: the state store as state.bin records, and back (Consul: agent/consul/fsm/snapshot*.go).
import { decode, Encoder } from '@msgpack/msgpack';
import { emptyTables, TABLES, type TableName, type Tables } from '../state/store.js';
import type { DirEntry } from '../structs/kv.js';
import type { CatalogNode, HealthCheck, NodeService } from '../structs/catalog.js';
import { putService, serviceKey } from '../state/catalog.js';
import { insertSession } from '../state/sessions.js';
import type { Session } from '../structs/session.js';
import type { CAConfiguration, CARoot, ConfigEntry } from '../structs/connect.js';
import { forEachRecord, RecordFormatError, RecordType, RecordWriter } from './records.js';

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
  return w.finish();
}

export interface DecodedState {
  tables: Tables;
  indexes: Map<TableName, number>;
}

export function decodeState(data: Uint8Array): DecodedState {
  const tables = emptyTables();
  const indexes = new Map<TableName, number>();
  forEachRecord(data, (type, body) => {
    switch (type) {
      case RecordType.Index:
        for (const [k, v] of Object.entries(decode(body) as Record<string, number>)) {
          if ((TABLES as readonly string[]).includes(k)) indexes.set(k as TableName, v);
        }
        break;
      case RecordType.Register: {
        const r = decode(body) as RegisterRecord;
        if (r.kind === 'node') tables.nodes.set(r.node.Node, r.node);
        else if (r.kind === 'service') putService(tables, r.node, r.service);
        else tables.checks.set(serviceKey(r.check.Node, r.check.CheckID), r.check);
        break;
      }
      case RecordType.KVS: {
        const e = decode(body) as DirEntry;
        tables.kvs.set(e.Key, { ...e, Value: e.Value ?? new Uint8Array(0) });
        if (e.Session) tables.kvsBySession.set(`${e.Session}\x00${e.Key}`, true);
        break;
      }
      case RecordType.Session:
        insertSession(tables, decode(body) as Session);
        break;
      case RecordType.Tombstone: {
        const t = decode(body) as { key: string; idx: number };
        tables.tombstones.set(t.key, t.idx);
        break;
      }
      case RecordType.ConnectCAConfig:
        tables.caConfig.set('ca', decode(body) as CAConfiguration);
        break;
      case RecordType.ConnectCA: {
        const r = decode(body) as CARoot;
        tables.caRoots.set(r.ID, r);
        break;
      }
      case RecordType.ConfigEntry: {
        const e = decode(body) as ConfigEntry;
        tables.configEntries.set(`${e.Kind}\x00${e.Name}`, e);
        break;
      }
      default:
        throw new RecordFormatError(`unknown record type ${type}`);
    }
  });
  return { tables, indexes };
}
