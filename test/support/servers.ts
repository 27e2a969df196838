// N real `consul agent -server -bootstrap-expect=N` processes on 127.0.0.1 forming one Raft
// cluster through gossip (every server retry-joins the first one's LAN port), each with its own
// data dir and fixed free ports, so a killed server can come back as the same node.
// Used by the failover integration test and bench/cluster.ts.
// MUST: every process runs in its own process group and is stopped by PID (TestAgent.stop);
//       every wait is bounded; callers call stopAll() in a finally/after hook.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestAgent, allocatePorts, type AgentPorts } from './test-agent.js';
import { tmpDir } from './tmp-dir.js';

export interface ServerSetOptions {
  /** Number of servers (and bootstrap_expect). */
  readonly count?: number;
  /** performance.raft_multiplier (Consul's default is 5: 5-10 s election timeout). */
  readonly raftMultiplier?: number;
  /** Fast gossip probing so dead members are noticed in a second or two. */
  readonly fastGossip?: boolean;
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** More HCL for every server's config file (e.g. an `autopilot` block). */
  readonly extraHcl?: string;
  /** More agent flags for every server (e.g. `-ui`). */
  readonly args?: readonly string[];
}

/** One server slot: fixed name, ports and data dir; the process comes and goes. */
export class ServerSlot {
  agent: TestAgent | undefined;
  /** Output of earlier incarnations (killed processes), for failure messages. */
  pastOutput = '';

  constructor(
    readonly name: string,
    readonly ports: AgentPorts,
    readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  /** The address Raft and /v1/status/leader use for this server. */
  get rpcAddr(): string {
    return `127.0.0.1:${this.ports.server}`;
  }

  get running(): boolean {
    const p = this.agent?.proc;
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }
}

const FAST_GOSSIP = `gossip_lan {
  probe_interval  = "200ms"
  probe_timeout   = "100ms"
  suspicion_mult  = 3
  gossip_interval = "100ms"
}
`;

/** GET a JSON-ish text with a hard deadline; undefined on any failure. */
async function getText(url: string, timeoutMs: number): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ServerSet {
  readonly slots: ServerSlot[];
  readonly raftMultiplier: number;
  private readonly configFile: string;
  private readonly logLevel: string;
  private readonly extraArgs: readonly string[];

  private constructor(
    private readonly dir: { path: string; remove(): void },
    slots: ServerSlot[],
    opts: ServerSetOptions,
  ) {
    this.slots = slots;
    this.raftMultiplier = opts.raftMultiplier ?? 5;
    this.logLevel = opts.logLevel ?? 'info';
    this.extraArgs = opts.args ?? [];
    this.configFile = path.join(dir.path, 'servers.hcl');
    const hcl = `performance {\n  raft_multiplier = ${this.raftMultiplier}\n}\n${opts.fastGossip === false ? '' : FAST_GOSSIP}${opts.extraHcl ?? ''}`;
    writeFileSync(this.configFile, hcl);
  }

  /** Allocates ports and data dirs (nothing is started yet). */
  static async create(opts: ServerSetOptions = {}): Promise<ServerSet> {
    const dir = tmpDir('consul-ts-servers-');
    const slots: ServerSlot[] = [];
    for (let i = 1; i <= (opts.count ?? 3); i++) {
      const dataDir = path.join(dir.path, `s${i}`);
      mkdirSync(dataDir, { recursive: true });
      slots.push(new ServerSlot(`s${i}`, await allocatePorts(), dataDir));
    }
    return new ServerSet(dir, slots, opts);
  }

  slot(name: string): ServerSlot {
    const s = this.slots.find((x) => x.name === name);
    if (s === undefined) throw new Error(`no server ${name}`);
    return s;
  }

  alive(): ServerSlot[] {
    return this.slots.filter((s) => s.running);
  }

  byRpcAddr(addr: string): ServerSlot | undefined {
    return this.slots.find((s) => s.rpcAddr === addr);
  }

  async startAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.start(s)));
  }

  /** Starts (or restarts) a server with its own data dir and ports; does not wait for anything. */
  async start(slot: ServerSlot): Promise<void> {
    if (slot.running) throw new Error(`${slot.name} is already running`);
    if (slot.agent !== undefined) slot.pastOutput += slot.agent.output;
    const first = this.slots[0] as ServerSlot;
    slot.agent = await TestAgent.start({
      dev: false,
      dataDir: slot.dataDir,
      ports: slot.ports,
      waitForLeader: false,
      args: [
        `-node=${slot.name}`,
        '-server',
        `-bootstrap-expect=${this.slots.length}`,
        `-retry-join=127.0.0.1:${first.ports.serfLan}`,
        '-retry-interval=1s',
        `-config-file=${this.configFile}`,
        `-log-level=${this.logLevel}`,
        ...this.extraArgs,
      ],
    });
  }

  /** Empties a stopped server's data dir: it comes back as a new server (new node ID). */
  wipe(slot: ServerSlot): void {
    if (slot.running) throw new Error(`${slot.name} is running`);
    rmSync(slot.dataDir, { recursive: true, force: true });
    mkdirSync(slot.dataDir, { recursive: true });
  }

  /**
   * A stopped server's slot is taken by a new machine of the same name: empty data dir (a new
   * node ID) and new ports, so gossip sees the name at a new address. Returns the new slot.
   */
  async replace(slot: ServerSlot): Promise<ServerSlot> {
    if (slot.running) throw new Error(`${slot.name} is running`);
    this.wipe(slot);
    const fresh = new ServerSlot(slot.name, await allocatePorts(), slot.dataDir);
    fresh.pastOutput = slot.pastOutput + (slot.agent?.output ?? '');
    this.slots[this.slots.indexOf(slot)] = fresh;
    return fresh;
  }

  /** kill -9 the server's process group and wait for it to exit. */
  async kill9(slot: ServerSlot): Promise<void> {
    await slot.agent?.kill9();
  }

  /** Stops every running server (SIGTERM, SIGKILL after graceMs) and removes the data dirs. */
  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all(this.slots.map((s) => s.agent?.stop('SIGTERM', graceMs)));
    this.dir.remove();
  }

  /** The leader's RPC address as `slot` sees it ('' = none known); undefined if it did not answer. */
  async leaderSeenBy(slot: ServerSlot, timeoutMs = 1_000): Promise<string | undefined> {
    const r = await getText(`${slot.url}/v1/status/leader`, timeoutMs);
    if (r === undefined || r.status !== 200) return undefined;
    try {
      const v = JSON.parse(r.text) as unknown;
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** The leader according to the first running server that names one. */
  async findLeader(): Promise<ServerSlot | undefined> {
    for (const s of this.alive()) {
      const addr = await this.leaderSeenBy(s);
      const leader = addr ? this.byRpcAddr(addr) : undefined;
      if (leader?.running) return leader;
    }
    return undefined;
  }

  /** Waits until every running server names the same running leader (not `exclude`). */
  async waitCommonLeader(timeoutMs: number, exclude?: ServerSlot): Promise<ServerSlot> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const alive = this.alive();
      const seen = await Promise.all(alive.map((s) => this.leaderSeenBy(s)));
      last = alive.map((s, i) => `${s.name}->${seen[i] ?? '?'}`).join(' ');
      const first = seen[0];
      const leader = first ? this.byRpcAddr(first) : undefined;
      if (leader?.running && leader !== exclude && seen.every((x) => x === first)) return leader;
      if (Date.now() > deadline) throw new Error(`no common leader within ${timeoutMs}ms: ${last}\n${this.logTails()}`);
      await sleep(50);
    }
  }

  /** The last lines of every server's log. */
  logTails(lines = 30): string {
    return this.slots.map((s) => `---- ${s.name} ----\n${(s.pastOutput + (s.agent?.output ?? '')).split('\n').slice(-lines).join('\n')}`).join('\n');
  }
}

