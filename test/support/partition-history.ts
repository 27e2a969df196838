// Client history of the partition runs (test/integration/partition.test.ts, bench/partition.ts)
// and its checks: writes, cas, default and ?consistent reads must be linearizable per key under the
// KV register model (test/sim/checkers); `?stale&max_stale=D` reads are checked separately, since
// they are allowed to be stale. Consul's contract for max_stale is about contact, not data age:
// the answering server heard from a leader within D (X-Consul-LastContact <= D), else it hands
// the read to the leader. That is checked for every stale read, with its value (written by
// someone, one ModifyIndex per value). The data's age is measured and reported: how long before
// the read a newer ModifyIndex was already known (read by a linearizable read, or written by an
// acked write later seen at its index). A server catching up after a heal has heard the leader
// recently yet is behind, in Consul as here, so the age is a figure, not a failure.
// MUST: an op whose outcome the client cannot know (timeout, reset, 5xx on a write) stays OPEN.
import { checkModifyIndexes, kvRegisterModel, type KvInput, type KvOp, type KvOutput } from '../sim/checkers/kv-register.js';
import { checkPartitioned, formatHistory, shrinkFailure } from '../sim/checkers/linearizability.js';

export type ReadMode = 'default' | 'consistent' | 'stale';

export interface Recorded {
  readonly id: number;
  readonly client: string;
  readonly key: string;
  readonly input: KvInput;
  readonly mode?: ReadMode;
  readonly call: number;
  readonly server: string;
  output?: KvOutput;
  ret?: number;
  why?: string;
  /** X-Consul-LastContact of the answer (ms; the server's time since it heard a leader). */
  lastContactMs?: number;
}

export const now = (): number => performance.now();

export class PartitionHistory {
  readonly ops: Recorded[] = [];
  dropped = 0;
  private nextId = 0;

  begin(client: string, key: string, input: KvInput, server: string, mode?: ReadMode): Recorded {
    const op: Recorded = { id: this.nextId++, client, key, input, call: now(), server, ...(mode !== undefined ? { mode } : {}) };
    this.ops.push(op);
    return op;
  }

  complete(op: Recorded, output: KvOutput): void {
    op.output = output;
    op.ret = now();
  }

  drop(op: Recorded): void {
    const i = this.ops.lastIndexOf(op);
    if (i >= 0) this.ops.splice(i, 1);
    this.dropped++;
  }
}

const toChecker = (o: Recorded): KvOp => ({
  id: o.id,
  client: o.client,
  input: o.input,
  call: o.call,
  ret: o.ret ?? Number.POSITIVE_INFINITY,
  note: `${o.key} via ${o.server}${o.mode ? ` ${o.mode}` : ''}${o.why ? (o.output === undefined ? ` open: ${o.why}` : ` (${o.why})`) : ''}`,
  ...(o.output !== undefined ? { output: o.output } : {}),
});

export interface CheckReport {
  readonly lines: string[];
  readonly failures: string[];
  readonly counts: Record<string, number>;
}

/**
 * Checks the history: linearizability of everything but stale reads (per key), ModifyIndex
 * consistency of every read, and the staleness bound of stale reads.
 */
export function checkPartitionHistory(h: PartitionHistory, maxStaleMs: number, slackMs: number): CheckReport {
  const failures: string[] = [];
  const lines: string[] = [];
  const linear = h.ops.filter((o) => o.mode !== 'stale');
  const stale = h.ops.filter((o) => o.mode === 'stale' && o.output?.f === 'get');
  const keyOf = new Map(h.ops.map((o) => [o.id, o.key]));
  const t0 = Date.now();
  const results = checkPartitioned(kvRegisterModel, linear.map(toChecker), (o) => keyOf.get(o.id) ?? '?', { maxSteps: 20_000_000 });
  const checkMs = Date.now() - t0;
  for (const [key, { ops, result }] of results) {
    lines.push(`  ${key}: ${ops.length} ops -> ${result.kind} (${result.steps} steps)`);
    if (result.kind === 'illegal') {
      const small = shrinkFailure(kvRegisterModel, ops, { maxSteps: 5_000_000 });
      failures.push(`${key}: history is not linearizable; a minimal failing sub-history:\n${formatHistory(kvRegisterModel, small)}`);
    } else if (result.kind !== 'ok') failures.push(`${key}: checker gave up after ${result.steps} steps`);
    // Every read (stale ones too) must report one ModifyIndex per value.
    const allReads = h.ops.filter((o) => o.key === key && o.output?.f === 'get').map(toChecker);
    const bad = checkModifyIndexes(key, allReads, []);
    if (bad !== undefined) failures.push(bad);
  }
  const staleBad = checkStaleness(h, stale, maxStaleMs, slackMs);
  failures.push(...staleBad.failures);
  if (staleBad.overBound.length > 0) {
    lines.push(`  stale reads older than max_stale + ${slackMs} ms in data (servers catching up): ${staleBad.overBound.length}, e.g.`, ...staleBad.overBound.slice(0, 3).map((l) => `    ${l}`));
  }

  const count = (p: (o: Recorded) => boolean): number => h.ops.filter(p).length;
  const counts = {
    ops: h.ops.length,
    checkedLinearizable: linear.length,
    staleReads: stale.length,
    writesAcked: count((o) => (o.output?.f === 'ok') || (o.output?.f === 'cas' && o.output.ok)),
    casRefused: count((o) => o.output?.f === 'cas' && !o.output.ok),
    defaultReads: count((o) => o.mode === 'default' && o.output !== undefined),
    consistentReads: count((o) => o.mode === 'consistent' && o.output !== undefined),
    open: count((o) => o.output === undefined),
    dropped: h.dropped,
    staleLagMaxMs: Math.round(staleBad.maxLagMs),
    staleOverBound: staleBad.overBound.length,
    checkMs,
  };
  return { lines, failures, counts };
}

