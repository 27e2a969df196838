// N real `consul agent -server` processes, each in its own network namespace of a NetnsNetwork
// (`ip netns exec <ns> node bin/consul agent ...`), bound and advertised on the namespace's address
// with Consul's default ports (each namespace has its own port space). Raft, RPC and gossip
// between servers cross the bridge, where NetnsNetwork cuts them; clients in the root namespace
// reach every server's HTTP API at http://<addr>:8500 through the bridge.
// Nemeses on processes: kill -9 (restart with the same data dir), SIGSTOP / SIGCONT.
// MUST: each agent runs in its own process group and is stopped by PID; every wait is bounded;
//       callers call stopAll() and then network.teardown() in a finally/after hook.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FAST_GOSSIP_HCL } from './cluster.js';
import type { NetnsNetwork } from './netns.js';
import { stopProcessGroup } from './process-group.js';
import { CONSUL_BIN } from './test-agent.js';
import { tmpDir } from './tmp-dir.js';

export const HTTP_PORT = 8500;
export const RPC_PORT = 8300;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NetnsServer {
  proc: ChildProcess | undefined;
  output = '';
  paused = false;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly n: number,
    readonly addr: string,
    readonly dataDir: string,
  ) {}

  get name(): string {
    return `s${this.n}`;
  }

  get url(): string {
    return `http://${this.addr}:${HTTP_PORT}`;
  }

  get rpcAddr(): string {
    return `${this.addr}:${RPC_PORT}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  attach(proc: ChildProcess): void {
    this.proc = proc;
    this.paused = false;
    const mark = `\n==== ${this.name} started (pid ${proc.pid}) ====\n`;
    this.output += mark;
    proc.stdout?.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (this.output += b.toString()));
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  /** A signal to the agent's process group (by PID). */
  signal(sig: NodeJS.Signals): void {
    const pid = this.proc?.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  }

  async stop(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    if (this.proc === undefined) return;
    if (this.paused) this.signal('SIGCONT');
    this.paused = false;
    await stopProcessGroup(this.proc, this.exited, sig, graceMs);
  }
}

export interface NetnsServerOptions {
  readonly raftMultiplier?: number;
  readonly logLevel?: string;
  readonly extraHcl?: string;
  /** More environment for server n's process (faketime's LD_PRELOAD and FAKETIME, ...). */
  readonly envFor?: (n: number) => Record<string, string>;
}

export class NetnsServerSet {
  readonly servers: NetnsServer[] = [];
  private readonly configFile: string;
  private readonly dir: { path: string; remove(): void };
  /** Backstop when the process exits without stopAll() (an interrupted bench): kill by PID. */
  private readonly onExit = (): void => {
    for (const s of this.servers) s.signal('SIGKILL');
  };

  constructor(
    readonly net: NetnsNetwork,
    private readonly opts: NetnsServerOptions = {},
  ) {
    this.dir = tmpDir('consul-ts-netns-');
    this.configFile = path.join(this.dir.path, 'servers.hcl');
    // Autopilot: a server that comes back is a voter again after 1 s (Consul's default is 10 s).
    writeFileSync(
      this.configFile,
      `performance {\n  raft_multiplier = ${opts.raftMultiplier ?? 1}\n}\nautopilot {\n  server_stabilization_time = "1s"\n}\n${FAST_GOSSIP_HCL}${opts.extraHcl ?? ''}`,
    );
    for (let n = 1; n <= net.count; n++) {
      const dataDir = path.join(this.dir.path, `s${n}`);
      mkdirSync(dataDir, { recursive: true });
      this.servers.push(new NetnsServer(n, net.addr(n), dataDir));
    }
    process.once('exit', this.onExit);
  }

  server(n: number): NetnsServer {
    const s = this.servers[n - 1];
    if (s === undefined) throw new Error(`no server ${n}`);
    return s;
  }

  alive(): NetnsServer[] {
    return this.servers.filter((s) => s.running);
  }

  byRpcAddr(addr: string): NetnsServer | undefined {
    return this.servers.find((s) => s.rpcAddr === addr);
  }

  async startAll(): Promise<void> {
    for (const s of this.servers) this.start(s);
  }

  /** Starts (or restarts, same data dir) a server inside its namespace; waits for nothing. */
  start(s: NetnsServer): void {
    if (s.running) throw new Error(`${s.name} is already running`);
    const argv = [
      process.execPath,
      CONSUL_BIN,
      'agent',
      `-node=${s.name}`,
      '-server',
      `-bootstrap-expect=${this.servers.length}`,
      `-bind=${s.addr}`,
      `-client=${s.addr}`,
      `-data-dir=${s.dataDir}`,
      `-retry-join=${this.net.addr(1)}`,
      `-retry-join=${this.net.addr(2)}`,
      '-retry-interval=1s',
      `-config-file=${this.configFile}`,
      `-log-level=${this.opts.logLevel ?? 'info'}`,
    ];
    // `ip netns exec` execs the command: the child's PID is the agent's.
    const env = { ...process.env, ...this.opts.envFor?.(s.n) };
    const proc = spawn('ip', this.net.execArgs(s.n, argv), { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
    s.attach(proc);
  }

  async kill9(s: NetnsServer): Promise<void> {
    await s.stop('SIGKILL', 1_000);
  }

  pause(s: NetnsServer): void {
    s.signal('SIGSTOP');
    s.paused = true;
  }

  resume(s: NetnsServer): void {
    s.signal('SIGCONT');
    s.paused = false;
  }

  /** Stops every server (SIGTERM, SIGKILL after graceMs) and removes the data dirs. */
  async stopAll(graceMs = 3_000): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop('SIGTERM', graceMs)));
    process.removeListener('exit', this.onExit);
    this.dir.remove();
  }

  /** The leader's RPC address as `s` sees it ('' = none); undefined if it did not answer. */
  async leaderSeenBy(s: NetnsServer, timeoutMs = 1_000): Promise<string | undefined> {
    try {
      const res = await fetch(`${s.url}/v1/status/leader`, { signal: AbortSignal.timeout(timeoutMs) });
      const v = (await res.json()) as unknown;
      return res.status === 200 && typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Waits until every running, unpaused server names the same leader; returns it. */
  async waitCommonLeader(timeoutMs: number): Promise<NetnsServer> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const alive = this.alive().filter((s) => !s.paused);
      const seen = await Promise.all(alive.map((s) => this.leaderSeenBy(s)));
      last = alive.map((s, i) => `${s.name}->${seen[i] ?? '?'}`).join(' ');
      const first = seen[0];
      const leader = first ? this.byRpcAddr(first) : undefined;
      if (leader?.running && !leader.paused && seen.every((x) => x === first)) return leader;
      if (Date.now() > deadline) throw new Error(`no common leader within ${timeoutMs}ms: ${last}\n${this.logTails()}`);
      await sleep(100);
    }
  }

  /**
   * Waits until a majority of all servers name the same running leader (the cluster can serve);
   * a server that autopilot removed while it was cut off rejoins later, when serf reconnects.
   */
  async waitQuorumLeader(timeoutMs: number): Promise<NetnsServer> {
    const deadline = Date.now() + timeoutMs;
    const quorum = Math.floor(this.servers.length / 2) + 1;
    let last = '';
    for (;;) {
      const alive = this.alive().filter((s) => !s.paused);
      const seen = await Promise.all(alive.map((s) => this.leaderSeenBy(s)));
      last = alive.map((s, i) => `${s.name}->${seen[i] ?? '?'}`).join(' ');
      const votes = new Map<string, number>();
      for (const a of seen) if (a) votes.set(a, (votes.get(a) ?? 0) + 1);
      for (const [addr, n] of votes) {
        const leader = this.byRpcAddr(addr);
        if (n >= quorum && leader?.running && !leader.paused) return leader;
      }
      if (Date.now() > deadline) throw new Error(`no leader named by a majority within ${timeoutMs}ms: ${last}\n${this.logTails()}`);
      await sleep(100);
    }
  }

  /** The leader as named by the first answering server that names a running one. */
  async findLeader(among: readonly NetnsServer[] = this.alive()): Promise<NetnsServer | undefined> {
    for (const s of among) {
      if (s.paused) continue;
      const addr = await this.leaderSeenBy(s);
      const l = addr ? this.byRpcAddr(addr) : undefined;
      if (l?.running) return l;
    }
    return undefined;
  }

  logTails(lines = 25): string {
    return this.servers.map((s) => `---- ${s.name} ----\n${s.output.split('\n').slice(-lines).join('\n')}`).join('\n');
  }
}
