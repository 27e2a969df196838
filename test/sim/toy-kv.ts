// The Raft stack's state machine: a toy KV whose commands are "key=value" strings and whose
// snapshot is JSON. Small and cheap, so the Raft-only simulation stays fast.

import type { SimApp, SimStateMachine } from './state-machine.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export class ToyKv implements SimStateMachine {
  constructor(readonly kv: Map<string, string> = new Map()) {}

  apply(_index: number, data: Uint8Array): undefined {
    const [k, v] = dec.decode(data).split('=');
    this.kv.set(k ?? '', v ?? '');
    return undefined;
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify([...this.kv]));
  }

  fingerprint(): string {
    return JSON.stringify([...this.kv].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

export const toyKvApp: SimApp<ToyKv> = {
  name: 'raft',
  restore: (data) => new ToyKv(data.length === 0 ? new Map() : new Map(JSON.parse(dec.decode(data)) as [string, string][])),
  marker: (now) => enc.encode(`__marker__=${now}`),
};
