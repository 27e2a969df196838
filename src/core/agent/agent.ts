// The agent: owns the config, starts the server role (with -server), the HTTP API and DNS, and
// handles signals, leave and shutdown (Consul: agent/agent.go, command/agent/agent.go).
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadRuntimeConfig, type RuntimeConfig, type SourceSpec } from '../config/index.js';
import { DnsServer } from '../dns/server.js';
import { dnsOptionsFromConfig } from '../dns/config.js';
import { HttpError } from '../errors.js';
import { ApiDeps, HttpApi, type AgentFacade, type Member } from '../http/index.js';
import { Server } from '../server/index.js';
import { Logger, stdoutSink } from '../support/logger.js';
import { BUILD_DATE, CONSUL_API_VERSION, REVISION } from '../version.js';
import { banner } from './banner.js';
import { resolveNodeId } from './node-id.js';
import { getNode, nodeChecks, nodeServices } from '../state/catalog.js';
import { DEFAULT_OUTPUT_MAX_BYTES, systemTimers } from '../checks/index.js';
import { AntiEntropy, type CatalogPort, type NodeInfo } from './anti-entropy.js';
import { definitionsFromConfig } from './definitions.js';
import { LocalAgent } from './local-agent.js';
import { UserEvents } from './events.js';
import { RemoteExec } from './remote-exec.js';
import { AgentWatches, httpWatchTransport, planClientConfig, type AgentWatch } from '../watch/index.js';
import type { ClientConfig } from '../client/index.js';

export class Agent implements AgentFacade {
  server: Server | undefined;
  private http: HttpApi | undefined;
  private dns: DnsServer | undefined;
  private readonly log: Logger;
  /** The agent's own services and checks, synced to the catalog by anti-entropy. */
  readonly local: LocalAgent;
  /** User events fired here (and, with gossip, received); `watches` of type event read them. */
  readonly events: UserEvents;
  /** Runs `consul exec` jobs when `disable_remote_exec` is false (Consul's default: disabled). */
  private readonly remoteExec: RemoteExec;
  /** The `watches` of the config, run against this agent's HTTP API. */
  private watches: AgentWatches | undefined;
  private antiEntropy: AntiEntropy | undefined;
  private shuttingDown = false;
  private exitCode = 0;
  private resolveExit!: (code: number) => void;
  readonly exited = new Promise<number>((r) => (this.resolveExit = r));

  constructor(
    readonly config: RuntimeConfig,
    readonly nodeId: string,
  ) {
    this.log = new Logger(stdoutSink, config.logLevel);
    this.local = new LocalAgent({
      nodeName: config.nodeName,
      dataDir: config.dataDir,
      enableScriptChecks: config.enableScriptChecks,
      enableLocalScriptChecks: config.enableLocalScriptChecks,
      outputMaxBytes: config.file.check_output_max_size ?? DEFAULT_OUTPUT_MAX_BYTES,
      timers: systemTimers,
      logger: this.log.named('agent'),
    });
    this.remoteExec = new RemoteExec({ nodeName: () => config.nodeName, server: () => this.server, logger: this.log.named('agent') });
    this.events = new UserEvents({
      nodeName: () => config.nodeName,
      localServices: () => this.local.state.services().map((s) => s.service),
      logger: this.log.named('agent'),
      onRemoteExec: (e) => {
        if (config.file.disable_remote_exec ?? true) {
          this.log.named('agent').info(`ignoring remote exec event, disabled.: event_name=${e.Name} event_id=${e.ID}`);
          return;
        }
        this.remoteExec.handle(e);
      },
    });
  }

