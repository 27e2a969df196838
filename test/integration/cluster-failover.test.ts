// Jepsen-style failover test for a real 3-server cluster: 8 client workers put, get and cas a few
// contended keys through different servers while the leader is kill -9'd and restarted ten times.
// The recorded client history (plus a final ?consistent read of every key) must be linearizable
// per key under the KV register model (test/sim/checkers), which implies every acknowledged write
// survived unless a later op on its key replaced it.
//
// MUST: an op whose outcome the client cannot know (timeout, reset, any 5xx on a write) stays
//       OPEN; only a refused connection (the request was never sent) or a failed read is dropped.
// Servers run with performance.raft_multiplier = 1 (1-2 s elections) and autopilot's
// ServerStabilizationTime = 1 s (the restarted server is a voter again before the next kill) so
// ten failovers fit in the time bound. Env: CLUSTER_FAILOVER_ROUNDS (default 10), CLUSTER_FAILOVER_SEED.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SeededRng } from '../../src/core/support/rng.js';
import { checkModifyIndexes, kvRegisterModel, type KvInput, type KvOp, type KvOutput } from '../sim/checkers/kv-register.js';
import { checkHistory, checkPartitioned, formatHistory, shrinkFailure } from '../sim/checkers/linearizability.js';
import { ServerSet, setStabilizationTime, tryGetRaw, tryPut, waitAllVoters, type ServerSlot } from '../support/servers.js';

const ROUNDS = Number(process.env['CLUSTER_FAILOVER_ROUNDS'] ?? '10');
const SEED = Number(process.env['CLUSTER_FAILOVER_SEED'] ?? String(Date.now() % 1_000_000));
const WORKERS = 8;
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
const OP_TIMEOUT_MS = 4_000;
const KEY_PREFIX = 'jepsen/';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.now();

/** One client op as recorded; `output` and `ret` are set when the client heard a definite answer. */
interface Recorded {
  readonly id: number;
  readonly client: string;
  readonly key: string;
  readonly input: KvInput;
  readonly call: number;
  readonly server: string;
  /** cas: the ModifyIndex sent (read together with input.expect). */
  readonly casIndex?: number;
  output?: KvOutput;
  ret?: number;
  /** Why it is open (for the summary). */
  why?: string;
}

class History {
  readonly ops: Recorded[] = [];
  /** Attempts that certainly had no effect (connection refused, failed reads): not checked. */
  dropped = 0;
  private nextId = 0;