/**
 * A stale read R of key k, sent at R.call, must see at least every ModifyIndex that was known
 * to be committed before R.call - maxStale - slack: a server answers a max_stale read itself only
 * when it heard from the leader within max_stale, and that contact carried the commit index.
 * Known facts: (ret of a completed linearizable read, its ModifyIndex) and (ret of an acked
 * write, the ModifyIndex some read later saw for its value). Every value read must also be a
 * value some op wrote (or absent).
 */
function checkStaleness(h: PartitionHistory, stale: readonly Recorded[], maxStaleMs: number, slackMs: number): { failures: string[]; maxLagMs: number; overBound: string[] } {
  const failures: string[] = [];
  const overBound: string[] = [];
  const facts = new Map<string, { t: number; index: number; what: string }[]>();
  const indexOfValue = new Map<string, number>();
  const written = new Set<string>();
  for (const o of h.ops) {
    if (o.input.f === 'put' || o.input.f === 'cas') written.add(`${o.key}\0${o.input.value}`);
    if (o.output?.f === 'get' && o.output.value !== null) indexOfValue.set(`${o.key}\0${o.output.value}`, o.output.modifyIndex);
  }
  const add = (key: string, t: number, index: number, what: string): void => {
    const list = facts.get(key) ?? [];
    list.push({ t, index, what });
    facts.set(key, list);
  };
  for (const o of h.ops) {
    if (o.ret === undefined || o.output === undefined) continue;
    if (o.output.f === 'get' && o.mode !== 'stale') add(o.key, o.ret, o.output.modifyIndex, `read #${o.id} (${o.mode ?? 'final'}) via ${o.server}`);
    const acked = o.output.f === 'ok' || (o.output.f === 'cas' && o.output.ok);
    if (acked && (o.input.f === 'put' || o.input.f === 'cas')) {
      const idx = indexOfValue.get(`${o.key}\0${o.input.value}`);
      if (idx !== undefined) add(o.key, o.ret, idx, `acked write #${o.id} via ${o.server}`);
    }
  }
  let maxLagMs = 0;
  for (const r of stale) {
    if (r.output?.f !== 'get') continue;
    const got = r.output;
    if (got.value !== null && !written.has(`${r.key}\0${got.value}`)) failures.push(`stale read #${r.id} of ${r.key} via ${r.server} saw ${got.value}, which nobody wrote`);
    if (r.lastContactMs === undefined || !(r.lastContactMs <= maxStaleMs)) {
      failures.push(`stale read #${r.id} of ${r.key} via ${r.server} was answered with X-Consul-LastContact ${r.lastContactMs} ms > max_stale ${maxStaleMs} ms; ${r.why ?? ''}`);
    }
    // How far back the newest fact this read misses lies.
    let lag = 0;
    let what = '';
    for (const f of facts.get(r.key) ?? []) {
      if (f.index > got.modifyIndex && r.call - f.t > lag) {
        lag = r.call - f.t;
        what = `${f.what} knew @${f.index}`;
      }
    }
    if (lag > maxLagMs) maxLagMs = lag;
    if (lag > maxStaleMs + slackMs) overBound.push(`stale read #${r.id} of ${r.key} via ${r.server} saw @${got.modifyIndex} ${Math.round(lag)} ms after ${what} (last contact ${r.lastContactMs} ms; ${r.why ?? ''})`);
  }
  return { failures: failures.slice(0, 10), maxLagMs, overBound };
}