  async start(): Promise<void> {
    const c = this.config;
    if (c.server) {
      this.server = new Server({ config: c, nodeId: this.nodeId, logger: this.log });
      await this.server.start();
      this.log.info(`consul server started: node=${c.nodeName} id=${this.nodeId}`);
    } else {
      this.log.warn('client mode: no servers are known yet (joining servers arrives with gossip)');
    }
    await this.startLocalState();
    if (c.ports.http > 0) {
      this.http = new HttpApi(new ApiDeps(this), this.log.named('http'));
      await this.http.listen(c.clientAddrs, c.ports.http);
      for (const a of c.clientAddrs) this.log.info(`Started HTTP server: address=${a}:${c.ports.http} network=tcp`);
    }
    if (c.ports.dns > 0) {
      this.dns = new DnsServer(dnsOptionsFromConfig(c), () => this.server, this.log.named('dns'));
      const addr = c.clientAddrs[0] ?? '127.0.0.1';
      await this.dns.listen(addr, c.ports.dns);
      this.log.info(`Started DNS server: address=${addr}:${c.ports.dns} network=udp`);
    }
    this.startWatches(c.watches);
    this.log.info('Consul agent running!');
  }

  /** Consul: reloadWatches. Plans use the API, so they need the HTTP listener. */
  private startWatches(watches: readonly AgentWatch[]): void {
    if (!this.watches) {
      if (watches.length === 0) return;
      if (this.config.ports.http <= 0) throw new Error('watch plans require an HTTP or HTTPS endpoint');
      const base = localClientConfig(this.config);
      this.watches = new AgentWatches({ transport: (spec) => httpWatchTransport(planClientConfig(base, spec)), logger: this.log.named('watch') });
    }
    this.watches.replace(watches);
  }

  /** Load config and persisted services/checks, then start syncing them to the catalog. */
  private async startLocalState(): Promise<void> {
    await this.local.start(definitionsFromConfig(this.config.file));
    this.antiEntropy = new AntiEntropy({
      state: this.local.state,
      catalog: () => this.catalogPort(),
      nodeInfo: () => this.nodeInfo(),
      timers: systemTimers,
      isServer: this.config.server,
      logger: this.log.named('agent.anti_entropy'),
    });
    this.antiEntropy.start();
  }

  private catalogPort(): CatalogPort | undefined {
    const server = this.server;
    if (!server) return undefined;
    return {
      read: (node) => ({ node: getNode(server.store, node), services: nodeServices(server.store, node), checks: nodeChecks(server.store, node) }),
      apply: (cmd) => server.apply(cmd),
    };
  }

  /** The node as the agent registers it; the same fields the leader registers (server/leader.ts). */
  private nodeInfo(): NodeInfo {
    const c = this.config;
    const addr = c.advertiseAddr;
    return {
      ID: this.nodeId,
      Node: c.nodeName,
      Address: addr,
      Datacenter: c.datacenter,
      TaggedAddresses: { lan: addr, lan_ipv4: addr, wan: addr, wan_ipv4: addr },
      NodeMeta: { 'consul-network-segment': '', 'consul-version': CONSUL_API_VERSION, ...c.nodeMeta },
    };
  }

  syncChanges(): Promise<void> {
    return this.antiEntropy?.syncNow() ?? Promise.resolve();
  }

