// One Jepsen-style partition run, shared by test/integration/partition.test.ts (60 s in CI) and
// bench/partition.ts (--minutes): 5 servers in network namespaces (NetnsNetwork), client workers
// in the root namespace doing get (default, ?consistent, ?stale&max_stale) / put / cas on a few
// keys through random servers, and a seeded nemesis that isolates the leader, isolates a random
// server, splits 2/3, builds a ring, drops packets at random, and combines these with kill -9 and
// SIGSTOP; after each fault it heals everything and requires a common leader again (liveness).
// The history is checked by checkPartitionHistory.
import { SeededRng } from '../../src/core/support/rng.js';
import type { KvInput } from '../sim/checkers/kv-register.js';
import { NetnsNetwork } from './netns.js';
import { NetnsServerSet, type NetnsServer } from './netns-servers.js';
import { checkPartitionHistory, now, PartitionHistory, type CheckReport, type ReadMode } from './partition-history.js';

export const KEYS = ['k0', 'k1', 'k2', 'k3'];
const PREFIX = 'part/';
const OP_TIMEOUT_MS = 3_000;
export const MAX_STALE_MS = 2_000;
/** In-flight AppendEntries and apply lag on a loaded machine. */
export const STALE_SLACK_MS = 1_000;

/** The fault in force, for the report of a failing read. */
const faultNow = { what: 'no fault' };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly workers?: number;
  readonly log?: (line: string) => void;
  /** More environment per server (n from 1), e.g. a skewed clock rate under faketime. */
  readonly serverEnv?: (n: number) => Record<string, string>;
}

export interface RunResult extends CheckReport {
  readonly faults: Record<string, number>;
  readonly recoveries: number[];
  readonly summary: string;
}

type Answer = { kind: 'reply'; status: number; text: string; lastContactMs?: number } | { kind: 'refused' } | { kind: 'failed'; why: string };

async function call(url: string, method: 'GET' | 'PUT', body?: string): Promise<Answer> {
  try {
    const res = await fetch(url, { method, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(OP_TIMEOUT_MS) });
    const lc = res.headers.get('x-consul-lastcontact');
    return { kind: 'reply', status: res.status, text: await res.text(), ...(lc !== null ? { lastContactMs: Number(lc) } : {}) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.cause?.code === 'ECONNREFUSED') return { kind: 'refused' };
    return { kind: 'failed', why: e.cause?.code ?? e.name };
  }
}

function parseGet(a: Answer): { value: string | null; modifyIndex: number } | undefined {
  if (a.kind !== 'reply') return undefined;
  if (a.status === 404) return { value: null, modifyIndex: 0 };
  if (a.status !== 200) return undefined;
  const row = (JSON.parse(a.text) as { Value: string | null; ModifyIndex: number }[])[0];
  if (row === undefined) return undefined;
  return { value: row.Value === null ? '' : Buffer.from(row.Value, 'base64').toString('utf8'), modifyIndex: row.ModifyIndex };
}

const QUERY: Record<ReadMode, string> = { default: '', consistent: '?consistent', stale: `?stale&max_stale=${MAX_STALE_MS / 1000}s` };

/** One sequential client: 45% get (a third per mode), 30% put, 25% get + cas on what it read. */
async function worker(i: number, set: NetnsServerSet, h: PartitionHistory, rng: SeededRng, stop: { now: boolean }): Promise<void> {
  const client = `c${i}`;
  let seq = 0;
  const modes: ReadMode[] = ['default', 'consistent', 'stale'];
  while (!stop.now) {
    const s = set.servers[rng.int(set.servers.length)] as NetnsServer;
    const key = KEYS[rng.int(KEYS.length)] as string;
    const url = `${s.url}/v1/kv/${PREFIX}${key}`;
    const roll = rng.int(20);
    const get = async (mode: ReadMode): Promise<{ value: string | null; modifyIndex: number } | undefined> => {
      const op = h.begin(client, key, { f: 'get' }, s.name, mode);
      const a = await call(`${url}${QUERY[mode]}`, 'GET');
      const got = parseGet(a);
      if (got === undefined) h.drop(op);
      else {
        h.complete(op, { f: 'get', ...got });
        if (a.kind === 'reply' && a.lastContactMs !== undefined) op.lastContactMs = a.lastContactMs;
        op.why = faultNow.what;
      }
      return got;
    };
    const write = async (cas?: { value: string | null; modifyIndex: number }): Promise<boolean> => {
      const value = `${client}-${seq++}`;
      const input: KvInput = cas === undefined ? { f: 'put', value } : { f: 'cas', expect: cas.value, value };
      const op = h.begin(client, key, input, s.name);
      const a = await call(`${url}${cas === undefined ? '' : `?cas=${cas.modifyIndex}`}`, 'PUT', value);
      const text = a.kind === 'reply' ? a.text.trim() : '';
      if (a.kind === 'refused') {
        h.drop(op);
        return false;
      }
      if (a.kind === 'reply' && a.status === 200 && (text === 'true' || (cas !== undefined && text === 'false'))) {
        h.complete(op, cas === undefined ? { f: 'ok' } : { f: 'cas', ok: text === 'true' });
        return true;
      }
      op.why = a.kind === 'reply' ? `${a.status} ${text.slice(0, 50)}` : a.why;
      return false;
    };
    let ok: boolean;
    if (roll < 9) ok = (await get(modes[roll % 3] as ReadMode)) !== undefined;
    else if (roll < 15) ok = await write();
    else {
      const seen = await get('consistent');
      ok = seen !== undefined && !stop.now && (await write(seen));
    }
    if (!ok) await sleep(50);
  }
}