  begin(client: string, key: string, input: KvInput, server: string, casIndex?: number): Recorded {
    const op: Recorded = { id: this.nextId++, client, key, input, call: now(), server, ...(casIndex !== undefined ? { casIndex } : {}) };
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

  /** In the checker's format: open ops have no output and an infinite response time. */
  toCheckerOps(): KvOp[] {
    return this.ops.map((o) => ({
      id: o.id,
      client: o.client,
      input: o.input,
      call: o.call,
      ret: o.ret ?? Number.POSITIVE_INFINITY,
      note: `${o.key} via ${o.server}${o.casIndex !== undefined ? ` cas=${o.casIndex}` : ''}${o.why ? ` open: ${o.why}` : ''}`,
      ...(o.output !== undefined ? { output: o.output } : {}),
    }));
  }
}

/** A request that never reached the server (nothing was sent) cannot have had an effect. */
function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

type Answer = { kind: 'reply'; status: number; text: string } | { kind: 'refused' } | { kind: 'failed'; why: string };

async function call(url: string, method: 'GET' | 'PUT', body?: string): Promise<Answer> {
  try {
    const res = await fetch(url, { method, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(OP_TIMEOUT_MS) });
    return { kind: 'reply', status: res.status, text: await res.text() };
  } catch (err) {
    if (neverSent(err)) return { kind: 'refused' };
    const e = err as Error & { cause?: { code?: string } };
    return { kind: 'failed', why: e.cause?.code ?? e.name };
  }
}

/** A default-consistency (or `query`) read: value + ModifyIndex, null/0 when absent; undefined on failure. */
function parseGet(a: Answer): { value: string | null; modifyIndex: number } | undefined {
  if (a.kind !== 'reply') return undefined;
  if (a.status === 404) return { value: null, modifyIndex: 0 };
  if (a.status !== 200) return undefined;
  const rows = JSON.parse(a.text) as { Value: string | null; ModifyIndex: number }[];
  const row = rows[0];
  if (row === undefined) return undefined;
  return { value: row.Value === null ? '' : Buffer.from(row.Value, 'base64').toString('utf8'), modifyIndex: row.ModifyIndex };
}

interface WorkerStats {
  /** Writes that took effect for certain: put answered true, cas answered true. */
  acked: number;
  open: number;
  moves: number;
}

type Read = { value: string | null; modifyIndex: number };

/**
 * One client: 40% get, 30% put, 30% read-modify-write (a get, then a cas on the ModifyIndex it
 * returned). Sequential, like one Jepsen client process. On a failure it moves to the next server.
 */
async function worker(i: number, servers: ServerSet, history: History, rng: SeededRng, stop: { now: boolean }, stats: WorkerStats): Promise<void> {
  const client = `c${i}`;
  let shift = 0;
  let seq = 0;
  /** The op failed in a way that says this server is unhealthy (down, or no leader behind it). */
  let failedHere = false;

  const get = async (slot: ServerSlot, key: string): Promise<Read | undefined> => {
    const op = history.begin(client, key, { f: 'get' }, slot.name);
    const a = await call(`${slot.url}/v1/kv/${KEY_PREFIX}${key}`, 'GET');
    const got = parseGet(a);
    if (got === undefined) {
      history.drop(op); // a read that returned nothing changed nothing
      failedHere = a.kind !== 'reply' || a.status >= 500;
    } else history.complete(op, { f: 'get', value: got.value, modifyIndex: got.modifyIndex });
    return got;
  };

  const write = async (slot: ServerSlot, key: string, cas: Read | undefined): Promise<void> => {
    const value = `${client}-${seq++}`;
    const input: KvInput = cas === undefined ? { f: 'put', value } : { f: 'cas', expect: cas.value, value };
    const op = history.begin(client, key, input, slot.name, cas?.modifyIndex);
    const url = `${slot.url}/v1/kv/${KEY_PREFIX}${key}${cas === undefined ? '' : `?cas=${cas.modifyIndex}`}`;
    const a = await call(url, 'PUT', value);
    const text = a.kind === 'reply' ? a.text.trim() : '';
    if (a.kind === 'refused') {
      history.drop(op);
      failedHere = true;
    } else if (a.kind === 'reply' && a.status === 200 && (text === 'true' || (cas !== undefined && text === 'false'))) {
      history.complete(op, cas === undefined ? { f: 'ok' } : { f: 'cas', ok: text === 'true' });
      if (text === 'true') stats.acked++;
    } else {
      // Unknown outcome: a timeout, a reset, or any 5xx (the leader may have committed it).
      op.why = a.kind === 'reply' ? `${a.status} ${text.slice(0, 60)}` : a.why;
      stats.open++;
      failedHere = true;
    }
  };

  while (!stop.now) {
    let slot = servers.slots[(i + shift) % servers.slots.length] as ServerSlot;
    if (!slot.running) {
      // The test knows which servers are down: a real client would learn it from a refused
      // connection, which costs a round trip and nothing else.
      shift++;
      stats.moves++;
      slot = servers.slots[(i + shift) % servers.slots.length] as ServerSlot;
      if (!slot.running) {
        await sleep(20);
        continue;
      }
    }
    const key = KEYS[rng.int(KEYS.length)] as string;
    const roll = rng.int(10);
    failedHere = false;
    if (roll < 4) await get(slot, key);
    else if (roll < 7) await write(slot, key, undefined);
    else {
      const seen = await get(slot, key);
      if (seen !== undefined && !stop.now) await write(slot, key, seen);
    }
    if (failedHere) {
      shift++;
      stats.moves++;
      await sleep(20);
    }
  }
}

/** Retries a write through any running server except `not` until one answers true; the time it took. */
async function firstWrite(servers: ServerSet, key: string, value: string, timeoutMs: number, not?: ServerSlot): Promise<number> {
  const t0 = now();
  for (let i = 0; ; i++) {
    const targets = servers.alive().filter((s) => s !== not);
    const s = targets[i % Math.max(1, targets.length)];
    if (s !== undefined && (await tryPut(s, key, value, 1_000))) return now() - t0;
    if (now() - t0 > timeoutMs) throw new Error(`no write of ${key} succeeded within ${timeoutMs}ms\n${servers.logTails()}`);
    await sleep(25);
  }
}

async function waitUntil(what: string, timeoutMs: number, fn: () => Promise<boolean>, servers: ServerSet): Promise<number> {
  const t0 = now();
  for (;;) {
    if (await fn()) return now() - t0;
    if (now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs}ms: ${what}\n${servers.logTails()}`);
    await sleep(50);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
};

/**
 * Autopilot promotes a re-added server after ServerStabilizationTime (10 s by default); 1 s keeps
 * ten rounds inside the time bound. Set on every new leader (see setStabilizationTime).
 */
async function stabilizeFast(set: ServerSet): Promise<void> {
  await waitUntil('autopilot config accepted', 10_000, async () => {
    const s = set.alive()[0];
    return s !== undefined && (await setStabilizationTime(s, '1s'));
  }, set);
}

/** Two small histories that must fail the check (see the negative controls in the test). */
function negativeControls(keyOps: readonly KvOp[]): { what: string; ops: KvOp[] }[] {
  const byCall = [...keyOps].sort((a, b) => a.call - b.call);
  const cut = byCall[Math.min(300, byCall.length - 1)]?.call ?? 0;
  const window = byCall.filter((o) => o.ret < cut);
  const read = (id: number, value: string): KvOp => ({ id, client: 'control', input: { f: 'get' }, output: { f: 'get', value, modifyIndex: 1 }, call: cut + 1, ret: cut + 2 });
  const out = [{ what: 'a read of a value nobody wrote', ops: [...window, read(-1, 'never-written')] }];
  const wrote = (o: KvOp): string | undefined => (o.input.f === 'put' && o.output?.f === 'ok') || (o.input.f === 'cas' && o.output?.f === 'cas' && o.output.ok) ? (o.input as { value: string }).value : undefined;
  const first = window.find((o) => wrote(o) !== undefined);
  const replaced = first !== undefined && window.some((o) => o.call > first.ret && wrote(o) !== undefined);
  if (first !== undefined && replaced) out.push({ what: 'a read of an overwritten write', ops: [...window, read(-2, wrote(first) as string)] });
  assert.equal(out.length, 2, 'the history is too small for the negative controls');
  return out;
}

let servers: ServerSet | undefined;
const stop = { now: false };
after(async () => {
  stop.now = true;
  await servers?.stopAll(3_000);
});

describe('3-server cluster under leader failover', { timeout: 240_000 }, () => {
  test(`history stays linearizable across ${ROUNDS} leader kill -9 / restart rounds`, async () => {
    servers = await ServerSet.create({ count: 3, raftMultiplier: 1 });
    const set = servers;
    await set.startAll();
    await set.waitCommonLeader(30_000);
    await firstWrite(set, 'marker/ready', 'yes', 20_000);
    await stabilizeFast(set);

    const history = new History();
    const stats: WorkerStats[] = [];
    const workers: Promise<void>[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const st: WorkerStats = { acked: 0, open: 0, moves: 0 };
      stats.push(st);
      workers.push(worker(i, set, history, new SeededRng(SEED * 31 + i), stop, st));
    }

    const failovers: { round: number; killed: string; newLeader: string; leaderMs: number; writeMs: number; catchUpMs: number; voterMs: number }[] = [];
    try {
      await sleep(1_000);
      for (let round = 1; round <= ROUNDS; round++) {
        const old = await set.waitCommonLeader(30_000);
        const killedAt = now();
        await set.kill9(old);
        await waitUntil(`a new leader after killing ${old.name}`, 30_000, async () => (await set.findLeader()) !== undefined, set);
        const leaderMs = now() - killedAt;
        await firstWrite(set, 'marker/failover', `r${round}`, 30_000, old);
        const writeMs = now() - killedAt;
        const newLeader = (await set.findLeader())?.name ?? '?';
        await stabilizeFast(set);
        await set.start(old);
        const marker = `r${round}-${Date.now()}`;
        await firstWrite(set, `marker/restart-${round}`, marker, 30_000, old);
        const catchUpMs = await waitUntil(`${old.name} catches up after restart`, 30_000, async () => (await tryGetRaw(old, `marker/restart-${round}`, 'stale', 1_000)) === marker, set);
        // Autopilot removed the dead server and re-adds it as a learner: until it is a voter
        // again, killing the leader would leave 1 of 2 voters (no quorum, by design).
        const voterMs = await waitAllVoters(set, 30_000);
        failovers.push({ round, killed: old.name, newLeader, leaderMs: Math.round(leaderMs), writeMs: Math.round(writeMs), catchUpMs: Math.round(catchUpMs), voterMs: Math.round(voterMs) });
        await sleep(500); // some undisturbed load between rounds
      }
    } finally {
      stop.now = true;
      await Promise.all(workers);
    }

    // Final ?consistent reads of every key, through the leader, as ops of the history.
    const leader = await set.waitCommonLeader(30_000);
    for (const key of KEYS) {
      const op = history.begin('final', key, { f: 'get' }, leader.name);
      const got = parseGet(await call(`${leader.url}/v1/kv/${KEY_PREFIX}${key}?consistent`, 'GET'));
      assert.ok(got !== undefined, `final consistent read of ${key} failed`);
      history.complete(op, { f: 'get', value: got.value, modifyIndex: got.modifyIndex });
      // Every server converges on the same value (a stale read is the server's own state).
      for (const s of set.slots) {
        await waitUntil(`${s.name} converges on ${key}`, 10_000, async () => {
          const mine = parseGet(await call(`${s.url}/v1/kv/${KEY_PREFIX}${key}?stale`, 'GET'));
          return mine !== undefined && mine.value === got.value && mine.modifyIndex === got.modifyIndex;
        }, set);
      }
    }

    const ops = history.toCheckerOps();
    const keyOf = new Map(history.ops.map((o) => [o.id, o.key]));
    const acked = stats.reduce((n, s) => n + s.acked, 0);
    const open = history.ops.filter((o) => o.output === undefined);
    const reads = history.ops.filter((o) => o.input.f === 'get' && o.output !== undefined).length;
    const casOk = history.ops.filter((o) => o.output?.f === 'cas' && o.output.ok).length;
    const casFail = history.ops.filter((o) => o.output?.f === 'cas' && !o.output.ok).length;
    const t0 = Date.now();
    const results = checkPartitioned(kvRegisterModel, ops, (o) => keyOf.get(o.id) ?? '?', { maxSteps: 20_000_000 });
    const checkMs = Date.now() - t0;

    const whyOpen = new Map<string, number>();
    for (const o of open) whyOpen.set(o.why ?? '?', (whyOpen.get(o.why ?? '?') ?? 0) + 1);
    console.log(
      [
        `seed ${SEED}; raft_multiplier 1; ${ops.length} ops checked (${acked} writes acked (${casOk} of them cas), ${casFail} cas refused, ${reads} reads, ${open.length} open, ${history.dropped} dropped as never-sent/failed reads); server moves ${stats.reduce((n, s) => n + s.moves, 0)}; check ${checkMs} ms`,
        `open ops by reason: ${[...whyOpen].map(([w, n]) => `${w} x${n}`).join(', ') || 'none'}`,
        `failovers: ${failovers.length}; kill -> leader known: median ${median(failovers.map((f) => f.leaderMs))} ms; kill -> first write: median ${median(failovers.map((f) => f.writeMs))} ms, max ${Math.max(...failovers.map((f) => f.writeMs))} ms; restart -> caught up: median ${median(failovers.map((f) => f.catchUpMs))} ms`,
        ...failovers.map((f) => `  round ${f.round}: killed ${f.killed} -> ${f.newLeader}: leader ${f.leaderMs} ms, write ${f.writeMs} ms, catch-up ${f.catchUpMs} ms, voter again +${f.voterMs} ms`),
        ...[...results].map(([k, r]) => `  ${k}: ${r.ops.length} ops -> ${r.result.kind} (${r.result.steps} steps)`),
      ].join('\n'),
    );

    // Negative controls (the adapter is not vacuous): on a window of one key's completed ops, a
    // later read of a value nobody wrote, or of a write that a later completed write replaced
    // (a lost update), must be illegal. The window has no open ops, so the search is fast.
    for (const bad of negativeControls(ops.filter((o) => keyOf.get(o.id) === 'k0'))) {
      assert.equal(checkHistory(kvRegisterModel, bad.ops).kind, 'illegal', `the checker accepted ${bad.what}`);
    }

    assert.equal(failovers.length, ROUNDS);
    assert.ok(acked > 100, `only ${acked} writes acknowledged`);
    for (const [key, { ops: keyOps, result }] of results) {
      if (result.kind === 'illegal') {
        const small = shrinkFailure(kvRegisterModel, keyOps, { maxSteps: 5_000_000 });
        assert.fail(`${key}: history is not linearizable; a minimal failing sub-history:\n${formatHistory(kvRegisterModel, small)}`);
      }
      assert.equal(result.kind, 'ok', `${key}: checker gave up (${result.steps} steps)`);
      const badIndex = checkModifyIndexes(key, keyOps, []);
      assert.equal(badIndex, undefined, badIndex);
    }
  });
});
