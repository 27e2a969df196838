// The KV table: reads and the write halves of KVS.Apply and /v1/txn (Consul: agent/consul/state/kvs.go).
//
// Write functions come as `fooTxn(txn, ...)` so /v1/txn composes them inside one transaction.
// MUST: deletes leave a tombstone (key -> deletion index) so a prefix's index moves forward.
import type { DirEntry, KvFlags } from '../structs/kv.js';
import { StateError } from './errors.js';
import type { StateStore, WriteTxn } from './store.js';

/** The upper bound of a key range that holds exactly the keys starting with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix + '\uffff\uffff';
}

export function kvsForPrefix(store: StateStore, prefix: string, fn: (e: DirEntry) => void): void {
  const kvs = store.tables.kvs;
  if (prefix === '') {
    for (const e of kvs.values()) fn(e);
    return;
  }
  kvs.forRange(prefix, prefixEnd(prefix), true, (k, e) => {
    if (k.startsWith(prefix)) fn(e);
  });
}

function tombstoneMaxIndex(store: StateStore, prefix: string): number {
  let max = 0;
  const tomb = store.tables.tombstones;
  if (tomb.size === 0) return 0;
  tomb.forRange(prefix, prefixEnd(prefix), true, (k, idx) => {
    if (k.startsWith(prefix) && idx > max) max = idx;
  });
  return max;
}

export function kvsTableIndex(store: StateStore): number {
  return store.maxIndex('kvs', 'tombstones');
}

/** KVS.Get: the entry, and the index to report (its ModifyIndex, else the table's). */
export function kvsGet(store: StateStore, key: string): { index: number; entry: DirEntry | undefined } {
  const entry = store.tables.kvs.get(key);
  return { index: entry ? entry.ModifyIndex : kvsTableIndex(store), entry };
}

/** The index of a prefix: the highest ModifyIndex or tombstone under it, else the table index. */
function prefixIndex(store: StateStore, prefix: string, entriesMax: number): number {
  const idx = Math.max(entriesMax, tombstoneMaxIndex(store, prefix));
  return idx === 0 ? kvsTableIndex(store) : idx;
}

export function kvsList(store: StateStore, prefix: string): { index: number; entries: DirEntry[] } {
  const entries: DirEntry[] = [];
  let max = 0;
  kvsForPrefix(store, prefix, (e) => {
    entries.push(e);
    if (e.ModifyIndex > max) max = e.ModifyIndex;
  });
  return { index: prefixIndex(store, prefix, max), entries };
}

/** KVS.ListKeys: keys under prefix, rolled up at the first separator after the prefix. */
export function kvsListKeys(
  store: StateStore,
  prefix: string,
  separator: string,
): { index: number; keys: string[] } {
  const keys: string[] = [];
  let max = 0;
  let lastRolled = '';
  kvsForPrefix(store, prefix, (e) => {
    if (e.ModifyIndex > max) max = e.ModifyIndex;
    if (separator !== '') {
      const at = e.Key.indexOf(separator, prefix.length);
      if (at >= 0) {
        const rolled = e.Key.slice(0, at + separator.length);
        if (rolled !== lastRolled) {
          keys.push(rolled);
          lastRolled = rolled;
        }
        return;
      }
    }
    keys.push(e.Key);
  });
  return { index: prefixIndex(store, prefix, max), keys };
}

// ---- writes ----

export interface KvsSetInput {
  readonly key: string;
  readonly value: Uint8Array;
  readonly flags: KvFlags;
  readonly session?: string;
}

const SEP = '\x00';

/** Write an entry and keep the kvsBySession index in step with its Session. */
function putEntry(txn: WriteTxn, entry: DirEntry, existing: DirEntry | undefined): void {
  const t = txn.tables;
  if (existing && existing.Session !== '' && existing.Session !== entry.Session) t.kvsBySession.delete(existing.Session + SEP + entry.Key);
  if (entry.Session !== '') t.kvsBySession.set(entry.Session + SEP + entry.Key, true);
  t.kvs.set(entry.Key, entry);
  txn.touch('kvs', entry.Key);
}

/** Keys currently locked by a session (Consul: the kvs "session" index). */
export function kvsKeysForSession(txn: WriteTxn, session: string): string[] {
  const keys: string[] = [];
  const prefix = session + SEP;
  txn.tables.kvsBySession.forRange(prefix, prefix + '\uffff', true, (k) => void (k.startsWith(prefix) && keys.push(k.slice(prefix.length))));
  return keys;
}