type Fault = 'isolate-leader' | 'isolate-random' | 'split-2-3' | 'ring' | 'loss-30' | 'kill9-leader' | 'sigstop-random' | 'isolate-leader+kill9' | 'split+sigstop' | 'ring+kill9';
const FAULTS: readonly Fault[] = ['isolate-leader', 'isolate-random', 'split-2-3', 'ring', 'kill9-leader', 'sigstop-random', 'loss-30', 'isolate-leader+kill9', 'split+sigstop', 'ring+kill9'];

/** Applies a fault; returns what to undo besides healing the network. */
async function inject(fault: Fault, set: NetnsServerSet, net: NetnsNetwork, rng: SeededRng): Promise<{ killed: NetnsServer[]; paused: NetnsServer[]; desc: string }> {
  const leader = await set.findLeader();
  const ln = leader?.n ?? 1 + rng.int(net.count);
  const pick = (not: number[]): number => {
    const c = [...Array(net.count).keys()].map((i) => i + 1).filter((n) => !not.includes(n));
    return c[rng.int(c.length)] as number;
  };
  const killed: NetnsServer[] = [];
  const paused: NetnsServer[] = [];
  const kill = async (n: number): Promise<void> => {
    const s = set.server(n);
    await set.kill9(s);
    killed.push(s);
  };
  const pause = (n: number): void => {
    const s = set.server(n);
    set.pause(s);
    paused.push(s);
  };
  let desc: string = fault;
  switch (fault) {
    case 'isolate-leader':
      net.isolate(ln);
      desc += ` s${ln}`;
      break;
    case 'isolate-random': {
      const n = pick([]);
      net.isolate(n);
      desc += ` s${n}`;
      break;
    }
    case 'split-2-3':
    case 'split+sigstop': {
      const a = pick([]);
      const b = pick([a]);
      net.split([a, b]);
      desc += ` {s${a},s${b}} | rest`;
      if (fault === 'split+sigstop') {
        const c = pick([a, b]);
        pause(c);
        desc += `, SIGSTOP s${c}`;
      }
      break;
    }
    case 'ring':
    case 'ring+kill9':
      net.ring();
      if (fault === 'ring+kill9') {
        await kill(ln);
        desc += `, kill -9 s${ln}`;
      }
      break;
    case 'loss-30':
      net.loss(30);
      break;
    case 'kill9-leader':
      await kill(ln);
      desc += ` s${ln}`;
      break;
    case 'sigstop-random': {
      const n = pick([]);
      pause(n);
      desc += ` s${n}`;
      break;
    }
    case 'isolate-leader+kill9': {
      net.isolate(ln);
      const n = pick([ln]);
      await kill(n);
      desc += ` s${ln}, kill -9 s${n}`;
      break;
    }
  }
  return { killed, paused, desc };
}

