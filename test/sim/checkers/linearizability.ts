// Linearizability checker for client histories (Herlihy & Wing), in the style of Porcupine and
// Knossos: the Wing & Gong depth-first search with Lowe's memoization of (linearized set, state),
// over a history that has already been split into independent parts (P-compositionality: a
// history of single-key ops is linearizable iff each key's sub-history is, since linearizability
// is a local property).
//
// MUST: the model's step() is deterministic; an op whose outcome is unknown (open: the client never
// heard back) is given `output: undefined` and an infinite response time. Such an op may be placed
// anywhere after its invocation, including after everything else (= it never took effect).
// The search is bounded (maxSteps): 'unknown' means the cap was hit, never that the history passed.

export interface Model<S, I, O> {
  readonly init: S;
  /** The state after `input` with the observed `output` (undefined: unknown); undefined = impossible. */
  step(state: S, input: I, output: O | undefined): S | undefined;
  /** A canonical string for a state (memoization key). */
  stateKey(state: S): string;
  /** An op that cannot change the state when it produced `output` (a read, a failed cas). */
  readOnly(input: I, output: O | undefined): boolean;
  /**
   * Whether an open op may be dropped from `rest` without making a linearizable history
   * non-linearizable (used only to shrink a counterexample; false is always safe).
   */
  canDropOpen(op: HistoryOp<I, O>, rest: readonly HistoryOp<I, O>[]): boolean;
  describe(input: I, output: O | undefined): string;
  /**
   * Optional pruning for open ops (the search stays complete). An open op is lazy when, in any
   * linearization, it can move to the very end unless some later completed op demands the state
   * it would hide: then the search places it only where a pending completed op's demand equals the
   * current state, or once no completed op is left. Without this, every unobserved open write may
   * sit at every point and proving a violation costs 2^(open writes).
   */
  /**
   * Optional: an equivalent history (linearizable iff the input is) that is cheaper to search,
   * e.g. an open write whose value a completed read returned must have taken effect before that
   * read returned, so it gets that response time.
   */
  tighten?(history: readonly HistoryOp<I, O>[]): HistoryOp<I, O>[];
  readonly lazy?: {
    isLazy(op: HistoryOp<I, O>, history: readonly HistoryOp<I, O>[]): boolean;
    /** The state key a completed op needs hidden (e.g. a cas that failed: its expected value). */
    demand(op: HistoryOp<I, O>): string | undefined;
  };
}

export interface HistoryOp<I, O> {
  /** Unique within one history. */
  readonly id: number;
  readonly client: string;
  readonly input: I;
  /** Absent when the op is open (outcome unknown). */
  readonly output?: O;
  /** Invocation time; ops are ordered by time only (real-time order). */
  readonly call: number;
  /** Response time; Infinity when open. An op with ret < other.call precedes it. */
  readonly ret: number;
  /** Free text shown in reports (sim time, server, Raft index ...). */
  readonly note?: string;
}

export type CheckResult =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'illegal'; readonly steps: number; readonly longestPrefix: readonly number[] }
  | { readonly kind: 'unknown'; readonly steps: number };

export interface CheckOptions {
  /** Search steps before giving up with 'unknown'. */
  readonly maxSteps?: number;
}

const DEFAULT_MAX_STEPS = 2_000_000;

interface Entry {
  readonly op: number; // index into the ops array
  readonly isCall: boolean;
  readonly time: number;
  match: Entry | undefined; // call -> its return
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** Calls and returns in time order; at equal times calls come first (such ops overlap). */
function buildList<I, O>(ops: readonly HistoryOp<I, O>[]): Entry {
  const entries: Entry[] = [];
  ops.forEach((o, i) => {
    if (!(o.ret >= o.call)) throw new RangeError(`op ${o.id}: returns (${o.ret}) before it is called (${o.call})`);
    const call: Entry = { op: i, isCall: true, time: o.call, match: undefined, prev: undefined, next: undefined };
    const ret: Entry = { op: i, isCall: false, time: o.ret, match: undefined, prev: undefined, next: undefined };
    call.match = ret;
    entries.push(call, ret);
  });
  entries.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? -1 : 1));
  const head: Entry = { op: -1, isCall: false, time: Number.NEGATIVE_INFINITY, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const e of entries) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

/** Removes a call and its return from the list (the op is linearized). */
function lift(call: Entry): void {
  const ret = call.match as Entry;
  (call.prev as Entry).next = call.next;
  (call.next as Entry).prev = call.prev;
  (ret.prev as Entry).next = ret.next;
  if (ret.next !== undefined) ret.next.prev = ret.prev;
}

/** Puts a lifted call and its return back, exactly where they were (undo of lift). */
function unlift(call: Entry): void {
  const ret = call.match as Entry;
  (ret.prev as Entry).next = ret;
  if (ret.next !== undefined) ret.next.prev = ret;
  (call.prev as Entry).next = call;
  (call.next as Entry).prev = call;
}

