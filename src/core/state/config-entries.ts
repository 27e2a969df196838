// The config entries table (Consul: agent/consul/state/config_entry.go EnsureConfigEntry,
// EnsureConfigEntryCAS, DeleteConfigEntry). Intentions live here as `service-intentions` entries.
//
// MUST: pure; an entry keeps its CreateIndex across updates; CAS 0 means "only if absent".
// A command's absent casIndex arrives as null after msgpack, so only a number means CAS.
import type { ConfigEntry } from '../structs/connect.js';
import type { StateStore, WriteTxn } from './store.js';

const key = (kind: string, name: string): string => `${kind}\x00${name}`;

export interface ConfigEntryInput {
  Kind: string;
  Name: string;
  [field: string]: unknown;
}

/** Upsert (casIndex undefined) or check-and-set an entry; false when the CAS does not hold. */
export function configEntrySetTxn(txn: WriteTxn, entry: ConfigEntryInput, casIndex?: number): boolean {
  const k = key(entry.Kind, entry.Name);
  const existing = txn.tables.configEntries.get(k);
  if (typeof casIndex === 'number' && (existing?.ModifyIndex ?? 0) !== casIndex) return false;
  txn.tables.configEntries.set(k, { ...entry, CreateIndex: existing?.CreateIndex ?? txn.index, ModifyIndex: txn.index } as ConfigEntry);
  txn.touch('config-entries');
  return true;
}

/** Delete an entry (casIndex: only while its ModifyIndex equals it). Deleting nothing is fine. */
export function configEntryDeleteTxn(txn: WriteTxn, kind: string, name: string, casIndex?: number): boolean {
  const k = key(kind, name);
  const existing = txn.tables.configEntries.get(k);
  if (typeof casIndex === 'number' && (existing?.ModifyIndex ?? 0) !== casIndex) return false;
  if (existing) {
    txn.tables.configEntries.delete(k);
    txn.touch('config-entries');
  }
  return true;
}

export function configEntryGet(store: StateStore, kind: string, name: string): ConfigEntry | undefined {
  return store.tables.configEntries.get(key(kind, name));
}

/** Entries of one kind (or every kind for ''), ordered by kind then name. */
export function configEntryList(store: StateStore, kind: string): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  for (const e of store.tables.configEntries.values()) if (kind === '' || e.Kind === kind) out.push(e);
  return out;
}

export function configEntriesIndex(store: StateStore): number {
  return store.maxIndex('config-entries');
}