  self(): Record<string, unknown> {
    const c = this.config;
    const server = this.server;
    return {
      Config: {
        Datacenter: c.datacenter,
        PrimaryDatacenter: c.primaryDatacenter,
        NodeName: c.nodeName,
        NodeID: this.nodeId,
        Partition: '',
        Revision: REVISION,
        Server: c.server,
        Version: CONSUL_API_VERSION,
        BuildDate: BUILD_DATE,
      },
      DebugConfig: {
        Datacenter: c.datacenter,
        NodeName: c.nodeName,
        NodeID: this.nodeId,
        DataDir: c.dataDir,
        DevMode: c.devMode,
        ServerMode: c.server,
        Bootstrap: c.bootstrap,
        BootstrapExpect: c.bootstrapExpect,
        BindAddr: c.bindAddr,
        AdvertiseAddrLAN: c.advertiseAddr,
        ClientAddrs: c.clientAddrs,
        HTTPPort: c.ports.http,
        DNSPort: c.ports.dns,
        SerfPortLAN: c.ports.serfLan,
        SerfPortWAN: c.ports.serfWan,
        ServerPort: c.ports.server,
        DNSDomain: c.domain,
        LogLevel: c.logLevel.toUpperCase(),
        PidFile: c.pidFile,
        KVMaxValueSize: c.kvMaxValueSize,
        TxnMaxReqLen: c.txnMaxReqLen,
        EnableScriptChecks: c.enableScriptChecks,
        EnableLocalScriptChecks: c.enableLocalScriptChecks,
      },
      Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 },
      Member: this.localMember(),
      Stats: this.stats(),
      Meta: { 'consul-network-segment': '', 'consul-version': CONSUL_API_VERSION, ...c.nodeMeta },
      xDS: { SupportedProxies: {}, Port: -1, Ports: { Plaintext: -1, TLS: -1 } },
    };
  }

  private stats(): Record<string, Record<string, string>> {
    const s = this.server;
    const c = this.config;
    const local = this.local.stats();
    const stats: Record<string, Record<string, string>> = {
      agent: {
        check_monitors: String(local.checkMonitors),
        check_ttls: String(local.checkTtls),
        checks: String(local.checks),
        services: String(local.services),
      },
      build: { prerelease: '', revision: REVISION, version: CONSUL_API_VERSION, version_metadata: '' },
      runtime: {
        arch: process.arch === 'x64' ? 'amd64' : process.arch,
        cpu_count: String(os.cpus().length),
        goroutines: '0',
        max_procs: String(os.cpus().length),
        os: process.platform,
        version: process.version,
      },
    };
    if (s) {
      stats.consul = {
        acl: 'disabled',
        bootstrap: String(c.bootstrap || c.bootstrapExpect === 1),
        known_datacenters: '1',
        leader: String(s.isLeader()),
        leader_addr: s.leaderAddr(),
        server: 'true',
      };
      stats.raft = s.raftStats();
    } else {
      stats.consul = { acl: 'disabled', known_servers: '0', server: 'false' };
    }
    return stats;
  }

  private localMember(): Member {
    const c = this.config;
    const tags: Record<string, string> = {
      build: `${CONSUL_API_VERSION}:${REVISION}`,
      dc: c.datacenter,
      id: this.nodeId,
      role: c.server ? 'consul' : 'node',
      segment: '',
      vsn: '2',
      vsn_max: '3',
      vsn_min: '2',
    };
    if (c.server) {
      Object.assign(tags, { port: String(c.ports.server), raft_vsn: '3', expect: String(c.bootstrapExpect), wan_join_port: String(c.ports.serfWan) });
      if (c.bootstrap) tags.bootstrap = '1';
    }
    return {
      Name: c.nodeName,
      Addr: c.advertiseAddr,
      Port: c.ports.serfLan,
      Tags: tags,
      Status: 1,
      ProtocolMin: 1,
      ProtocolMax: 5,
      ProtocolCur: 2,
      DelegateMin: 2,
      DelegateMax: 5,
      DelegateCur: 4,
    };
  }

  members(wan: boolean): Member[] {
    if (wan && !this.config.server) return [];
    const m = this.localMember();
    return [wan ? { ...m, Name: `${m.Name}.${this.config.datacenter}`, Port: this.config.ports.serfWan } : m];
  }

  async leave(): Promise<void> {
    this.log.info('Gracefully shutting down agent...');
    // Answer the HTTP request first, then stop (Consul: the leave endpoint triggers shutdown).
    setTimeout(() => void this.shutdown(0), 50);
  }

  async join(addr: string, _wan: boolean): Promise<number> {
    const [host, port] = splitHostPort(addr, this.config.ports.serfLan);
    const err = await tryConnect(host, port);
    if (err) throw new HttpError(500, `1 error occurred:\n\t* Failed to join ${host}: dial tcp ${host}:${port}: ${err}\n\n`);
    throw new HttpError(500, `1 error occurred:\n\t* Failed to join ${host}: gossip (serf) is not available in this version of consul-ts yet\n\n`);
  }

  async reload(): Promise<void> {
    // Re-read and validate every source; services, checks and watches that reload applies
    // arrive with service discovery. A broken file fails the reload and keeps the running config.
    let next: RuntimeConfig;
    try {
      next = await loadRuntimeConfig(this.config.sources);
    } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(500, `Failed reloading config: ${err.message}`);
      throw err;
    }
    this.log.info('Reloading configuration...');
    // Config-defined services and checks follow the files; API-registered ones stay.
    try {
      await this.local.loadConfig(definitionsFromConfig(next.file));
    } catch (err) {
      throw new HttpError(500, `Failed reloading services: ${(err as Error).message}`);
    }
    this.antiEntropy?.triggerFull();
    try {
      this.startWatches(next.watches);
    } catch (err) {
      throw new HttpError(500, `Failed reloading watches: ${(err as Error).message}`);
    }
  }

  async shutdown(code: number): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.exitCode = code;
    this.log.info('Requesting shutdown');
    this.antiEntropy?.stop();
    this.watches?.stop(true);
    await this.local.stop();
    await this.http?.close();
    this.dns?.close();
    if (this.server) {
      await this.server.stop();
      this.log.info('consul server down');
    }
    if (this.config.pidFile) await fs.rm(this.config.pidFile, { force: true });
    this.log.info('shutdown complete');
    this.resolveExit(this.exitCode);
  }
}