class BitSet {
  private readonly words: Uint32Array;
  constructor(n: number) {
    this.words = new Uint32Array(Math.ceil(n / 32) + 1);
  }
  set(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) | (1 << (i & 31));
  }
  clear(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) & ~(1 << (i & 31));
  }
  key(): string {
    return this.words.join(',');
  }
}

/** Book-keeping for Model.lazy: what the completed ops not yet linearized demand. */
class LazyPruning<S, I, O> {
  private readonly lazy: boolean[] = [];
  private readonly completed: boolean[] = [];
  private readonly demand: (string | undefined)[] = [];
  private readonly pendingDemand = new Map<string, number>();
  private pendingCompleted = 0;

  constructor(private readonly model: Model<S, I, O>, ops: readonly HistoryOp<I, O>[]) {
    const hooks = model.lazy;
    ops.forEach((o, i) => {
      const done = o.output !== undefined;
      this.completed[i] = done;
      this.lazy[i] = hooks !== undefined && !done && hooks.isLazy(o, ops);
      const d = hooks !== undefined && done ? hooks.demand(o) : undefined;
      this.demand[i] = d;
      if (done) this.pendingCompleted++;
      if (d !== undefined) this.pendingDemand.set(d, (this.pendingDemand.get(d) ?? 0) + 1);
    });
  }

  worthTrying(i: number, state: S): boolean {
    if (!this.lazy[i] || this.pendingCompleted === 0) return true;
    return (this.pendingDemand.get(this.model.stateKey(state)) ?? 0) > 0;
  }

  /** Op i was linearized (+1) or taken back (-1). */
  linearized(i: number, sign: 1 | -1): void {
    if (!this.completed[i]) return;
    this.pendingCompleted -= sign;
    const d = this.demand[i];
    if (d !== undefined) this.pendingDemand.set(d, (this.pendingDemand.get(d) ?? 0) - sign);
  }
}

/** Is this (single-partition) history linearizable with respect to `model`? */
export function checkHistory<S, I, O>(model: Model<S, I, O>, ops: readonly HistoryOp<I, O>[], opts: CheckOptions = {}): CheckResult {
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  if (model.tighten !== undefined) ops = model.tighten(ops);
  const head = buildList(ops);
  const pruning = new LazyPruning(model, ops);
  const linearized = new BitSet(ops.length);
  const seen = new Set<string>();
  const stack: { call: Entry; state: S }[] = [];
  let longest: number[] = [];
  let state = model.init;
  let entry = head.next;
  let steps = 0;
  while (head.next !== undefined && entry !== undefined) {
    if (++steps > maxSteps) return { kind: 'unknown', steps };
    const op = ops[entry.op] as HistoryOp<I, O>;
    if (entry.isCall) {
      const next = pruning.worthTrying(entry.op, state) ? model.step(state, op.input, op.output) : undefined;
      if (next !== undefined) {
        linearized.set(entry.op);
        const k = `${linearized.key()}|${model.stateKey(next)}`;
        if (!seen.has(k)) {
          seen.add(k);
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          pruning.linearized(entry.op, +1);
          entry = head.next;
          continue;
        }
        linearized.clear(entry.op);
      }
      entry = entry.next;
    } else {
      // A return reached with its op not linearized: every choice so far fails; backtrack.
      if (stack.length > longest.length) longest = stack.map((s) => (ops[s.call.op] as HistoryOp<I, O>).id);
      const top = stack.pop();
      if (top === undefined) return { kind: 'illegal', steps, longestPrefix: longest };
      state = top.state;
      linearized.clear(top.call.op);
      unlift(top.call);
      pruning.linearized(top.call.op, -1);
      entry = top.call.next;
    }
  }
  return { kind: 'ok', steps };
}

