// Soak harness (issue 16 item 5): a 3-server cluster plus a client agent, a bounded mixed load
// through the client (KV put/get/cas/delete, locks held by TTL sessions, service register/
// deregister, blocking queries, user events), periodic kill -9 of the leader, and samples of
// every server's RSS (ps -o rss) and data-dir size (du -sb). Used by bench/soak.ts and the soak integration test.
// MUST: live data stays constant (bounded key/service/session space), so any upward trend in
//       RSS or disk after warm-up is growth, not load; every request has a deadline; every
//       process is stopped by PID (ServerSet.stopAll / TestAgent.stop).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ServerSet, type ServerSlot } from './servers.js';
import { TestAgent } from './test-agent.js';
import { tmpDir } from './tmp-dir.js';
import type { Sample } from './soak-trend.js';

export type { Sample } from './soak-trend.js';

/** Consul's own keys, lowered so Raft compaction happens many times within a short run. */
export const SNAPSHOT_THRESHOLD = 512;
export const TRAILING_LOGS = 256;
const RAFT_HCL = `raft_snapshot_threshold = ${SNAPSHOT_THRESHOLD}\nraft_snapshot_interval = "5s"\nraft_trailing_logs = ${TRAILING_LOGS}\n`;

const KEYS = 64;
const SERVICES = 16;
const MAX_SESSIONS = 16;
const LOCKS = 8;
const VALUE = 'x'.repeat(512);


export interface SoakCluster {
  readonly set: ServerSet;
  readonly client: TestAgent;
  stop(): Promise<void>;
}

export async function startSoakCluster(): Promise<SoakCluster> {
  const set = await ServerSet.create({ raftMultiplier: 1, fastGossip: true, extraHcl: RAFT_HCL });
  let client: TestAgent | undefined;
  const clientDir = tmpDir('consul-ts-soak-client-');
  // If the runner exits without reaching stop() (a test timeout with --test-force-exit), the
  // detached agents would outlive it: kill their process groups synchronously on exit.
  const onExit = (): void => {
    for (const proc of [client?.proc, ...set.slots.map((s) => s.agent?.proc)]) {
      if (proc?.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) continue;
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);
  try {
    await set.startAll();
    await set.waitCommonLeader(60_000);
    const dataDir = path.join(clientDir.path, 'data');
    mkdirSync(dataDir, { recursive: true });
    client = await TestAgent.start({
      dev: false,
      dataDir,
      waitForLeader: false,
      args: ['-node=soak-client', `-retry-join=127.0.0.1:${(set.slots[0] as ServerSlot).ports.serfLan}`, '-retry-interval=1s'],
    });
    await client.waitForLeader(60_000);
  } catch (err) {
    process.off('exit', onExit);
    await client?.stop('SIGKILL');
    await set.stopAll();
    clientDir.remove();
    throw err;
  }
  const c = client;
  return {
    set,
    client: c,
    async stop() {
      process.off('exit', onExit);
      await c.stop('SIGTERM', 5_000);
      await set.stopAll();
      clientDir.remove();
    },
  };
}

export interface LoadStats {
  ops: number;
  errors: number;
  readonly byOp: Map<string, { ops: number; errors: number }>;
  readonly firstErrors: string[];
}

const rnd = (n: number): number => Math.floor(Math.random() * n);

/** One request with a deadline; ok when `accept` says so. Never throws. */
async function call(url: string, init: RequestInit & { timeoutMs?: number }, accept: (status: number, text: string) => boolean): Promise<{ ok: boolean; status: number; text: string; index: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 5_000) });
    const text = await res.text();
    return { ok: accept(res.status, text), status: res.status, text, index: res.headers.get('x-consul-index') ?? '' };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, status: 0, text: e.cause?.code ?? e.name, index: '' };
  }
}

const is200 = (s: number): boolean => s === 200;
const isTrue = (s: number, t: string): boolean => s === 200 && t.trim() === 'true';