/** How the agent's own watches reach its HTTP API (Consul: RuntimeConfig.APIConfig). */
function localClientConfig(c: RuntimeConfig): ClientConfig {
  let host = c.clientAddrs[0] ?? '127.0.0.1';
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  const address = host.includes(':') ? `[${host}]:${c.ports.http}` : `${host}:${c.ports.http}`;
  return { scheme: 'http', address, pathPrefix: '', token: '', datacenter: '', tls: { insecureSkipVerify: false } };
}

function splitHostPort(addr: string, dflt: number): [string, number] {
  const m = /^\[(.+)\]:(\d+)$/.exec(addr) ?? /^([^:]+):(\d+)$/.exec(addr);
  if (m) return [m[1] as string, Number(m[2])];
  return [addr, dflt];
}

function tryConnect(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, timeout: 3000 });
    sock.once('connect', () => {
      sock.destroy();
      resolve(undefined);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve('i/o timeout');
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message));
  });
}

/** `consul agent`: load config, start, run until a signal or a leave; returns the exit code. */
export async function runAgent(spec: SourceSpec): Promise<number> {
  let config: RuntimeConfig;
  let nodeId: string;
  try {
    config = await loadRuntimeConfig(spec);
    if (config.dataDir) await fs.mkdir(config.dataDir, { recursive: true });
    nodeId = await resolveNodeId(config.nodeId, config.dataDir);
  } catch (err) {
    process.stderr.write(`==> ${(err as Error).message}\n`);
    return 1;
  }
  if (config.pidFile) {
    await fs.mkdir(path.dirname(config.pidFile), { recursive: true });
    await fs.writeFile(config.pidFile, String(process.pid));
  }
  process.stdout.write(banner(config, nodeId));
  const agent = new Agent(config, nodeId);
  try {
    await agent.start();
  } catch (err) {
    process.stderr.write(`==> Error starting agent: ${(err as Error).message}\n`);
    await agent.shutdown(1);
    return 1;
  }
  const onSignal = (name: string) => () => {
    process.stdout.write(`==> Caught signal: ${name}\n`);
    void agent.shutdown(0);
  };
  process.on('SIGINT', onSignal('interrupt'));
  process.on('SIGTERM', onSignal('terminated'));
  process.on('SIGHUP', () => {
    process.stdout.write('==> Caught signal: hangup\n');
    agent.reload().catch((err: unknown) => process.stdout.write(`==> Failed to reload configs: ${(err as Error).message}\n`));
  });
  return agent.exited;
}