/** Checks every partition (e.g. every key) separately. */
export function checkPartitioned<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly HistoryOp<I, O>[],
  partitionOf: (op: HistoryOp<I, O>) => string,
  opts: CheckOptions = {},
): Map<string, { ops: HistoryOp<I, O>[]; result: CheckResult }> {
  const parts = new Map<string, HistoryOp<I, O>[]>();
  for (const op of ops) {
    const k = partitionOf(op);
    let list = parts.get(k);
    if (list === undefined) parts.set(k, (list = []));
    list.push(op);
  }
  const out = new Map<string, { ops: HistoryOp<I, O>[]; result: CheckResult }>();
  for (const [k, list] of [...parts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.set(k, { ops: list, result: checkHistory(model, list, opts) });
  }
  return out;
}

function relaxed<I, O>(op: HistoryOp<I, O>): HistoryOp<I, O> {
  const { output: _dropped, ...rest } = op;
  return { ...rest, ret: Number.POSITIVE_INFINITY };
}

/**
 * Shrinks a non-linearizable history to a small one that is still non-linearizable, using only
 * moves under which "the small one is not linearizable" implies "the original is not": cut the
 * history after the earliest point where it fails, drop an op that cannot change the state (a
 * read), forget a completed op's outcome (make it open), and drop an open op the model says is
 * irrelevant. Each move is tried on halves, then quarters ... then single ops (ddmin), so
 * irrelevant bulk goes in a few tries. Minimal per op, not globally; bounded by maxSteps.
 */
export function shrinkFailure<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly HistoryOp<I, O>[],
  opts: { readonly maxStepsPerTry?: number; readonly maxSteps?: number } = {},
): HistoryOp<I, O>[] {
  const tryOpts = { maxSteps: opts.maxStepsPerTry ?? 200_000 };
  let budget = opts.maxSteps ?? 20_000_000;
  let cur = truncate(model, ops, tryOpts);
  const stillFails = (cand: HistoryOp<I, O>[]): boolean => {
    if (budget <= 0) return false;
    const r = checkHistory(model, cand, tryOpts);
    budget -= r.steps;
    return r.kind === 'illegal';
  };
  /** Applies `move` to as many of the ops picked by `eligible` as possible, in shrinking chunks. */
  const reduce = (eligible: (o: HistoryOp<I, O>) => boolean, move: (h: HistoryOp<I, O>[], ids: ReadonlySet<number>) => HistoryOp<I, O>[] | undefined): boolean => {
    let changed = false;
    const ids = cur.filter(eligible).map((o) => o.id).reverse(); // latest first: usually irrelevant
    for (let chunk = Math.ceil(ids.length / 2); chunk >= 1 && budget > 0; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
      for (let i = 0; i < ids.length; i += chunk) {
        const group = new Set(ids.slice(i, i + chunk).filter((id) => cur.some((o) => o.id === id && eligible(o))));
        if (group.size === 0) continue;
        const cand = move(cur, group);
        if (cand !== undefined && stillFails(cand)) {
          cur = cand;
          changed = true;
        }
      }
    }
    return changed;
  };
  const dropReads = (h: HistoryOp<I, O>[], ids: ReadonlySet<number>): HistoryOp<I, O>[] => h.filter((o) => !ids.has(o.id));
  const relax = (h: HistoryOp<I, O>[], ids: ReadonlySet<number>): HistoryOp<I, O>[] => h.map((o) => (ids.has(o.id) ? relaxed(o) : o));
  // Forget the outcome of an op, then drop it where the model allows, repeatedly: dropping one op
  // may free another (a cas chain). Ops that cannot be dropped stay as they were, so the history
  // keeps its completed ops (open ones make every later check slower).
  const dropWrites = (h: HistoryOp<I, O>[], ids: ReadonlySet<number>): HistoryOp<I, O>[] | undefined => {
    let rest = h;
    for (let progress = true; progress;) {
      progress = false;
      for (const op of rest) {
        if (!ids.has(op.id)) continue;
        const without = rest.filter((o) => o !== op);
        if (!model.canDropOpen(relaxed(op), without)) continue;
        rest = without;
        progress = true;
      }
    }
    return rest.length < h.length ? rest : undefined;
  };
  const isRead = (o: HistoryOp<I, O>): boolean => o.output !== undefined && model.readOnly(o.input, o.output);
  for (let round = 0; round < 4 && budget > 0; round++) {
    let changed = reduce(isRead, dropReads);
    changed = reduce((o) => !isRead(o), dropWrites) || changed;
    if (!changed) break;
  }
  reduce((o) => o.output !== undefined && !isRead(o), relax);
  return cur;
}

/**
 * The shortest prefix in invocation order that is still not linearizable: the ops invoked up to
 * some time T, with those that returned after T made open. Sound (a linearization of the whole
 * history, cut to these ops, linearizes the prefix: everything after the first dropped op is
 * open there) and monotone in T, so a binary search finds it.
 */
function truncate<S, I, O>(model: Model<S, I, O>, ops: readonly HistoryOp<I, O>[], opts: CheckOptions): HistoryOp<I, O>[] {
  // Cut points: response times (a violation shows when some op returns), then "everything".
  const times = [...new Set(ops.map((o) => o.ret))].sort((a, b) => a - b);
  if (times[times.length - 1] !== Number.POSITIVE_INFINITY) times.push(Number.POSITIVE_INFINITY);
  const cut = (t: number): HistoryOp<I, O>[] => ops.filter((o) => o.call <= t).map((o) => (o.ret > t && o.output !== undefined ? relaxed(o) : o));
  let lo = 0;
  let hi = times.length - 1; // cut(Infinity) is the whole history: illegal
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (checkHistory(model, cut(times[mid] as number), opts).kind === 'illegal') hi = mid;
    else lo = mid + 1;
  }
  return cut(times[hi] as number);
}

/** A history as text, one op per line in invocation order. */
export function formatHistory<S, I, O>(model: Model<S, I, O>, ops: readonly HistoryOp<I, O>[]): string {
  return [...ops]
    .sort((a, b) => a.call - b.call)
    .map((o) => {
      const ret = o.ret === Number.POSITIVE_INFINITY ? 'open' : String(o.ret);
      return `  #${o.id} ${o.client.padEnd(4)} [${o.call} .. ${ret}] ${model.describe(o.input, o.output)}${o.note ? `  (${o.note})` : ''}`;
    })
    .join('\n');
}
