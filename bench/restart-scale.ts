// Restart and recovery at scale (issue 16 item 4): N keys of 100-byte values (default 1,000,000)
// in one consul-ts server and in one etcd member (Debian's etcd-server 3.4), then
//   (a) restart -> first consistent read: SIGTERM, start again on the same data dir, time until a
//       linearizable read answers (ours GET /v1/kv/K?consistent; etcd POST /v3/kv/range, whose
//       default is the same linearizable read as `etcdctl get --consistency=l`),
//   (b) `consul snapshot save` / `consul snapshot restore` vs `etcdctl snapshot save` / `etcdctl
//       snapshot restore` (3.4 restores offline with etcdctl): wall time, CLI peak RSS
//       (/usr/bin/time -v) and the agent's / etcd's peak RSS during the operation (VmHWM, reset
//       through /proc/PID/clear_refs before the operation),
//   (c) 3 consul-ts servers with low raft snapshot thresholds: a follower is stopped, its data dir
//       wiped, the leader compacts past it, the follower restarts and catches up through
//       InstallSnapshot: time to caught up and peak RSS on the leader and the follower.
// Loading is the same shape for both: transactions of 64 puts (ours /v1/txn, etcd /v3/kv/txn
// through its gRPC gateway), 16 in flight, over HTTP/1.1 keep-alive from this process.
// Figures only: nothing here is a test. Every process is stopped by PID.
//   npx tsc -p . && node dist/bench/restart-scale.js [--keys=1000000] [--parts=a,b,c] [--inflight=16]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONSUL_BIN, TestAgent, allocatePorts } from '../test/support/test-agent.js';
import { ServerSet, tryGetRaw, tryPut, type ServerSlot } from '../test/support/servers.js';
import { freePort } from '../test/support/free-port.js';
import { tmpDir } from '../test/support/tmp-dir.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const KEYS = Number(arg('keys', '1000000'));
const PARTS = new Set(arg('parts', 'a,b,c').split(','));
const INFLIGHT = Number(arg('inflight', '16'));
const PER_TXN = 64;
const VALUE = Buffer.alloc(100, 'v');
const VALUE_B64 = VALUE.toString('base64');

const log = (msg: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const keyName = (i: number): string => `bench/k${String(i).padStart(7, '0')}`;
const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

/** VmRSS / VmHWM of a process in kB. */
function memKb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (n: string): number => Number(new RegExp(`${n}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Resets the peak RSS (VmHWM) of a process to its current RSS (Linux clear_refs "5"). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function dirMb(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirMb(p) * 1024 * 1024 : statSync(p).size;
  }
  return total / 1024 / 1024;
}

/** Runs a command under /usr/bin/time -v: wall seconds, its peak RSS in kB, output. */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): { sec: number; maxRssKb: number; out: string; code: number | null } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 900_000 });
  const sec = (performance.now() - t0) / 1000;
  const maxRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { sec, maxRssKb, out: r.stdout + r.stderr, code: r.status };
}

/** Puts KEYS keys with INFLIGHT concurrent 64-put transactions; returns keys/s. */
async function load(send: (first: number, count: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < KEYS) {
      const first = next;
      const count = Math.min(PER_TXN, KEYS - first);
      next += count;
      await send(first, count);
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
  return KEYS / ((performance.now() - t0) / 1000);
}

async function send(method: 'PUT' | 'POST', url: string, body: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { method, body, headers: { 'content-type': 'application/json' } }).catch((e: Error) => e);
    if (!(res instanceof Error) && res.ok) return void (await res.arrayBuffer());
    const why = res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
    if (attempt >= 5) throw new Error(`${method} ${url}: ${why}`);
    await sleep(200);
  }
}

const consulTxn = (base: string) => (first: number, count: number): Promise<void> =>
  send('PUT', `${base}/v1/txn`, JSON.stringify(Array.from({ length: count }, (_, j) => ({ KV: { Verb: 'set', Key: keyName(first + j), Value: VALUE_B64 } }))));

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const etcdTxn = (base: string) => (first: number, count: number): Promise<void> =>
  send('POST', `${base}/v3/kv/txn`, JSON.stringify({ success: Array.from({ length: count }, (_, j) => ({ requestPut: { key: b64(keyName(first + j)), value: VALUE_B64 } })) }));

/** Polls `read` until it succeeds; ms from t0 (bounded). */
async function untilOk(t0: number, read: () => Promise<boolean>, timeoutMs = 600_000): Promise<number> {
  for (;;) {
    if (await read().catch(() => false)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error('no successful read in time');
    await sleep(10);
  }
}

const consulConsistent = (base: string, key: string) => async (): Promise<boolean> => {
  const res = await fetch(`${base}/v1/kv/${key}?consistent`, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.status === 200;
};
const etcdLinearizable = (base: string, key: string) => async (): Promise<boolean> => {
  const res = await fetch(`${base}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: b64(key) }), signal: AbortSignal.timeout(2_000) });
  const j = (await res.json()) as { kvs?: unknown[] };
  return res.status === 200 && (j.kvs?.length ?? 0) === 1;
};

