// The client history of a KV run (Jepsen style): every op with its invocation and, if the client
// heard back, its response. Ops the client gave up on (timeout, server crash, leadership lost)
// stay open: they may or may not have taken effect. Ops refused before anything was proposed, or
// whose entry the driver saw overwritten, definitely did nothing and are left out of the check.
//
// MUST: times are strictly increasing event stamps (sim time plus a sub-step counter), so the
// real-time order the checker sees is exactly the order things happened in the simulation.

import type { NodeId } from '../../src/core/raft/core/index.js';
import { checkModifyIndexes, kvRegisterModel, type KnownWrite, type KvInput, type KvOp, type KvOutput } from './checkers/kv-register.js';
import { checkPartitioned, formatHistory, shrinkFailure } from './checkers/linearizability.js';

/** How a client op reached the state: a Raft write, or one of the read paths. */
export type OpPath = 'write' | 'lease' | 'readIndex' | 'followerRead' | 'final';

export interface ClientOp {
  readonly id: number;
  readonly client: string;
  readonly key: string;
  readonly input: KvInput;
  readonly call: number;
  readonly path: OpPath;
  node: NodeId;
  status: 'pending' | 'ok' | 'failed' | 'open';
  output?: KvOutput;
  ret?: number;
  /** cas: the ModifyIndex it carries (read together with input.expect). */
  readonly casIndex?: number;
  /** Writes: where the proposal went in the log. */
  slot?: { readonly index: number; readonly term: number };
  why?: string;
}

/** What the log says became of a write whose client never heard back. */
export type SlotFate = { readonly kind: 'applied'; readonly output: KvOutput } | { readonly kind: 'lost' } | { readonly kind: 'unknown' };

export class LinearizabilityViolation extends Error {
  constructor(readonly key: string, detail: string) {
    super(detail);
    this.name = 'LinearizabilityViolation';
  }
}

export class KvHistory {
  readonly ops: ClientOp[] = [];
  private stampAt = -1;
  private sub = 0;
  stats = { linKeys: 0, linSteps: 0, linUnknown: 0, openApplied: 0, openLost: 0, openUnknown: 0 };

  /** @param trace receives one line per event when the run is traced. */
  constructor(private readonly trace?: (line: string) => void) {}

  private describe(op: ClientOp): string {
    return `${op.client} #${op.id} ${kvRegisterModel.describe(op.input, op.output)} on ${op.key} (${op.path} via ${op.node}${op.slot ? ` at ${op.slot.index}@${op.slot.term}` : ''})`;
  }

  /** A strictly increasing time: `now` plus a counter within this unit. */
  stamp(now: number): number {
    if (now !== this.stampAt) {
      this.stampAt = now;
      this.sub = 0;
    }
    this.sub++;
    return now + this.sub / 10_000;
  }

  invoke(now: number, client: string, key: string, input: KvInput, path: OpPath, node: NodeId, casIndex?: number): ClientOp {
    const op: ClientOp = {
      id: this.ops.length, client, key, input, call: this.stamp(now), path, node, status: 'pending',
      ...(casIndex === undefined ? {} : { casIndex }),
    };
    this.ops.push(op);
    this.trace?.(`invoke ${this.describe(op)}`);
    return op;
  }

  complete(op: ClientOp, output: KvOutput, now: number): void {
    if (op.status !== 'pending') return;
    op.status = 'ok';
    op.output = output;
    op.ret = this.stamp(now);
    this.trace?.(`ok ${this.describe(op)}`);
  }

  /** The op definitely had no effect (refused, or its entry was replaced in the log). */
  fail(op: ClientOp, why: string): void {
    if (op.status !== 'pending') return;
    op.status = 'failed';
    op.why = why;
    this.trace?.(`failed ${this.describe(op)}: ${why}`);
  }

  /** The client stops waiting without knowing the outcome. */
  giveUp(op: ClientOp, why: string): void {
    if (op.status !== 'pending') return;
    op.status = 'open';
    op.why = why;
    this.trace?.(`open ${this.describe(op)}: ${why}`);
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = { kvOps: this.ops.length, kvOk: 0, kvOpen: 0, kvFailed: 0, kvPending: 0 };
    for (const o of this.ops) {
      const k = o.status === 'ok' ? 'kvOk' : o.status === 'open' ? 'kvOpen' : o.status === 'failed' ? 'kvFailed' : 'kvPending';
      out[k] = (out[k] ?? 0) + 1;
    }
    return { ...out, ...this.stats };
  }

  /**
   * Builds the per-key histories and checks them. `fate` tells what became of an unanswered
   * write's log slot (the simulator sees the whole log): lost ones are left out, applied ones keep
   * an infinite response time but get their known output. Throws LinearizabilityViolation.
   */
  check(fate: (slot: { index: number; term: number }) => SlotFate, maxSteps: number): void {
    const history: KvOp[] = [];
    const known = new Map<string, KnownWrite[]>();
    const keyOf = new Map<number, string>();
    for (const o of this.ops) {
      if (o.status === 'failed') continue;
      let output = o.status === 'ok' ? o.output : undefined;
      if (o.status !== 'ok') {
        if (o.input.f === 'get') continue; // an unanswered read says nothing
        const f = o.slot === undefined ? ({ kind: 'unknown' } as const) : fate(o.slot);
        if (f.kind === 'lost') {
          this.stats.openLost++;
          continue;
        }
        if (f.kind === 'applied') {
          this.stats.openApplied++;
          output = f.output;
        } else {
          this.stats.openUnknown++;
        }
      }
      // A write known to have stored its value: its ModifyIndex must be its Raft index.
      const input = o.input;
      const stored = input.f === 'put' ? output !== undefined : input.f === 'cas' && output?.f === 'cas' && output.ok;
      if (stored && (input.f === 'put' || input.f === 'cas') && o.slot !== undefined) {
        const list = known.get(o.key) ?? [];
        list.push({ value: input.value, index: o.slot.index });
        known.set(o.key, list);
      }
      keyOf.set(o.id, o.key);
      history.push({
        id: o.id, client: o.client, input: o.input, call: o.call,
        ret: o.status === 'ok' ? (o.ret as number) : Number.POSITIVE_INFINITY,
        ...(output === undefined ? {} : { output }),
        note: `${o.path} via ${o.node}${o.slot ? ` at ${o.slot.index}@${o.slot.term}` : ''}${o.status === 'ok' ? '' : `; ${o.status === 'open' ? 'gave up' : 'no answer'}: ${o.why ?? 'run ended'}`}`,
      });
    }
    const results = checkPartitioned(kvRegisterModel, history, (op) => keyOf.get(op.id) ?? '', { maxSteps });
    for (const [key, { ops, result }] of results) {
      this.stats.linKeys++;
      this.stats.linSteps += result.steps;
      if (result.kind === 'unknown') this.stats.linUnknown++;
      if (result.kind === 'illegal') {
        const small = shrinkFailure(kvRegisterModel, ops);
        throw new LinearizabilityViolation(key,
          `linearizability: key ${key} has no linearization (${ops.length} ops); a smallest failing sub-history ` +
          `(times are sim units; "open" = the client never learned the outcome):\n${formatHistory(kvRegisterModel, small)}`);
      }
      const bad = checkModifyIndexes(key, ops, known.get(key) ?? []);
      if (bad !== undefined) throw new LinearizabilityViolation(key, `modify index: ${bad}`);
    }
  }
}
