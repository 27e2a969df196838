// What clients see during a leader election (issue 10 item 3): a 3-server cluster, a steady
// request loop through the two followers (default-consistency KV GETs and PUTs, `--clients`
// sequential workers per follower), and kill -9 of the leader. Per round it prints the election
// time (kill -> a survivor names a live new leader), the errors per 1,000 requests in the kill
// window, and the latency those requests added over the pre-kill median (p50 / p99 / max).
// The kill window: requests in flight at the kill or started before the new leader was known
// plus one second. Figures only: nothing here is a test. Every process is stopped by PID.
//   npx tsc -p . && node dist/bench/failover-errors.js [--rounds=3] [--mult=1] [--clients=4] [--budget=240]
// The same file run from a copy of dist whose bin/ points at another build measures that build.
import { ServerSet, setStabilizationTime, tryGetRaw, tryPut, waitAllVoters, type ServerSlot } from '../test/support/servers.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}

const ROUNDS = arg('rounds', 3);
const MULT = arg('mult', 1);
const CLIENTS = arg('clients', 4);
const BUDGET_S = arg('budget', 240);
const BASELINE_MS = 3_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (msg: string): void => console.error(`[failover-errors] ${msg}`);

interface Sample {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly what: string;
}

async function request(slot: ServerSlot, method: 'GET' | 'PUT', key: string, seq: number): Promise<Sample> {
  const start = performance.now();
  try {
    const res = await fetch(`${slot.url}/v1/kv/bench/fe/${key}`, {
      method,
      ...(method === 'PUT' ? { body: `v${seq}` } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const ok = method === 'GET' ? res.status === 200 || res.status === 404 : res.status === 200 && text.trim() === 'true';
    return { start, end: performance.now(), ok, what: ok ? '' : `${method} ${res.status} ${text.slice(0, 120)}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { start, end: performance.now(), ok: false, what: `${method} ${e.cause?.code ?? e.name}` };
  }
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

interface Round {
  readonly electionMs: number;
  readonly requests: number;
  readonly errors: number;
  /**
   * Writes that were on the wire to the leader when it died ("connection lost"): their outcome
   * is unknown, so they cannot be retried (Consul's canRetry neither). Every other error is one
   * the election itself caused.
   */
  readonly inFlightErrors: number;
  readonly addedP50: number;
  readonly addedP99: number;
  readonly addedMax: number;
  readonly firstErrors: string[];
}

/** Polls the survivors until one names a live leader other than `old`; ms since `t0`. */
async function electionTime(set: ServerSet, old: ServerSlot, t0: number): Promise<number> {
  for (;;) {
    for (const s of set.slots) {
      if (s === old) continue;
      const addr = await set.leaderSeenBy(s, 500);
      const leader = addr ? set.byRpcAddr(addr) : undefined;
      if (leader !== undefined && leader !== old && leader.running) return performance.now() - t0;
    }
    if (performance.now() - t0 > 60_000) throw new Error('no new leader within 60 s');
    await sleep(20);
  }
}

async function round(set: ServerSet, n: number): Promise<Round> {
  const old = await set.waitCommonLeader(60_000);
  const followers = set.slots.filter((s) => s !== old);
  const samples: Sample[] = [];
  let stop = false;
  const workers = followers.flatMap((f, fi) =>
    Array.from({ length: CLIENTS }, async (_, ci) => {
      for (let seq = 0; !stop; seq++) samples.push(await request(f, seq % 2 === 0 ? 'GET' : 'PUT', `k${fi}-${ci}`, seq));
    }),
  );
  await sleep(BASELINE_MS);
  const t0 = performance.now();
  const baseline = quantile(samples.filter((s) => s.end <= t0).map((s) => s.end - s.start), 0.5);
  await set.kill9(old);
  const electionMs = await electionTime(set, old, t0);
  const windowEnd = t0 + electionMs + 1_000;
  await sleep(Math.max(0, windowEnd - performance.now()) + 500);
  // Stopping lets each worker finish the request it has in flight, so the window is complete.
  stop = true;
  await Promise.all(workers);
  const win = samples.filter((s) => s.end >= t0 && s.start < windowEnd);
  const errors = win.filter((s) => !s.ok);
  const added = win.map((s) => Math.max(0, s.end - s.start - baseline));
  const r: Round = {
    electionMs,
    requests: win.length,
    errors: errors.length,
    inFlightErrors: errors.filter((e) => e.start < t0 + electionMs && e.what.includes('connection lost')).length,
    addedP50: quantile(added, 0.5),
    addedP99: quantile(added, 0.99),
    addedMax: Math.max(...added),
    firstErrors: [...new Set(errors.map((e) => e.what))].slice(0, 3),
  };
  log(`round ${n}: election ${electionMs.toFixed(0)} ms, ${r.requests} requests in the window, ${r.errors} errors ` +
    `(${((1000 * r.errors) / Math.max(1, r.requests)).toFixed(1)}/1000; ${r.inFlightErrors} writes lost in flight), added p50/p99/max ${r.addedP50.toFixed(0)}/${r.addedP99.toFixed(0)}/${r.addedMax.toFixed(0)} ms` +
    `${r.firstErrors.length ? `; e.g. ${r.firstErrors.join(' | ')}` : ''}`);

  // Bring the old leader back as a caught-up voter before the next round.
  await setStabilizationTime(followers[0] as ServerSlot, '1s');
  await set.start(old);
  const marker = `m${n}-${Date.now()}`;
  const t1 = performance.now();
  while (!(await tryPut(followers[0] as ServerSlot, 'bench/fe-marker', marker, 2_000))) {
    if (performance.now() - t1 > 30_000) throw new Error('no write after the failover');
    await sleep(100);
  }
  while ((await tryGetRaw(old, 'bench/fe-marker', 'stale', 1_000)) !== marker) {
    if (performance.now() - t1 > 60_000) throw new Error(`${old.name} did not catch up`);
    await sleep(100);
  }
  await waitAllVoters(set, 60_000);
  return r;
}

async function main(): Promise<void> {
  const set = await ServerSet.create({ count: 3, raftMultiplier: MULT, logLevel: 'warn' });
  const watchdog = setTimeout(() => {
    log(`budget of ${BUDGET_S} s exceeded: stopping everything`);
    void set.stopAll(3_000).finally(() => process.exit(2));
  }, BUDGET_S * 1000);
  watchdog.unref();
  try {
    await set.startAll();
    await set.waitCommonLeader(60_000);
    await setStabilizationTime(set.slots[0] as ServerSlot, '1s');
    await waitAllVoters(set, 60_000);
    const rounds: Round[] = [];
    for (let n = 1; n <= ROUNDS; n++) rounds.push(await round(set, n));
    const total = rounds.reduce((a, r) => a + r.requests, 0);
    const errs = rounds.reduce((a, r) => a + r.errors, 0);
    const lost = rounds.reduce((a, r) => a + r.inFlightErrors, 0);
    const med = (f: (r: Round) => number): string => quantile(rounds.map(f), 0.5).toFixed(0);
    console.log([
      `leader kill -9, 3 servers, raft_multiplier ${MULT}, ${CLIENTS} sequential clients per follower (KV GET default + PUT), ${ROUNDS} rounds`,
      `election (kill -> new leader named), median ms: ${med((r) => r.electionMs)} (each: ${rounds.map((r) => r.electionMs.toFixed(0)).join(', ')})`,
      `errors per 1,000 requests in the kill window: ${((1000 * errs) / Math.max(1, total)).toFixed(1)} (${errs} of ${total})`,
      `  of which writes on the wire to the leader when it died (outcome unknown): ${lost}; ` +
        `other errors per 1,000: ${((1000 * (errs - lost)) / Math.max(1, total)).toFixed(1)}`,
      `added latency over the pre-kill median, median of rounds: p50 ${med((r) => r.addedP50)} ms, p99 ${med((r) => r.addedP99)} ms, max ${med((r) => r.addedMax)} ms`,
      `errors seen: ${[...new Set(rounds.flatMap((r) => r.firstErrors))].join(' | ') || 'none'}`,
    ].join('\n'));
  } finally {
    clearTimeout(watchdog);
    await set.stopAll(5_000);
  }
}

try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
}