/** PUT a value through a server; true when it answered "true" within the deadline. */
export async function tryPut(slot: ServerSlot, key: string, value: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const res = await fetch(`${slot.url}/v1/kv/${key}`, { method: 'PUT', body: value, signal: AbortSignal.timeout(timeoutMs) });
    return res.status === 200 && (await res.text()).trim() === 'true';
  } catch {
    return false;
  }
}

/** A raw value read (?raw plus `query`), undefined on any failure or non-200. */
export async function tryGetRaw(slot: ServerSlot, key: string, query = '', timeoutMs = 2_000): Promise<string | undefined> {
  const r = await getText(`${slot.url}/v1/kv/${key}?raw${query ? `&${query}` : ''}`, timeoutMs);
  return r?.status === 200 ? r.text : undefined;
}

export interface RaftServerRow {
  readonly ID: string;
  readonly Node: string;
  readonly Address: string;
  readonly Leader: boolean;
  readonly Voter: boolean;
}

/** The Raft configuration as `slot` (forwarding to its leader) reports it; undefined on failure. */
export async function raftConfiguration(slot: ServerSlot, timeoutMs = 2_000): Promise<RaftServerRow[] | undefined> {
  const r = await getText(`${slot.url}/v1/operator/raft/configuration`, timeoutMs);
  if (r?.status !== 200) return undefined;
  return (JSON.parse(r.text) as { Servers: RaftServerRow[] }).Servers;
}

/**
 * Sets autopilot's ServerStabilizationTime through `slot` (it lands on the leader). Needed after
 * every leader change: this implementation keeps autopilot settings per server process, where
 * Consul replicates them through Raft.
 */
export async function setStabilizationTime(slot: ServerSlot, duration: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const res = await fetch(`${slot.url}/v1/operator/autopilot/configuration`, {
      method: 'PUT',
      body: JSON.stringify({ CleanupDeadServers: true, ServerStabilizationTime: duration }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.status === 200 && (await res.text()).trim() === 'true';
  } catch {
    return false;
  }
}

/** Waits until the Raft configuration has every slot as a voter; returns the ms it took. */
export async function waitAllVoters(set: ServerSet, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  let last = '';
  for (;;) {
    for (const s of set.alive()) {
      const rows = await raftConfiguration(s, 1_000);
      if (rows === undefined) continue;
      last = rows.map((r) => `${r.Node}${r.Voter ? '' : '(learner)'}`).join(',');
      const voters = new Set(rows.filter((r) => r.Voter).map((r) => r.Node));
      if (set.slots.every((x) => voters.has(x.name))) return Date.now() - t0;
      break;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`not every server is a voter within ${timeoutMs}ms: ${last}\n${set.logTails()}`);
    await sleep(100);
  }
}