/** Set a key; CreateIndex, LockIndex and Session survive an update (Consul: kvsSetTxn). */
export function kvsSetTxn(txn: WriteTxn, input: KvsSetInput, updateSession = false): DirEntry {
  const existing = txn.tables.kvs.get(input.key);
  const entry: DirEntry = {
    Key: input.key,
    // Held, then copied at commit: the input may be a view into a Raft log entry, which must not
    // be kept alive by state (value-pack.ts).
    Value: txn.values.hold(input.value),
    Flags: input.flags,
    LockIndex: existing ? existing.LockIndex : 0,
    Session: updateSession ? (input.session ?? '') : (existing?.Session ?? ''),
    CreateIndex: existing ? existing.CreateIndex : txn.index,
    ModifyIndex: txn.index,
  };
  putEntry(txn, entry, existing);
  return entry;
}

/**
 * Acquire: write the key holding the lock for `session` (Consul: kvsLockTxn). False if another
 * session holds it; LockIndex counts acquisitions (re-acquiring a held lock keeps it).
 * Throws StateError for a missing or unknown session, with Consul's texts.
 */
export function kvsLockTxn(txn: WriteTxn, input: KvsSetInput): boolean {
  const session = input.session ?? '';
  if (session === '') throw new StateError('missing session');
  if (!txn.tables.sessions.has(session)) throw new StateError(`invalid session ${JSON.stringify(session)}`);
  const existing = txn.tables.kvs.get(input.key);
  if (existing && existing.Session !== '' && existing.Session !== session) return false;
  const lockIndex = !existing ? 1 : existing.Session === session ? existing.LockIndex : existing.LockIndex + 1;
  putEntry(
    txn,
    {
      Key: input.key,
      Value: txn.values.hold(input.value),
      Flags: input.flags,
      LockIndex: lockIndex,
      Session: session,
      CreateIndex: existing ? existing.CreateIndex : txn.index,
      ModifyIndex: txn.index,
    },
    existing,
  );
  return true;
}

/** Release: only the holder may; the value and flags are written, LockIndex kept (Consul: kvsUnlockTxn). */
export function kvsUnlockTxn(txn: WriteTxn, input: KvsSetInput): boolean {
  const session = input.session ?? '';
  if (session === '') throw new StateError('missing session');
  const existing = txn.tables.kvs.get(input.key);
  if (!existing || existing.Session !== session) return false;
  putEntry(
    txn,
    {
      Key: input.key,
      Value: txn.values.hold(input.value),
      Flags: input.flags,
      LockIndex: existing.LockIndex,
      Session: '',
      CreateIndex: existing.CreateIndex,
      ModifyIndex: txn.index,
    },
    existing,
  );
  return true;
}

/** Clear the lock a session holds on a key, keeping everything else (session invalidation, release behavior). */
export function kvsClearSessionTxn(txn: WriteTxn, key: string): void {
  const existing = txn.tables.kvs.get(key);
  if (!existing) return;
  putEntry(txn, { ...existing, Session: '', ModifyIndex: txn.index }, existing);
}

/** Check-and-set: index 0 means "only if absent", otherwise the ModifyIndex must match. */
export function kvsSetCasTxn(txn: WriteTxn, input: KvsSetInput, casIndex: number): boolean {
  const existing = txn.tables.kvs.get(input.key);
  if (casIndex === 0 ? existing !== undefined : existing?.ModifyIndex !== casIndex) return false;
  kvsSetTxn(txn, input);
  return true;
}

export function kvsDeleteTxn(txn: WriteTxn, key: string): void {
  const existing = txn.tables.kvs.get(key);
  if (!existing) return;
  txn.tables.kvs.delete(key);
  if (existing.Session !== '') txn.tables.kvsBySession.delete(existing.Session + SEP + key);
  txn.tables.tombstones.set(key, txn.index);
  txn.touch('kvs', key);
  txn.touch('tombstones');
}

/** Delete only if the ModifyIndex matches; deleting an absent key succeeds (Consul: kvsDeleteCASTxn). */
export function kvsDeleteCasTxn(txn: WriteTxn, key: string, casIndex: number): boolean {
  const existing = txn.tables.kvs.get(key);
  if (!existing) return true;
  if (existing.ModifyIndex !== casIndex) return false;
  kvsDeleteTxn(txn, key);
  return true;
}

export function kvsDeleteTreeTxn(txn: WriteTxn, prefix: string): number {
  const keys: string[] = [];
  const kvs = txn.tables.kvs;
  if (prefix === '') for (const k of kvs.keys()) keys.push(k);
  else kvs.forRange(prefix, prefixEnd(prefix), true, (k) => void (k.startsWith(prefix) && keys.push(k)));
  for (const k of keys) kvsDeleteTxn(txn, k);
  return keys.length;
}

/** Drop tombstones at or below `index` (the leader reaps them after tombstone_ttl). */
export function tombstoneReapTxn(txn: WriteTxn, index: number): number {
  const dead: string[] = [];
  for (const [k, idx] of txn.tables.tombstones.entries()) if (idx <= index) dead.push(k);
  for (const k of dead) txn.tables.tombstones.delete(k);
  if (dead.length > 0) txn.touch('tombstones');
  return dead.length;
}
