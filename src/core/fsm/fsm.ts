// The FSM: a dispatch table from committed command to state-store call (Consul: agent/consul/fsm).
//
// MUST: deterministic. apply() depends only on the state and the entry, never on a clock, so every
// server reaches the same state. Results are typed values, not errors thrown across the boundary.
import type { StateStore, WriteTxn } from '../state/store.js';
import {
  kvsDeleteCasTxn,
  kvsDeleteTreeTxn,
  kvsDeleteTxn,
  kvsLockTxn,
  kvsSetCasTxn,
  kvsSetTxn,
  kvsUnlockTxn,
  tombstoneReapTxn,
} from '../state/kvs.js';
import { StateError } from '../state/errors.js';
import { sessionCreateTxn, sessionDestroyTxn } from '../state/sessions.js';
import { txnKvsDispatch, type TxnOutcome } from '../state/txn.js';
import { CatalogError, deregisterTxn, ensureRegistrationTxn } from '../state/catalog.js';
import { decodeCommand, type FsmCommand } from './commands.js';
import { caSetTxn } from '../state/connect-ca.js';
import { configEntryDeleteTxn, configEntrySetTxn } from '../state/config-entries.js';
import { coordinateBatchUpdateTxn } from '../state/coordinates.js';
import { preparedQueryDeleteTxn, preparedQuerySetTxn } from '../state/prepared-queries.js';
import { decodeState, encodeState } from './snapshot.js';
import { applyAclCommand, type AclCommand } from './acl.js';
import type { KvsRequest } from '../structs/kv.js';

export type FsmResult =
  | { readonly t: 'bool'; readonly value: boolean }
  | { readonly t: 'txn'; readonly value: TxnOutcome }
  | { readonly t: 'error'; readonly message: string }
  | { readonly t: 'none' };

const NONE: FsmResult = { t: 'none' };

export class Fsm {
  constructor(readonly store: StateStore) {}

  /** Apply one committed command entry at its Raft index. */
  apply(index: number, data: Uint8Array): FsmResult {
    return this.applyCommand(index, decodeCommand(data));
  }

  applyCommand(index: number, cmd: FsmCommand): FsmResult {
    switch (cmd.t) {
      case 'kvs':
        return this.applyKvs(index, cmd.req);
      case 'txn': {
        const txn = this.store.begin(index);
        const outcome = txnKvsDispatch(txn, cmd.ops);
        if (outcome.errors === null) this.store.commit(txn);
        else this.store.noteIndex(index);
        return { t: 'txn', value: outcome };
      }
      case 'register':
        return this.applyWrite(index, (txn) => ensureRegistrationTxn(txn, cmd.req));
      case 'deregister':
        return this.applyWrite(index, (txn) => deregisterTxn(txn, cmd.req));
      case 'session':
        if (cmd.op === 'create') return this.applyWrite(index, (txn) => void sessionCreateTxn(txn, cmd.session));
        return this.applyWrite(index, (txn) => void sessionDestroyTxn(txn, cmd.id));
      case 'tombstone-reap': {
        const txn = this.store.begin(index);
        tombstoneReapTxn(txn, cmd.index);
        this.store.commit(txn);
        return NONE;
      }
      case 'connect-ca':
        return this.applyBool(index, (txn) => caSetTxn(txn, cmd.mode, cmd.config, cmd.roots, cmd.casIndex));
      case 'config-entry':
        if (cmd.op === 'set') return this.applyBool(index, (txn) => configEntrySetTxn(txn, cmd.entry, cmd.casIndex));
        return this.applyBool(index, (txn) => configEntryDeleteTxn(txn, cmd.kind, cmd.name, cmd.casIndex));
      case 'acl-bootstrap':
      case 'acl-token':
      case 'acl-policy':
      case 'acl-role':
        return this.applyWrite(index, (txn) => applyAclCommand(txn, cmd as AclCommand, this.store.maxIndex('acl-token-bootstrap')));
      case 'prepared-query':
        if (cmd.op === 'set') return this.applyWrite(index, (txn) => preparedQuerySetTxn(txn, cmd.query));
        return this.applyWrite(index, (txn) => preparedQueryDeleteTxn(txn, cmd.id));
      case 'coordinates':
        return this.applyWrite(index, (txn) => void coordinateBatchUpdateTxn(txn, cmd.updates));
      case 'restore':
        this.restore(cmd.state, index);
        return NONE;
    }
  }

  /** A write that answers true/false (CAS-style); false leaves the state untouched. */
  private applyBool(index: number, write: (txn: WriteTxn) => boolean): FsmResult {
    const txn = this.store.begin(index);
    const ok = write(txn);
    if (ok) this.store.commit(txn);
    else this.store.noteIndex(index);
    return { t: 'bool', value: ok };
  }

  /** Run a write; a state error (Consul's text) drops the transaction and becomes the result. */
  private applyWrite(index: number, write: (txn: WriteTxn) => void): FsmResult {
    const txn = this.store.begin(index);
    try {
      write(txn);
    } catch (err) {
      if (!(err instanceof CatalogError) && !(err instanceof StateError)) throw err;
      this.store.noteIndex(index);
      return { t: 'error', message: err.message };
    }
    this.store.commit(txn);
    return NONE;
  }

  private applyKvs(index: number, req: KvsRequest): FsmResult {
    const txn = this.store.begin(index);
    const input = { key: req.key, value: req.value, flags: req.flags, session: req.session };
    let ok = true;
    switch (req.op) {
      case 'set':
        kvsSetTxn(txn, input);
        break;
      case 'cas':
        ok = kvsSetCasTxn(txn, input, req.index);
        break;
      case 'delete':
        kvsDeleteTxn(txn, req.key);
        break;
      case 'delete-cas':
        ok = kvsDeleteCasTxn(txn, req.key, req.index);
        break;
      case 'delete-tree':
        kvsDeleteTreeTxn(txn, req.key);
        break;
      case 'lock':
      case 'unlock':
        try {
          ok = req.op === 'lock' ? kvsLockTxn(txn, input) : kvsUnlockTxn(txn, input);
        } catch (err) {
          if (!(err instanceof StateError)) throw err;
          this.store.noteIndex(index);
          return { t: 'error', message: err.message };
        }
        break;
    }
    this.store.commit(txn);
    return { t: 'bool', value: ok };
  }

  /** Serialize the current state (state.bin). Cheap to start: tables are cloned in O(1). */
  snapshot(): { index: number; data: Uint8Array } {
    const view = this.store.snapshotView();
    return { index: view.index, data: encodeState(view.tables, view.indexes) };
  }

  restore(state: Uint8Array, index: number): void {
    const { tables, indexes } = decodeState(state);
    this.store.restore(tables, indexes, index);
  }
}
