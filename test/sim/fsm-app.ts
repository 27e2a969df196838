// The full stack's state machine: the real FSM (src/core/fsm) over the real state store
// (src/core/state), exactly as a server runs it: commands are encoded FsmCommands, snapshots are
// the FSM's state.bin records, a restart or an InstallSnapshot restores a fresh store from them.

import { encodeCommand } from '../../src/core/fsm/commands.js';
import { Fsm, type FsmResult } from '../../src/core/fsm/fsm.js';
import { StateStore } from '../../src/core/state/store.js';
import type { SimApp, SimStateMachine } from './state-machine.js';

const enc = new TextEncoder();

export class FsmMachine implements SimStateMachine {
  readonly fsm: Fsm;

  constructor(readonly store: StateStore) {
    this.fsm = new Fsm(store);
  }

  apply(index: number, data: Uint8Array): FsmResult {
    return this.fsm.apply(index, data);
  }

  snapshot(): Uint8Array {
    return this.fsm.snapshot().data;
  }

  /** Every KV entry with all its fields, the tombstones and the table indexes, in key order. */
  fingerprint(): string {
    const view = this.store.snapshotView();
    const kvs = [...view.tables.kvs.values()].map((e) => [e.Key, Buffer.from(e.Value).toString('hex'), e.Flags, e.LockIndex, e.Session, e.CreateIndex, e.ModifyIndex]);
    const tombstones = [...view.tables.tombstones.entries()];
    const indexes = [...view.indexes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return JSON.stringify({ kvs, tombstones, indexes });
  }
}

export const fsmApp: SimApp<FsmMachine> = {
  name: 'kv',
  restore(data, index) {
    const m = new FsmMachine(new StateStore());
    if (data.length > 0) m.fsm.restore(data, index);
    return m;
  },
  marker: (now) =>
    encodeCommand({ t: 'kvs', v: 1, req: { op: 'set', key: '__marker__', value: enc.encode(String(now)), flags: 0, session: '', index: 0 } }),
};
