// Gossip convergence and failure detection: N of our agents vs N of Debian's `serf agent`, on
// loopback, both with the default LAN gossip profile (our agents run without -dev: one
// -server -bootstrap plus N-1 clients; serf agents with no -profile).
//   (1) join: from the start of the N-th member's join (its own HTTP / RPC join call, issued once
//       the process is up) until every member lists it alive;
//   (2) failure: from kill -9 of one member until every other member lists it failed.
// Membership is polled every POLL_MS on every member: our HTTP /v1/agent/members, serf's RPC
// `members` over a kept-open connection (no CLI process per sample), so both pay a similar cost.
// Figures only; nothing here is a test.
//   npm run build && node dist/bench/gossip.js [--n=5,20] [--trials=2] [--poll=25]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allocatePorts, TestAgent } from '../test/support/test-agent.js';
import { SerfAgent, sleep, waitFor } from '../test/support/serf-agent.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SIZES = arg('n', '5,20')
  .split(',')
  .map(Number)
  .filter((n) => n >= 3);
const TRIALS = Math.max(1, Number(arg('trials', '2')));
const POLL_MS = Number(arg('poll', '25'));
/** Whole-run budget; a phase that would pass it is abandoned (and reported as such). */
const BUDGET_MS = Number(arg('budget', '170000'));
const runDeadline = Date.now() + BUDGET_MS;
const remaining = (): number => Math.max(1_000, runDeadline - Date.now());

interface Member {
  name: string;
  status: 'alive' | 'failed' | 'left' | 'other';
}

/** One cluster member as the bench sees it: how to list its view, how to kill it. */
interface BenchNode {
  readonly name: string;
  members(): Promise<Member[]>;
  kill9(): Promise<unknown>;
  stop(): Promise<unknown>;
}

interface Figures {
  joinMs: number;
  failMs: number;
}

const OUR_STATUS: Record<number, Member['status']> = { 1: 'alive', 3: 'left', 4: 'failed' };

class OurNode implements BenchNode {
  constructor(
    readonly name: string,
    readonly agent: TestAgent,
  ) {}
  async members(): Promise<Member[]> {
    const res = await fetch(`${this.agent.url}/v1/agent/members`);
    const list = (await res.json()) as { Name: string; Status: number }[];
    return list.map((m) => ({ name: m.Name, status: OUR_STATUS[m.Status] ?? 'other' }));
  }
  async join(addr: string): Promise<void> {
    const res = await fetch(`${this.agent.url}/v1/agent/join/${addr}`, { method: 'PUT' });
    if (res.status !== 200) throw new Error(`join failed: ${res.status} ${await res.text()}`);
  }
  kill9(): Promise<unknown> {
    return this.agent.kill9();
  }
  stop(): Promise<unknown> {
    return this.agent.stop('SIGKILL');
  }
}

class SerfNode implements BenchNode {
  constructor(readonly agent: SerfAgent) {}
  get name(): string {
    return this.agent.name;
  }
  async members(): Promise<Member[]> {
    return (await this.agent.members()).map((m) => ({ name: m.name, status: m.status === 'alive' || m.status === 'failed' || m.status === 'left' ? m.status : 'other' }));
  }
  kill9(): Promise<unknown> {
    return this.agent.kill9();
  }
  stop(): Promise<unknown> {
    return this.agent.stop('SIGKILL');
  }
}