/** The seeded nemesis: every kind once per cycle in a shuffled order, each healed and recovered. */
async function nemesis(set: NetnsServerSet, net: NetnsNetwork, rng: SeededRng, seconds: number, log: (l: string) => void): Promise<{ faults: Record<string, number>; recoveries: number[] }> {
  const faults: Record<string, number> = {};
  const recoveries: number[] = [];
  const end = now() + seconds * 1000;
  let order: Fault[] = [];
  while (now() < end) {
    if (order.length === 0) {
      order = [...FAULTS];
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j] as Fault, order[i] as Fault];
      }
    }
    const fault = order.shift() as Fault;
    const { killed, paused, desc } = await inject(fault, set, net, rng);
    faults[fault] = (faults[fault] ?? 0) + 1;
    const hold = 3_000 + rng.int(3_000);
    log(`fault: ${desc} for ${hold} ms`);
    faultNow.what = `during ${desc}`;
    await sleep(hold);
    net.heal();
    for (const s of paused) set.resume(s);
    for (const s of killed) set.start(s);
    faultNow.what = `after ${desc} (healed)`;
    // Liveness: once healed, a majority names one leader and it takes a write (a server that autopilot removed
    // while it was cut off comes back when serf reconnects, every 30 s: checked at the end).
    const t0 = now();
    for (;;) {
      const leader = await set.waitQuorumLeader(30_000);
      const a = await call(`${leader.url}/v1/kv/marker/healed`, 'PUT', desc);
      if (a.kind === 'reply' && a.status === 200 && a.text.trim() === 'true') break;
      if (now() - t0 > 30_000) throw new Error(`no write went through within 30 s of healing ${desc}\n${set.logTails()}`);
      await sleep(100);
    }
    recoveries.push(Math.round(now() - t0));
    log(`healed; a write went through after ${recoveries.at(-1)} ms`);
    await sleep(2_500); // an undisturbed stretch between faults
  }
  return { faults, recoveries };
}

/** Runs the whole scenario; always stops the agents and tears down the network it created. */
export async function runPartitions(opts: RunOptions): Promise<RunResult> {
  const log = opts.log ?? ((): void => {});
  const rng = new SeededRng(opts.seed);
  const net = NetnsNetwork.create(5);
  const set = new NetnsServerSet(net, { raftMultiplier: 1, ...(opts.serverEnv ? { envFor: opts.serverEnv } : {}) });
  const h = new PartitionHistory();
  const stop = { now: false };
  const workers: Promise<void>[] = [];
  faultNow.what = 'no fault';
  try {
    log(`network ${net.subnet}.0/24 bridge ${net.bridge}, namespaces ${net.ns(1)}..${net.ns(5)}`);
    await set.startAll();
    await set.waitCommonLeader(60_000);
    for (let i = 0; i < (opts.workers ?? 6); i++) workers.push(worker(i, set, h, new SeededRng(opts.seed * 31 + i), stop));
    let ran: { faults: Record<string, number>; recoveries: number[] };
    try {
      ran = await nemesis(set, net, rng, opts.seconds, log);
    } finally {
      stop.now = true;
      await Promise.all(workers);
    }
    const { faults, recoveries } = ran;

    // Every server rejoins and names one leader; then final ?consistent reads through it.
    const t0 = now();
    const leader = await set.waitCommonLeader(75_000);
    const convergedMs = Math.round(now() - t0);
    for (const key of KEYS) {
      const op = h.begin('final', key, { f: 'get' }, leader.name);
      const got = parseGet(await call(`${leader.url}/v1/kv/${PREFIX}${key}?consistent`, 'GET'));
      if (got === undefined) throw new Error(`final consistent read of ${key} failed\n${set.logTails()}`);
      h.complete(op, { f: 'get', ...got });
    }
    const report = checkPartitionHistory(h, MAX_STALE_MS, STALE_SLACK_MS);
    const c = report.counts;
    const nFaults = Object.values(faults).reduce((a, b) => a + b, 0);
    const summary = [
      `seed ${opts.seed}; ${opts.seconds} s; ${c.ops} ops (${c.checkedLinearizable} checked for linearizability: ${c.writesAcked} writes acked, ${c.casRefused} cas refused, ${c.defaultReads} default + ${c.consistentReads} consistent reads, ${c.open} open; ${c.staleReads} stale reads, X-Consul-LastContact checked against max_stale, data age worst ${c.staleLagMaxMs} ms, ${c.staleOverBound} older than max_stale + slack; ${c.dropped} dropped); check ${c.checkMs} ms`,
      `faults: ${nFaults} (${Object.entries(faults).map(([k, v]) => `${k} x${v}`).join(', ')}); heal -> first write: max ${Math.max(0, ...recoveries)} ms; after the last fault every server names it after ${convergedMs} ms`,
      ...report.lines,
    ].join('\n');
    return { ...report, faults, recoveries, summary };
  } finally {
    stop.now = true;
    await Promise.all(workers);
    await set.stopAll();
    net.teardown();
  }
}
