// /v1/txn: run KV operations in one write transaction; any error rolls back all of them
// (Consul: agent/consul/state/txn.go). Error texts are Consul's: clients match on them.
import type { DirEntry, KvFlags } from '../structs/kv.js';
import { StateError } from './errors.js';
import {
  kvsDeleteCasTxn,
  kvsDeleteTreeTxn,
  kvsDeleteTxn,
  kvsLockTxn,
  kvsSetCasTxn,
  kvsSetTxn,
  kvsUnlockTxn,
} from './kvs.js';
import type { StateStore, WriteTxn } from './store.js';

export type TxnKvVerb =
  | 'set'
  | 'cas'
  | 'lock'
  | 'unlock'
  | 'get'
  | 'get-or-empty'
  | 'get-tree'
  | 'check-index'
  | 'check-session'
  | 'check-not-exists'
  | 'delete'
  | 'delete-tree'
  | 'delete-cas';

export const READ_VERBS: ReadonlySet<string> = new Set(['get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists']);

export interface TxnKvOp {
  readonly verb: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly flags: KvFlags;
  readonly index: number;
  readonly session: string;
}

export interface TxnResult {
  KV: DirEntry;
}

export interface TxnError {
  OpIndex: number;
  What: string;
}

export type TxnOutcome = { results: TxnResult[]; errors: null } | { results: null; errors: TxnError[] };

class OpError extends Error {}

const noValue = (e: DirEntry): DirEntry => ({ ...e, Value: new Uint8Array(0) });

function runOp(txn: WriteTxn, op: TxnKvOp): DirEntry[] {
  const kvs = txn.tables.kvs;
  const input = { key: op.key, value: op.value, flags: op.flags };
  switch (op.verb) {
    case 'set':
      return [noValue(kvsSetTxn(txn, input))];
    case 'cas':
      if (!kvsSetCasTxn(txn, input, op.index)) throw new OpError(`failed to set key "${op.key}", index is stale`);
      return [noValue(kvs.get(op.key) as DirEntry)];
    case 'delete':
      kvsDeleteTxn(txn, op.key);
      return [];
    case 'delete-cas':
      if (!kvsDeleteCasTxn(txn, op.key, op.index)) throw new OpError(`failed to delete key "${op.key}", index is stale`);
      return [];
    case 'delete-tree':
      kvsDeleteTreeTxn(txn, op.key);
      return [];
    case 'get': {
      const e = kvs.get(op.key);
      if (!e) throw new OpError(`key "${op.key}" doesn't exist`);
      return [e];
    }
    case 'get-or-empty': {
      const e = kvs.get(op.key);
      return [e ?? { Key: op.key, Value: new Uint8Array(0), Flags: 0, LockIndex: 0, Session: '', CreateIndex: 0, ModifyIndex: 0 }];
    }
    case 'get-tree': {
      const out: DirEntry[] = [];
      kvs.forRange(op.key, op.key + '\uffff\uffff', true, (k, e) => void (k.startsWith(op.key) && out.push(e)));
      return out;
    }
    case 'check-index': {
      const e = kvs.get(op.key);
      if (!e) throw new OpError(`key "${op.key}" doesn't exist`);
      if (e.ModifyIndex !== op.index) throw new OpError(`current modify index ${e.ModifyIndex} != ${op.index}`);
      return [noValue(e)];
    }
    case 'check-session': {
      const e = kvs.get(op.key);
      if (!e) throw new OpError(`failed to check session, key ${JSON.stringify(op.key)} doesn't exist`);
      if (e.Session !== op.session) {
        throw new OpError(`failed session check for key ${JSON.stringify(op.key)}, current session ${JSON.stringify(e.Session)} != ${JSON.stringify(op.session)}`);
      }
      return [noValue(e)];
    }
    case 'check-not-exists':
      if (kvs.has(op.key)) throw new OpError(`key "${op.key}" exists`);
      return [];
    case 'lock':
      if (!kvsLockTxn(txn, { ...input, session: op.session })) throw new OpError(`failed to lock key ${JSON.stringify(op.key)}, lock is already held`);
      return [noValue(kvs.get(op.key) as DirEntry)];
    case 'unlock':
      if (!kvsUnlockTxn(txn, { ...input, session: op.session })) {
        throw new OpError(`failed to unlock key ${JSON.stringify(op.key)}, lock isn't held, or is held by another session`);
      }
      return [noValue(kvs.get(op.key) as DirEntry)];
    default:
      throw new OpError(`unknown KV verb "${op.verb}"`);
  }
}

/** Run every op; on any error return all errors and leave the txn uncommitted (the caller drops it). */
export function txnKvsDispatch(txn: WriteTxn, ops: readonly TxnKvOp[]): TxnOutcome {
  const results: TxnResult[] = [];
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    try {
      for (const e of runOp(txn, op)) results.push({ KV: e });
    } catch (err) {
      if (!(err instanceof OpError) && !(err instanceof StateError)) throw err;
      errors.push({ OpIndex: i, What: err.message });
    }
  });
  return errors.length > 0 ? { results: null, errors } : { results, errors: null };
}

/** A read-only txn (every op a read verb) runs against the current state without Raft. */
export function txnReadOnly(store: StateStore, ops: readonly TxnKvOp[]): TxnOutcome {
  const txn = store.begin(store.latestIndex);
  return txnKvsDispatch(txn, ops);
}