/** Poll every node until each lists `target` with `status`; returns ms since t0. */
async function until(nodes: readonly BenchNode[], target: string, status: Member['status'], t0: number, timeoutMs: number): Promise<number> {
  const pending = new Set(nodes);
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (pending.size > 0) {
    await Promise.all(
      [...pending].map(async (n) => {
        try {
          const view = await n.members();
          if (view.some((m) => m.name === target && m.status === status)) {
            pending.delete(n);
            last = performance.now() - t0;
          }
        } catch {
          // a slow or restarting member: try again next round
        }
      }),
    );
    if (pending.size === 0) break;
    if (Date.now() > deadline) throw new Error(`${[...pending].map((n) => n.name).join(', ')} never listed ${target} ${status} within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
  return last;
}

async function allSee(nodes: readonly BenchNode[], count: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `all ${nodes.length} members to list ${count} alive`,
    async () => {
      const views = await Promise.all(nodes.map((n) => n.members()));
      return views.every((v) => v.filter((m) => m.status === 'alive').length >= count) ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

async function measure(nodes: BenchNode[], newcomer: BenchNode, join: () => Promise<void>): Promise<Figures> {
  const all = [...nodes, newcomer];
  const t0 = performance.now();
  await join();
  const joinMs = await until(all, newcomer.name, 'alive', t0, Math.min(30_000, remaining()));
  // Let the newcomer settle into everybody's probe rotation before killing someone else.
  await allSee(all, all.length, Math.min(30_000, remaining()));
  await sleep(1_000);
  const victim = nodes[1] as BenchNode;
  const t1 = performance.now();
  await victim.kill9();
  const survivors = all.filter((n) => n !== victim);
  const failMs = await until(survivors, victim.name, 'failed', t1, Math.min(60_000, remaining()));
  return { joinMs, failMs };
}

async function waitHttp(a: TestAgent): Promise<void> {
  await waitFor(
    'agent HTTP',
    async () => {
      if (a.proc.exitCode !== null) throw new Error(`agent exited:\n${a.output}`);
      return (await fetch(`${a.url}/v1/agent/self`)).ok ? true : undefined;
    },
    60_000,
    50,
  );
}

async function oursTrial(n: number, dir: string): Promise<Figures> {
  const nodes: OurNode[] = [];
  const start = async (i: number, joinTo: number | undefined): Promise<OurNode> => {
    const name = `ours-${i}`;
    const server = i === 0;
    const args = [`-node=${name}`, '-log-level=warn'];
    if (server) args.push('-server', '-bootstrap');
    if (joinTo !== undefined) args.push(`-retry-join=127.0.0.1:${joinTo}`);
    const agent = await TestAgent.start({ dev: false, dataDir: path.join(dir, name), waitForLeader: false, ports: await allocatePorts(), args });
    return new OurNode(name, agent);
  };
  try {
    const seed = await start(0, undefined);
    nodes.push(seed);
    await waitHttp(seed.agent);
    const seedPort = seed.agent.ports.serfLan;
    // Start the others a few at a time: 2 cores, and Node's startup is CPU-bound.
    for (let i = 1; i < n - 1; i += 4) {
      const batch = await Promise.all(Array.from({ length: Math.min(4, n - 1 - i) }, (_, k) => start(i + k, seedPort)));
      nodes.push(...batch);
      await Promise.all(batch.map((b) => waitHttp(b.agent)));
    }
    await allSee(nodes, nodes.length, Math.min(60_000, remaining()));
    const newcomer = await start(n - 1, undefined);
    await waitHttp(newcomer.agent);
    await sleep(500);
    return await measure(nodes, newcomer, () => newcomer.join(`127.0.0.1:${seedPort}`)).finally(() => newcomer.stop());
  } finally {
    await Promise.all(nodes.map((x) => x.stop()));
  }
}

async function serfTrial(n: number): Promise<Figures> {
  const nodes: SerfNode[] = [];
  try {
    const seed = new SerfNode(await SerfAgent.start({ name: 'serf-0', logLevel: 'warn' }));
    nodes.push(seed);
    for (let i = 1; i < n - 1; i++) {
      const s = new SerfNode(await SerfAgent.start({ name: `serf-${i}`, logLevel: 'warn' }));
      nodes.push(s);
      await s.agent.rpc.join([seed.agent.gossipAddr]);
    }
    await allSee(nodes, nodes.length, Math.min(60_000, remaining()));
    const newcomer = new SerfNode(await SerfAgent.start({ name: `serf-${n - 1}`, logLevel: 'warn' }));
    await sleep(500);
    return await measure(nodes, newcomer, async () => void (await newcomer.agent.rpc.join([seed.agent.gossipAddr]))).finally(() => newcomer.stop());
  } finally {
    await Promise.all(nodes.map((x) => x.stop()));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consul-ts-bench-gossip-'));
  const rows: string[][] = [];
  try {
    for (const n of SIZES) {
      const ours: Figures[] = [];
      const serf: Figures[] = [];
      for (let t = 0; t < TRIALS; t++) {
        try {
          serf.push(await serfTrial(n));
          console.error(`serf N=${n} trial ${t + 1}: join ${serf.at(-1)?.joinMs.toFixed(0)} ms, fail ${serf.at(-1)?.failMs.toFixed(0)} ms`);
        } catch (err) {
          console.error(`serf N=${n} trial ${t + 1} abandoned: ${(err as Error).message}`);
        }
        try {
          ours.push(await oursTrial(n, path.join(dir, `n${n}-t${t}`)));
          console.error(`ours N=${n} trial ${t + 1}: join ${ours.at(-1)?.joinMs.toFixed(0)} ms, fail ${ours.at(-1)?.failMs.toFixed(0)} ms`);
        } catch (err) {
          console.error(`ours N=${n} trial ${t + 1} abandoned: ${(err as Error).message}`);
        }
      }
      const oj = median(ours.map((f) => f.joinMs));
      const sj = median(serf.map((f) => f.joinMs));
      const of = median(ours.map((f) => f.failMs));
      const sf = median(serf.map((f) => f.failMs));
      rows.push([String(n), oj.toFixed(0), sj.toFixed(0), (oj / sj).toFixed(2), of.toFixed(0), sf.toFixed(0), (of / sf).toFixed(2)]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const head = ['N', 'ours join ms', 'serf join ms', 'ratio', 'ours fail ms', 'serf fail ms', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(`gossip on loopback, LAN profile, poll ${POLL_MS} ms, ${TRIALS} trial(s), median`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

await main();
