// The sequential model of one Consul KV key, for the linearizability checker: a register holding
// a value or nothing, with get, put (kvs set), delete and cas (kvs cas on ModifyIndex).
//
// Why cas is modelled on the value, not on ModifyIndex: the workload writes a fresh, unique value
// with every write, and every successful write gets a fresh ModifyIndex (its Raft index), while
// "absent" is ModifyIndex 0. So within one key, value <-> ModifyIndex is a bijection, and "the
// ModifyIndex is i" is the same predicate as "the value is the one that was read together with i".
// Modelling the value avoids knowing the Raft index of writes whose outcome is unknown. The part
// the value model cannot see (that reads report the right ModifyIndex for a value) is checked
// separately by checkModifyIndexes().

import type { HistoryOp, Model } from './linearizability.js';

export type KvValue = string | null;

export type KvInput =
  | { readonly f: 'get' }
  | { readonly f: 'put'; readonly value: string }
  | { readonly f: 'delete' }
  /** `expect` is the value observed with the ModifyIndex the cas carries (null: index 0, absent). */
  | { readonly f: 'cas'; readonly expect: KvValue; readonly value: string };

export type KvOutput =
  | { readonly f: 'get'; readonly value: KvValue; readonly modifyIndex: number }
  | { readonly f: 'ok' }
  | { readonly f: 'cas'; readonly ok: boolean };

export type KvOp = HistoryOp<KvInput, KvOutput>;

function show(v: KvValue): string {
  return v === null ? 'nil' : JSON.stringify(v);
}

/** The value an op writes if it takes effect (undefined for reads). */
function written(input: KvInput): KvValue | undefined {
  switch (input.f) {
    case 'put':
    case 'cas':
      return input.value;
    case 'delete':
      return null;
    case 'get':
      return undefined;
  }
}

/** Values an op observes: a read's result, a cas's expected value. */
function observed(op: KvOp): KvValue[] {
  const out: KvValue[] = [];
  if (op.input.f === 'cas') out.push(op.input.expect);
  if (op.output?.f === 'get') out.push(op.output.value);
  return out;
}

/**
 * The value an op may need to find in the register where it is linearized: a completed read's
 * result, the expected value of a cas that swapped or may have (open). A cas that failed needs
 * nothing (it only needs some other value).
 */
function required(op: KvOp): KvValue | undefined {
  if (op.output?.f === 'get') return op.output.value;
  if (op.input.f === 'cas' && !(op.output?.f === 'cas' && !op.output.ok)) return op.input.expect;
  return undefined;
}

const requiredCache = new WeakMap<readonly KvOp[], Set<KvValue>>();

/** Every value some op of the history requires (memoized per history array). */
function requiredIn(history: readonly KvOp[]): Set<KvValue> {
  let set = requiredCache.get(history);
  if (set === undefined) {
    set = new Set();
    for (const o of history) {
      const r = required(o);
      if (r !== undefined) set.add(r);
    }
    requiredCache.set(history, set);
  }
  return set;
}

function stateKey(s: KvValue): string {
  return s === null ? '\u0000' : s;
}

export const kvRegisterModel: Model<KvValue, KvInput, KvOutput> = {
  init: null,
  step(state, input, output) {
    switch (input.f) {
      case 'get':
        if (output === undefined) return state;
        return output.f === 'get' && output.value === state ? state : undefined;
      case 'put':
        return output === undefined || output.f === 'ok' ? input.value : undefined;
      case 'delete':
        return output === undefined || output.f === 'ok' ? null : undefined;
      case 'cas': {
        const swaps = state === input.expect;
        if (output !== undefined && (output.f !== 'cas' || output.ok !== swaps)) return undefined;
        return swaps ? input.value : state;
      }
    }
  },
  stateKey,
  readOnly: (input, output) => input.f === 'get' || (input.f === 'cas' && output?.f === 'cas' && !output.ok),
  canDropOpen(op, rest) {
    // Sound when nothing left observes the value it would write (a read of it, a cas expecting
    // it) and no completed cas failed: then, in any linearization with the op, removing it only
    // changes the state seen by ops that do not look at it (open cas that failed there can move
    // to the end). A failed cas could be failing only because of this op's write.
    const w = written(op.input);
    if (w === undefined) return true;
    for (const o of rest) {
      if (observed(o).includes(w)) return false;
      if (o.output?.f === 'cas' && !o.output.ok) return false;
    }
    return true;
  },
  tighten(history) {
    // Values are unique per write, so a completed op that needs a value in the register (a read
    // returning it, a cas that swapped from it) proves the one write of that value took effect
    // before it returned: an open write gets that response time (it no longer may "never happen").
    const deadline = new Map<string, number>();
    for (const o of history) {
      const needs = o.output === undefined ? undefined : required(o);
      if (needs === undefined || needs === null) continue;
      deadline.set(needs, Math.min(deadline.get(needs) ?? Number.POSITIVE_INFINITY, o.ret));
    }
    const writers = new Map<string, number>();
    for (const o of history) {
      const w = written(o.input);
      if (w !== undefined && w !== null) writers.set(w, (writers.get(w) ?? 0) + 1);
    }
    return history.map((o) => {
      const w = written(o.input);
      if (o.output !== undefined || w === undefined || w === null || writers.get(w) !== 1) return o;
      const by = deadline.get(w);
      return by !== undefined && by >= o.call && by < o.ret ? { ...o, ret: by } : o;
    });
  },
  lazy: {
    // An open write whose value nothing requires changes what a later op sees only by hiding the
    // value before it from a cas that failed; anywhere else it can move to the end of the
    // linearization (= it never took effect), and so can any open cas it made fail. Model.lazy.
    isLazy(op, history) {
      const w = written(op.input);
      return w !== undefined && !requiredIn(history).has(w);
    },
    demand: (op) => (op.input.f === 'cas' && op.output?.f === 'cas' && !op.output.ok ? stateKey(op.input.expect) : undefined),
  },
  describe(input, output) {
    const out = output === undefined ? '?' : output.f === 'get' ? `${show(output.value)} @${output.modifyIndex}` : output.f === 'ok' ? 'ok' : String(output.ok);
    switch (input.f) {
      case 'get':
        return `get -> ${out}`;
      case 'put':
        return `put ${show(input.value)} -> ${out}`;
      case 'delete':
        return `delete -> ${out}`;
      case 'cas':
        return `cas ${show(input.expect)} => ${show(input.value)} -> ${out}`;
    }
  },
};

/** A write whose outcome and Raft index are known (a completed put or successful cas). */
export interface KnownWrite {
  readonly value: string;
  readonly index: number;
}

/**
 * What the value model does not see: one value is read back with one ModifyIndex only, that index
 * is the Raft index of the write that stored the value (when known).
 * Returns a description of the first inconsistency, or undefined.
 */
export function checkModifyIndexes(key: string, ops: readonly KvOp[], writes: readonly KnownWrite[]): string | undefined {
  const indexOf = new Map<string, { index: number; by: string }>();
  for (const w of writes) indexOf.set(w.value, { index: w.index, by: 'its write' });
  for (const op of ops) {
    const out = op.output;
    if (out?.f !== 'get') continue;
    if (out.value === null) continue;
    const seen = indexOf.get(out.value);
    if (seen === undefined) indexOf.set(out.value, { index: out.modifyIndex, by: `read #${op.id}` });
    else if (seen.index !== out.modifyIndex) {
      return `${key}: read #${op.id} saw ${show(out.value)} @${out.modifyIndex}, but ${seen.by} says @${seen.index}`;
    }
  }
  return undefined;
}