/** Mixed load through `base` with `workers` concurrent loops until `signal` aborts. */
export async function runLoad(base: string, workers: number, signal: AbortSignal): Promise<LoadStats> {
  const stats: LoadStats = { ops: 0, errors: 0, byOp: new Map(), firstErrors: [] };
  const sessions: string[] = [];
  const record = (op: string, r: { ok: boolean; status: number; text: string }): void => {
    stats.ops++;
    const s = stats.byOp.get(op) ?? { ops: 0, errors: 0 };
    s.ops++;
    if (!r.ok) {
      s.errors++;
      stats.errors++;
      if (stats.firstErrors.length < 10) stats.firstErrors.push(`${op} ${r.status} ${r.text.slice(0, 100)}`);
    }
    stats.byOp.set(op, s);
  };
  const ops: Array<() => Promise<void>> = [
    async () => record('kv-put', await call(`${base}/v1/kv/soak/k${rnd(KEYS)}`, { method: 'PUT', body: VALUE }, isTrue)),
    async () => record('kv-get', await call(`${base}/v1/kv/soak/k${rnd(KEYS)}`, {}, (s) => s === 200 || s === 404)),
    async () => {
      const key = `${base}/v1/kv/soak/c${rnd(8)}`;
      const g = await call(key, {}, (s) => s === 200 || s === 404);
      if (!g.ok) return record('kv-cas', g);
      const idx = g.status === 404 ? 0 : ((JSON.parse(g.text) as Array<{ ModifyIndex: number }>)[0]?.ModifyIndex ?? 0);
      // A lost CAS race answers "false": that is a correct answer, not an error.
      record('kv-cas', await call(`${key}?cas=${idx}`, { method: 'PUT', body: VALUE }, is200));
    },
    async () => {
      const r = await call(`${base}/v1/session/create`, { method: 'PUT', body: JSON.stringify({ TTL: '10s', Behavior: 'delete' }) }, is200);
      record('session-create', r);
      if (!r.ok) return;
      sessions.push((JSON.parse(r.text) as { ID: string }).ID);
      // Beyond the bound the oldest is either destroyed or left for the TTL reaper.
      if (sessions.length > MAX_SESSIONS) {
        const old = sessions.shift() as string;
        if (Math.random() < 0.5) record('session-destroy', await call(`${base}/v1/session/destroy/${old}`, { method: 'PUT' }, isTrue));
      }
    },
    async () => {
      const id = sessions[rnd(sessions.length)];
      if (id === undefined) return;
      // A session that expired or was lost with a leader is 404: correct, not an error.
      record('session-renew', await call(`${base}/v1/session/renew/${id}`, { method: 'PUT' }, (s) => s === 200 || s === 404));
    },
    async () => {
      const i = rnd(SERVICES);
      if (Math.random() < 0.5) {
        const body = JSON.stringify({ ID: `soak-${i}`, Name: `soak-svc-${i % 4}`, Port: 20_000 + i, Tags: [`t${rnd(4)}`] });
        record('svc-register', await call(`${base}/v1/agent/service/register`, { method: 'PUT', body }, is200));
      } else {
        record('svc-deregister', await call(`${base}/v1/agent/service/deregister/soak-${i}`, { method: 'PUT' }, (s) => s === 200 || s === 404));
      }
    },
    async () => {
      const key = `${base}/v1/kv/soak/k${rnd(4)}`;
      const g = await call(key, {}, (s) => s === 200 || s === 404);
      if (!g.ok || g.index === '') return record('kv-block', g);
      record('kv-block', await call(`${key}?index=${g.index}&wait=1s`, { timeoutMs: 8_000 }, (s) => s === 200 || s === 404));
    },
    async () => record('kv-delete', await call(`${base}/v1/kv/soak/k${rnd(KEYS)}`, { method: 'DELETE' }, isTrue)),
    async () => {
      // A lock held by a TTL session with Behavior delete: when the session is destroyed or
      // expires, the key is deleted (a tombstone), which is what session cleanup must do.
      const id = sessions[rnd(sessions.length)];
      if (id === undefined) return;
      // Already held ("false") is a correct answer; so is a session that just expired.
      const ok = (s: number, t: string): boolean => s === 200 || (s === 500 && t.includes('invalid session'));
      record('kv-lock', await call(`${base}/v1/kv/soak/lock${rnd(LOCKS)}?acquire=${id}`, { method: 'PUT', body: VALUE }, ok));
    },
    async () => record('event-fire', await call(`${base}/v1/event/fire/soak-${rnd(4)}`, { method: 'PUT', body: 'p' }, is200)),
  ];
  const worker = async (): Promise<void> => {
    while (!signal.aborted) await (ops[rnd(ops.length)] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return stats;
}

/** RSS (MiB) of a PID by `ps -o rss=`, undefined when it is gone. */
function rssMiB(pid: number): number | undefined {
  try {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return Number.isFinite(kb) && kb > 0 ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Size (MiB) of a directory by `du -sb`. */
function duMiB(dir: string): number | undefined {
  try {
    return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]) / (1024 * 1024);
  } catch {
    return undefined; // a file vanished mid-walk (compaction); the next sample counts
  }
}

/** One sample of every running server; `incarnations` counts restarts per server name. */
export function sampleServers(set: ServerSet, t: number, incarnations: Map<string, number>): Sample[] {
  const out: Sample[] = [];
  for (const s of set.alive()) {
    const pid = s.agent?.proc.pid;
    const rss = pid === undefined ? undefined : rssMiB(pid);
    const disk = duMiB(s.dataDir);
    if (rss !== undefined && disk !== undefined) out.push({ t, server: s.name, incarnation: incarnations.get(s.name) ?? 0, rssMiB: rss, diskMiB: disk });
  }
  return out;
}

/** kill -9 the current leader, restart it on the same data dir, wait for a common leader. */
export async function killAndRestartLeader(set: ServerSet, incarnations: Map<string, number>): Promise<string> {
  const leader = await set.findLeader();
  if (leader === undefined) return 'no leader found; kill skipped';
  await set.kill9(leader);
  // Counted at the kill: every later sample of this name is the new process, even one taken
  // while the restart still waits for a leader.
  incarnations.set(leader.name, (incarnations.get(leader.name) ?? 0) + 1);
  await set.waitCommonLeader(60_000, leader);
  await set.start(leader);
  await set.waitCommonLeader(60_000);
  return `killed leader ${leader.name}, restarted it`;
}

export interface SoakOptions {
  readonly durationMs: number;
  readonly killEveryMs: number;
  /** At most this many leader kills (default: as many as fit). */
  readonly maxKills?: number;
  readonly sampleMs: number;
  readonly warmupMs: number;
  readonly workers: number;
  readonly log: (msg: string) => void;
}

export interface SoakResult {
  readonly samples: Sample[];
  readonly stats: LoadStats;
  readonly kills: string[];
  /** Restarts per server name, to carry on sampling in `extendSoak`. */
  readonly incarnations: Map<string, number>;
  /** Load start (Date.now()), the origin of every sample's t. */
  readonly t0: number;
}

/** Runs the load, the sampler and the leader killer on a started cluster for `durationMs`. */
export async function runSoak(cluster: SoakCluster, o: SoakOptions): Promise<SoakResult> {
  const stop = new AbortController();
  const t0 = Date.now();
  const samples: Sample[] = [];
  const incarnations = new Map<string, number>();
  const kills: string[] = [];
  const load = runLoad(cluster.client.url, o.workers, stop.signal);
  const sleepUntil = (t: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
  const sampler = (async () => {
    for (let next = t0; next <= t0 + o.durationMs; next += o.sampleMs) {
      await sleepUntil(next);
      const got = sampleServers(cluster.set, Date.now() - t0, incarnations);
      samples.push(...got);
      o.log(`t=${Math.round((Date.now() - t0) / 1000)}s ${got.map((s) => `${s.server} rss=${s.rssMiB.toFixed(0)}MiB disk=${s.diskMiB.toFixed(2)}MiB`).join('  ')}`);
    }
  })();
  const killer = (async () => {
    let n = 0;
    for (let next = t0 + o.killEveryMs; next < t0 + o.durationMs && n < (o.maxKills ?? Infinity); next += o.killEveryMs, n++) {
      await sleepUntil(next);
      const what = await killAndRestartLeader(cluster.set, incarnations).catch((e: Error) => `kill round failed: ${e.message.split('\n')[0]}`);
      kills.push(`t=${Math.round((Date.now() - t0) / 1000)}s ${what}`);
      o.log(kills[kills.length - 1] as string);
    }
  })();
  try {
    await Promise.all([sampler, killer]);
  } finally {
    stop.abort();
  }
  const stats = await load;
  return { samples, stats, kills, incarnations, t0 };
}

/**
 * More of the same load and sampling (no kills) for `ms` after a run, samples appended to
 * `prev.samples` on the same time origin; returns the t at which the extension started.
 */
export async function extendSoak(cluster: SoakCluster, prev: SoakResult, ms: number, sampleMs: number, log: (msg: string) => void): Promise<{ fromMs: number; stats: LoadStats }> {
  const stop = new AbortController();
  const fromMs = Date.now() - prev.t0;
  const load = runLoad(cluster.client.url, 16, stop.signal);
  try {
    const end = Date.now() + ms;
    for (let next = Date.now() + sampleMs; next <= end; next += sampleMs) {
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      const got = sampleServers(cluster.set, Date.now() - prev.t0, prev.incarnations);
      prev.samples.push(...got);
      log(`t=${Math.round((Date.now() - prev.t0) / 1000)}s (extension) ${got.map((s) => `${s.server} rss=${s.rssMiB.toFixed(0)}MiB`).join('  ')}`);
    }
  } finally {
    stop.abort();
  }
  return { fromMs, stats: await load };
}
