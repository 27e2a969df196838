// A small multi-agent cluster for integration tests: one bootstrapped server and N client agents,
// each a real `consul agent` process on 127.0.0.1 with its own free ports and data dir, joined over
// the LAN gossip pool. Fast gossip timings (a config file on every agent) keep failure detection
// to a second or two. Every process is stopped by PID (process group) through TestAgent.
// MUST: every wait here is bounded; callers stop the cluster in a finally/after hook.
import dgram from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dnsPacket, { type Packet, type RecordType } from 'dns-packet';
import { TestAgent, runCli, type AgentPorts } from './test-agent.js';
import { tmpDir } from './tmp-dir.js';

/** Consul's gossip_lan block: probe every 200 ms, so a dead agent is failed in about 1-3 s. */
export const FAST_GOSSIP_HCL = `gossip_lan {
  probe_interval  = "200ms"
  probe_timeout   = "100ms"
  suspicion_mult  = 3
  gossip_interval = "100ms"
}
`;

export interface ApiResult {
  status: number;
  text: string;
  headers: Headers;
  json<T>(): T;
}

/** One HTTP call against an agent's API. */
export async function api(agent: TestAgent, method: string, p: string, body?: unknown): Promise<ApiResult> {
  const res = await fetch(`${agent.url}${p}`, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: <T>() => JSON.parse(text) as T };
}

/** Poll `fn` until it returns true; fail with `what` (and the last detail) after `timeoutMs`. */
export async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000, stepMs = 100): Promise<number> {
  const start = Date.now();
  let lastError = '';
  for (;;) {
    try {
      if (await fn()) return Date.now() - start;
      lastError = '';
    } catch (e) {
      // The agent may be restarting or not listening yet: keep polling until the deadline.
      lastError = (e as Error).message;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs}ms waiting for: ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

let dnsId = 0;

/** One UDP DNS question to 127.0.0.1:port; undefined when nothing answers within 2 s. */
export function dnsAsk(port: number, name: string, type: RecordType = 'SRV'): Promise<Packet | undefined> {
  dnsId = (dnsId + 1) & 0xffff;
  const raw = dnsPacket.encode({ type: 'query', id: dnsId, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => (s.close(), resolve(undefined)), 2000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(dnsPacket.decode(m));
    });
    s.send(raw, port, '127.0.0.1');
  });
}

/** The SRV answers for `name` as sorted "target:port" strings ([] for NXDOMAIN or no answer). */
export async function srvTargets(port: number, name: string): Promise<string[]> {
  const p = await dnsAsk(port, name, 'SRV');
  if (!p) throw new Error(`no DNS answer from port ${port} for ${name}`);
  return (p.answers ?? [])
    .filter((a) => a.type === 'SRV')
    .map((a) => {
      const d = (a as { data: { target: string; port: number } }).data;
      return `${d.target}:${d.port}`;
    })
    .sort();
}

export interface MemberRow {
  node: string;
  address: string;
  status: string;
  type: string;
}

/** `consul members` against an agent, parsed into rows (throws on a non-zero exit). */
export async function cliMembers(agent: TestAgent): Promise<MemberRow[]> {
  const r = await runCli(['members', `-http-addr=${agent.addr}`]);
  if (r.code !== 0) throw new Error(`consul members exited ${r.code}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return lines.slice(1).map((l) => {
    const [node = '', address = '', status = '', type = ''] = l.trim().split(/\s+/);
    return { node, address, status, type };
  });
}

export interface ClusterNode {
  readonly name: string;
  readonly server: boolean;
  readonly dataDir: string;
  agent: TestAgent;
}

/** One server and named clients, sharing a temp dir and the fast gossip config. */
export class Cluster {
  readonly nodes = new Map<string, ClusterNode>();
  private readonly dir = tmpDir('consul-ts-cluster-');
  private readonly configFile: string;

  constructor() {
    this.configFile = path.join(this.dir.path, 'gossip.hcl');
    writeFileSync(this.configFile, FAST_GOSSIP_HCL);
  }

  get server(): ClusterNode {
    for (const n of this.nodes.values()) if (n.server) return n;
    throw new Error('cluster has no server');
  }

  node(name: string): ClusterNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no cluster node ${name}`);
    return n;
  }

  agent(name: string): TestAgent {
    return this.node(name).agent;
  }

  /** A `-server -bootstrap` agent with a data dir; resolves once it is leader. */
  async startServer(name: string): Promise<ClusterNode> {
    const dataDir = this.dataDirFor(name);
    const agent = await TestAgent.start({ dev: false, dataDir, waitForLeader: false, args: this.args(name, ['-server', '-bootstrap']) });
    return this.track({ name, server: true, dataDir, agent });
  }

  /** A client agent that retry-joins the server's LAN port; resolves once it sees a leader through its server. */
  async startClient(name: string, ports?: AgentPorts): Promise<ClusterNode> {
    const dataDir = this.dataDirFor(name);
    const join = `-retry-join=127.0.0.1:${this.server.agent.ports.serfLan}`;
    const agent = await TestAgent.start({ dev: false, dataDir, waitForLeader: false, ...(ports ? { ports } : {}), args: this.args(name, [join]) });
    return this.track({ name, server: false, dataDir, agent });
  }

  /** Record the node before waiting on it, so stop() reaches the process even if the wait fails. */
  private async track(n: ClusterNode): Promise<ClusterNode> {
    this.nodes.set(n.name, n);
    await n.agent.waitForLeader();
    return n;
  }

  /** Start a stopped client again with the same data dir, node name and ports. */
  async restartClient(name: string): Promise<ClusterNode> {
    const old = this.node(name);
    return this.startClient(name, old.agent.ports);
  }

  /** Stop every agent still running (SIGTERM, SIGKILL after 5 s) and remove the temp dir. */
  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.agent.stop('SIGTERM', 5_000)));
    this.dir.remove();
  }

  /** The last lines of every agent's log, for a failure message. */
  logTails(lines = 40): string {
    return [...this.nodes.values()].map((n) => `---- ${n.name} ----\n${n.agent.output.split('\n').slice(-lines).join('\n')}`).join('\n');
  }

  private dataDirFor(name: string): string {
    const d = path.join(this.dir.path, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  private args(name: string, extra: string[]): string[] {
    return [`-node=${name}`, `-config-file=${this.configFile}`, ...extra];
  }
}