const etcdHealthy = (base: string) => async (): Promise<boolean> => {
  const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
  return res.status === 200 && ((await res.json()) as { health?: string }).health === 'true';
};

/** One etcd member on free ports with its own data dir (the flags of ../shared/bench/etcd3.sh). */
class Etcd {
  proc: ChildProcess | undefined;
  constructor(readonly dataDir: string, readonly client: number, readonly peer: number) {}
  get url(): string {
    return `http://127.0.0.1:${this.client}`;
  }
  static async create(dataDir: string): Promise<Etcd> {
    return new Etcd(dataDir, await freePort(), await freePort());
  }
  start(): void {
    const peer = `http://127.0.0.1:${this.peer}`;
    this.proc = spawn('etcd', ['--name', 'm1', '--data-dir', this.dataDir, '--listen-client-urls', this.url, '--advertise-client-urls', this.url,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `m1=${peer}`, '--initial-cluster-token', 'restart-scale',
      '--log-level', 'warn', `--quota-backend-bytes=${4 * 1024 * 1024 * 1024}`], { stdio: 'ignore', detached: true });
  }
  async stop(): Promise<void> {
    const p = this.proc;
    if (p?.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    const signal = (sig: NodeJS.Signals): void => {
      try {
        process.kill(p.pid as number, sig);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    await Promise.race([gone, sleep(30_000)]);
    if (p.exitCode === null && p.signalCode === null) signal('SIGKILL');
  }
}

async function consulSingle(dataDir: string, ports: Awaited<ReturnType<typeof allocatePorts>>): Promise<TestAgent> {
  return TestAgent.start({ dev: false, dataDir, ports, waitForLeader: true, args: ['-server', '-bootstrap-expect=1', '-node=solo', '-log-level=warn'] });
}

const lastKey = (): string => keyName(KEYS - 1);

async function partsAB(): Promise<void> {
  const dir = tmpDir('restart-scale-');
  const ports = await allocatePorts();
  const cdata = path.join(dir.path, 'consul');
  const etcd = await Etcd.create(path.join(dir.path, 'etcd'));
  let agent: TestAgent | undefined;
  try {
    agent = await consulSingle(cdata, ports);
    log(`consul: loading ${KEYS} keys`);
    const cRate = await load(consulTxn(agent.url));
    log(`consul: ${cRate.toFixed(0)} keys/s; RSS ${mb(memKb(agent.proc.pid as number).rss)}, data dir ${dirMb(cdata).toFixed(0)} MB`);
    etcd.start();
    await untilOk(performance.now(), etcdHealthy(etcd.url), 30_000);
    log(`etcd: loading ${KEYS} keys`);
    const eRate = await load(etcdTxn(etcd.url));
    log(`etcd: ${eRate.toFixed(0)} keys/s; RSS ${mb(memKb(etcd.proc?.pid as number).rss)}, data dir ${dirMb(etcd.dataDir).toFixed(0)} MB`);
    console.log(`load ${KEYS} keys (64 puts/txn, ${INFLIGHT} in flight): consul ${cRate.toFixed(0)} keys/s, etcd ${eRate.toFixed(0)} keys/s`);

    if (PARTS.has('a')) {
      for (let round = 1; round <= 3; round++) {
        // Alternate, so the machine's load (other helpers) falls on both alike.
        await agent.stop('SIGTERM', 60_000);
        let t0 = performance.now();
        agent = await TestAgent.start({ dev: false, dataDir: cdata, ports, waitForLeader: false, args: ['-server', '-bootstrap-expect=1', '-node=solo', '-log-level=warn'] });
        const cMs = await untilOk(t0, consulConsistent(agent.url, lastKey()));
        const cMem = memKb(agent.proc.pid as number);
        await etcd.stop();
        t0 = performance.now();
        etcd.start();
        const eMs = await untilOk(t0, etcdLinearizable(etcd.url, lastKey()));
        const eMem = memKb(etcd.proc?.pid as number);
        console.log(`(a) round ${round}: restart -> consistent read: consul ${cMs.toFixed(0)} ms (peak RSS ${mb(cMem.hwm)}), etcd ${eMs.toFixed(0)} ms (peak RSS ${mb(eMem.hwm)})`);
      }
    }

    if (PARTS.has('b')) {
      const cSnap = path.join(dir.path, 'consul.snap');
      const eSnap = path.join(dir.path, 'etcd.db');
      const http = `-http-addr=${agent.addr}`;
      for (let round = 1; round <= 2; round++) {
        const apid = agent.proc.pid as number;
        const epid = etcd.proc?.pid as number;
        resetPeak(apid);
        const before = memKb(apid).rss;
        const cs = timed(process.execPath, [CONSUL_BIN, 'snapshot', 'save', http, cSnap]);
        if (cs.code !== 0) throw new Error(`consul snapshot save: ${cs.out}`);
        const cAgentSave = memKb(apid).hwm;
        resetPeak(epid);
        const eBefore = memKb(epid).rss;
        const es = timed('etcdctl', [`--endpoints=${etcd.url}`, 'snapshot', 'save', eSnap], { ETCDCTL_API: '3' });
        if (es.code !== 0) throw new Error(`etcdctl snapshot save: ${es.out}`);
        const eSave = memKb(epid).hwm;
        console.log(`(b) round ${round}: snapshot save: consul ${cs.sec.toFixed(2)} s, file ${(statSync(cSnap).size / 1048576).toFixed(1)} MB, CLI peak ${mb(cs.maxRssKb)}, agent RSS ${mb(before)} -> peak ${mb(cAgentSave)}` +
          ` | etcd ${es.sec.toFixed(2)} s, file ${(statSync(eSnap).size / 1048576).toFixed(0)} MB, etcdctl peak ${mb(es.maxRssKb)}, etcd RSS ${mb(eBefore)} -> peak ${mb(eSave)}`);

        resetPeak(apid);
        const rBefore = memKb(apid).rss;
        const cr = timed(process.execPath, [CONSUL_BIN, 'snapshot', 'restore', http, cSnap]);
        if (cr.code !== 0) throw new Error(`consul snapshot restore: ${cr.out}`);
        const cAgentRestore = memKb(apid);
        const restored = path.join(dir.path, `etcd-restored-${round}`);
        const er = timed('etcdctl', ['snapshot', 'restore', eSnap, `--data-dir=${restored}`, '--name=m1', `--initial-cluster=m1=http://127.0.0.1:${etcd.peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcd.peer}`], { ETCDCTL_API: '3' });
        if (er.code !== 0) throw new Error(`etcdctl snapshot restore: ${er.out}`);
        const ok = await consulConsistent(agent.url, lastKey())();
        console.log(`(b) round ${round}: snapshot restore: consul ${cr.sec.toFixed(2)} s (online, into the running agent; read after: ${ok ? 'ok' : 'FAILED'}), CLI peak ${mb(cr.maxRssKb)}, agent RSS ${mb(rBefore)} -> peak ${mb(cAgentRestore.hwm)}, after ${mb(cAgentRestore.rss)}` +
          ` | etcd ${er.sec.toFixed(2)} s (offline, etcdctl into a new data dir), etcdctl peak ${mb(er.maxRssKb)}`);
      }
    }
  } finally {
    await agent?.stop('SIGTERM', 60_000);
    await etcd.stop();
    dir.remove();
  }
}

/** The leader's newest raft snapshot index (from `<data>/raft/snapshots/<term>-<index>.snap`). */
function snapshotIndex(slot: ServerSlot): number {
  const d = path.join(slot.dataDir, 'raft', 'snapshots');
  if (!existsSync(d)) return 0;
  return Math.max(0, ...readdirSync(d).map((f) => /^\d+-(\d+)\.snap$/.exec(f)).filter((m) => m !== null).map((m) => Number((m as RegExpExecArray)[1])));
}

async function partC(): Promise<void> {
  // Compaction keeps only 1024 entries behind the snapshot, checked every second: a follower that
  // comes back empty after a few thousand more entries cannot be sent the log.
  const set = await ServerSet.create({ raftMultiplier: 1, logLevel: 'info', extraHcl: 'raft_snapshot_threshold = 1024\nraft_snapshot_interval = "1s"\nraft_trailing_logs = 1024\n' });
  try {
    await set.startAll();
    const leader = await set.waitCommonLeader(60_000);
    log(`3 servers: loading ${KEYS} keys through the leader ${leader.name}`);
    const rate = await load(consulTxn(leader.url));
    log(`3 servers: ${rate.toFixed(0)} keys/s`);
    console.log(`(c) load ${KEYS} keys into 3 servers: ${rate.toFixed(0)} keys/s`);
    const follower = set.slots.find((s) => s !== leader) as ServerSlot;
    await follower.agent?.stop('SIGTERM', 60_000);
    set.wipe(follower);
    // Enough entries after the stop for a snapshot past the follower and a truncated log.
    const marker = 'bench/marker';
    const before = snapshotIndex(leader);
    for (let i = 0; i < 3000; i++) await tryPut(leader, marker, `${i}`);
    const deadline = performance.now() + 60_000;
    while (snapshotIndex(leader) <= before + 2048 && performance.now() < deadline) {
      await tryPut(leader, marker, 'x');
      await sleep(50);
    }
    log(`leader snapshot index ${before} -> ${snapshotIndex(leader)}`);
    const lpid = leader.agent?.proc.pid as number;
    resetPeak(lpid);
    const lBefore = memKb(lpid).rss;
    const t0 = performance.now();
    await set.start(follower);
    const ms = await untilOk(t0, async () => (await tryGetRaw(follower, marker, 'stale')) !== undefined && (await tryGetRaw(follower, lastKey(), 'stale')) !== undefined);
    const f = memKb(follower.agent?.proc.pid as number);
    const l = memKb(lpid);
    const installed = (leader.agent?.output ?? '').split('\n').filter((x) => /sent snapshot|failed to send snapshot/.test(x)).slice(-3).join(' / ');
    console.log(`(c) wiped follower restarted -> caught up (stale read of the newest key): ${ms.toFixed(0)} ms; leader RSS ${mb(lBefore)} -> peak ${mb(l.hwm)}; follower peak ${mb(f.hwm)}, now ${mb(f.rss)}`);
    console.log(`(c) leader: ${installed || 'sent no snapshot (caught up from the log?)'}`);
  } finally {
    await set.stopAll(60_000);
  }
}

if (PARTS.has('a') || PARTS.has('b')) await partsAB();
if (PARTS.has('c')) await partC();
