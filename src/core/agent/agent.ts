// The agent: owns the config, starts the server role (with -server), the HTTP API and DNS, and
// handles signals, leave and shutdown (Consul: agent/agent.go, command/agent/agent.go).
import type { ExecuteResponse } from '../query/execute.js';
import { newCoordinate, type Coordinate } from '../gossip/serf/coordinate.js';
import { promises as fs } from 'node:fs';
import { ConfigError, loadRuntimeConfig, type RuntimeConfig } from '../config/index.js';
import { DnsServer } from '../dns/server.js';
import { dnsOptionsFromConfig } from '../dns/config.js';
import { HttpError } from '../errors.js';
import { ApiDeps, HttpApi, type AgentFacade, type Member } from '../http/index.js';
import { Server } from '../server/index.js';
import type { ReconcileMember } from '../server/reconcile.js';
import { Logger, stdoutSink, type LogSink } from '../support/logger.js';
import { CONSUL_API_VERSION } from '../version.js';
import { DEFAULT_OUTPUT_MAX_BYTES, systemTimers } from '../checks/index.js';
import { AntiEntropy, type NodeInfo } from './anti-entropy.js';
import { definitionsFromConfig } from './definitions.js';
import { LocalAgent } from './local-agent.js';
import { UserEvents } from './events.js';
import { RemoteExec } from './remote-exec.js';
import { AgentWatches, httpWatchTransport, planClientConfig, type AgentWatch } from '../watch/index.js';
import type { ClientConfig } from '../client/index.js';
import { RpcClient, RpcServer } from '../rpc/index.js';
import type { KeyringOp, KeyringResult } from '../http/deps.js';
import type { PoolEvent } from '../gossip/net/pool.js';
import type { SerfMember } from '../gossip/serf/index.js';
import { AgentGossip, joinErrorText, toAgentMember } from './gossip.js';
import { ServerRouter } from './router.js';
import { DatacenterRouter } from './wan-router.js';
import { agentSelf } from './self-info.js';
import { CoordinateSync } from './coordinate-sync.js';
import { StateAccess } from './state-access.js';
import { registerServerRpc, ServerCalls, WanCalls } from './server-rpc.js';
import { serverTokenIdentity, setupAcl } from './acl-wiring.js';
import type { AclAgent } from '../http/deps.js';
import { decodeGossipEvent } from './events.js';
import { LogFanout } from '../support/log-fanout.js';
import { startAgentTelemetry } from './agent-telemetry.js';
import { countSerfMemberEvent } from '../telemetry/index.js';
import type { AclResolver } from '../acl/index.js';
import { AuditLog } from '../audit/index.js';
import { incomingTlsOptions, loadAgentTls, outgoingRpcTlsDialer, outgoingRpcTlsEnabled, type AgentTls } from '../tls/index.js';
import { datacenterOfServer, rpcServerTls } from './rpc-tls.js';
import type { ConnectionOptions } from 'node:tls';

const WAN_NEEDS_SERVER = 'Must be a server to join WAN cluster';

export class Agent implements AgentFacade {
  server: Server | undefined;
  private http: HttpApi | undefined;
  /** ACLs on: the token resolver and this agent's own tokens (agent/acl-wiring.ts), e.g. for DNS. */
  acl: AclAgent | undefined;
  /**
   * Tests only: an ACL resolver to use instead of the ACL system's (set before start()), and the
   * default token that forwarded calls then carry. The HTTP API resolves each request's token with
   * the resolver, and DNS answers as resolve(undefined) (the agent's default token, else anonymous).
   */
  aclResolver: AclResolver | undefined;
  aclDefaultToken: (() => string | undefined) | undefined;
  private dns: DnsServer | undefined;
  private readonly log: Logger;
  /** The `audit` block's log, when enabled (src/core/audit). */
  private audit: AuditLog | undefined;
  /** /v1/agent/monitor clients tap the agent's logger here (support/log-fanout.ts). */
  readonly logStreams: { readonly fanout: LogFanout; readonly logger: Logger };
  private stopTelemetry: (() => void) | undefined;
  /** The agent's own services and checks, synced to the catalog by anti-entropy. */
  readonly local: LocalAgent;
  /** User events fired here (and, with gossip, received); `watches` of type event read them. */
  readonly events: UserEvents;
  /** Runs `consul exec` jobs when `disable_remote_exec` is false (Consul's default: disabled). */
  private readonly remoteExec: RemoteExec;
  /** The `watches` of the config, run against this agent's HTTP API. */
  private watches: AgentWatches | undefined;
  private antiEntropy: AntiEntropy | undefined;
  /** LAN (and, on servers, WAN) gossip. */
  readonly gossip: AgentGossip;
  /** Servers: the RPC port clients and other servers call. */
  private rpcServer: RpcServer | undefined;
  /** Connections to servers (clients forward through it). */
  private readonly rpcClient = new RpcClient();
  /** Clients: which server to ask, learnt from LAN gossip. */
  private readonly router: ServerRouter;
  private readonly calls: ServerCalls;
  private readonly access: StateAccess;
  private shuttingDown = false;
  /** Set by a graceful leave; a signal that finds it set does not leave again. */
  private leftGracefully = false;
  private exitCode = 0;
  private resolveExit!: (code: number) => void;
  readonly exited = new Promise<number>((r) => (this.resolveExit = r));

  constructor(
    readonly config: RuntimeConfig,
    readonly nodeId: string,
    /** Where log lines go: stdout, plus syslog with enable_syslog (agent/run.ts). */
    logSink: LogSink = stdoutSink,
    /** The certificates of the `tls` config, when already loaded (agent/run.ts); else read at start. */
    private tls?: AgentTls,
  ) {
    const fanout = new LogFanout();
    this.log = new Logger(logSink, config.logLevel, 'agent', fanout);
    this.logStreams = { fanout, logger: this.log };
    this.local = new LocalAgent({
      nodeName: config.nodeName,
      dataDir: config.dataDir,
      enableScriptChecks: config.enableScriptChecks,
      enableLocalScriptChecks: config.enableLocalScriptChecks,
      outputMaxBytes: config.file.check_output_max_size ?? DEFAULT_OUTPUT_MAX_BYTES,
      timers: systemTimers,
      logger: this.log.named('agent'),
    });
    this.gossip = new AgentGossip(config, nodeId, this.log);
    this.router = new ServerRouter(this.rpcClient, config.datacenter, this.log.named('agent.router'));
    this.calls = new ServerCalls(this.router);
    this.access = new StateAccess({ server: () => this.server, router: this.router, calls: this.calls, rpcClient: this.rpcClient, nodeName: config.nodeName });
    this.remoteExec = new RemoteExec({ nodeName: () => config.nodeName, kv: () => this.access.remoteExecKv(), logger: this.log.named('agent') });
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
    this.stopTelemetry = startAgentTelemetry(this);
    const tls = this.tls ?? (this.tls = await loadAgentTls(c.tls));
    // Consul: tlsutil OutgoingRPCWrapper: with verify_outgoing every dial to a server (client to
    // server, server to server, Raft included) is TLS.
    this.rpcClient.useTls(this.outgoingTls(tls, c));
    if (c.server) {
      const rpcTls = rpcServerTls(tls, c);
      const rpc = new RpcServer({ logger: this.log.named('rpc'), maxConnsPerClient: c.limits.rpcMaxConnsPerClient, ...(rpcTls ? { tls: rpcTls } : {}) });
      this.server = new Server({ config: c, nodeId: this.nodeId, logger: this.log, rpcServer: rpc, rpcClient: this.rpcClient });
      await this.startRpcServer(rpc, this.server);
      try {
        await this.server.start();
      } catch (err) {
        // Consul: agent.go makes the server in these words (`Failed to start Consul server: ...`).
        throw new Error(`Failed to start Consul server: ${(err as Error).message}`);
      }
      this.log.info(`consul server started: node=${c.nodeName} id=${this.nodeId}`);
    }
    await this.startGossip();
    await this.startLocalState();
    this.acl = await setupAcl({ config: c, server: this.server, remote: (secret) => this.calls.aclResolve(secret), log: this.log });
    if (c.ports.http > 0 || c.ports.https > 0) {
      const deps = new ApiDeps(this);
      const acl = this.acl;
      deps.acl = this.aclResolver ?? acl?.resolver;
      deps.aclAgent = acl;
      // A forwarded call without a token carries this agent's default token (else anonymous).
      deps.defaultToken = this.aclDefaultToken ?? (acl ? () => acl.resolver.effectiveSecret(undefined) : undefined);
      if (!c.server) deps.forwarder = (req, timeoutMs) => this.calls.forwardHttp(req, timeoutMs);
      else {
        deps.leaderForwarder = (req, timeoutMs) => this.access.forwardToLeader(req, timeoutMs);
        deps.dcForwarder = (dc, req, timeoutMs) => this.wanCalls().forwardHttp(dc, req, timeoutMs);
      }
      if (c.audit.enabled) deps.audit = this.audit = new AuditLog(c.audit, this.log.named('audit'), () => deps.acl);
      this.http = new HttpApi(deps, this.log.named('http'));
      if (c.ports.http > 0) {
        await this.http.listen(c.clientAddrs, c.ports.http);
        for (const a of c.clientAddrs) this.log.info(`Started HTTP server: address=${a}:${c.ports.http} network=tcp`);
      }
      if (c.ports.https > 0) {
        await this.http.listenTls(c.httpsAddrs, c.ports.https, incomingTlsOptions(tls.https));
        for (const a of c.httpsAddrs) this.log.info(`Started HTTPS server: address=${a}:${c.ports.https} network=tcp`);
      }
    }
    if (c.ports.dns > 0) {
      this.dns = new DnsServer(dnsOptionsFromConfig(c), () => this.server, this.log.named('dns'));
      if (!c.server) this.dns.handler.remote = (msg, tcp) => this.calls.dns(msg, tcp);
      else {
        this.dns.handler.otherDc = (dc, msg, tcp) => this.wanCalls().dns(dc, msg, tcp);
        this.dns.handler.queries = (name) => this.executeQueryForDns(name);
      }
      const dnsAcl = this.aclResolver ?? this.acl?.resolver;
      if (dnsAcl?.enabled) this.dns.handler.identity = () => dnsAcl.resolve(undefined);
      const addr = c.clientAddrs[0] ?? '127.0.0.1';
      await this.dns.listen(addr, c.ports.dns);
      this.log.info(`Started DNS server: address=${addr}:${c.ports.dns} network=udp`);
    }
    this.startWatches(c.watches);
    this.coordinateSync = new CoordinateSync({
      intervalMinMs: c.syncCoordinateIntervalMinMs,
      rateTarget: c.syncCoordinateRateTarget,
      members: () => this.gossip.members(false).length,
      coordinate: () => this.gossip.coordinate(false),
      send: (coord) => this.sendCoordinate(coord),
      log: this.log.named('agent'),
    });
    this.coordinateSync.start();
    await this.gossip.startJoins((msg) => {
      this.log.error(msg);
      void this.shutdown(1);
    });
    this.log.info('Consul agent running!');
  }

  private wan: WanCalls | undefined;
  private coordinateSync: CoordinateSync | undefined;

  /** A prepared query run for DNS through the HTTP API's own path (failover, ACLs, near this agent). */
  private async executeQueryForDns(name: string): Promise<ExecuteResponse | undefined> {
    if (!this.http) throw new Error('the HTTP API is disabled on this server');
    const url = `/v1/query/${encodeURIComponent(name)}/execute?near=_agent`;
    const r = await this.http.serveForwarded({ method: 'GET', url, headers: {}, body: new Uint8Array(0), originNode: this.config.nodeName });
    if (r.status === 404) return undefined;
    const text = Buffer.from(r.body).toString('utf8');
    if (r.status !== 200) throw new Error(text);
    return JSON.parse(text) as ExecuteResponse;
  }

  /** Coordinate.Update: servers queue their own report; client agents send it to a server. */
  private async sendCoordinate(coord: Coordinate): Promise<void> {
    const server = this.server;
    if (server) return server.coordinateUpdates.submit(this.config.nodeName, '', coord);
    const body = Buffer.from(JSON.stringify({ Node: this.config.nodeName, Segment: '', Coord: coord }));
    // Consul sends Coordinate.Update with the agent token (tokens.AgentToken: agent, else default),
    // so the server checks node:write for this node against it, not against its own default.
    const token = this.acl ? this.acl.tokens.get('agent') || this.acl.tokens.get('default') : '';
    const headers: Record<string, string> = token ? { 'x-consul-token': token } : {};
    const r = await this.calls.forwardHttp({ method: 'PUT', url: '/v1/coordinate/update', headers, body, originNode: this.config.nodeName }, 30_000);
    if (r.status !== 200) throw new Error(Buffer.from(r.body).toString('utf8') || `HTTP ${r.status}`);
  }

  /** Servers: calls to other datacenters' servers, found in the WAN pool when each call is made. */
  private wanCalls(): WanCalls {
    this.wan ??= new WanCalls(new DatacenterRouter(this.rpcClient, this.config.datacenter, () => this.gossip.members(true), this.log.named('agent.router')));
    return this.wan;
  }

  /** Servers answer forwarded calls from clients on the server port. */
  private async startRpcServer(rpc: RpcServer, server: Server): Promise<void> {
    const c = this.config;
    if (c.ports.server <= 0) throw new Error('server mode requires a server port (ports.server)');
    registerServerRpc(rpc, {
      server,
      serveHttp: (req) => {
        if (!this.http) throw new Error('the HTTP API is disabled on this server');
        return this.http.serveForwarded(req);
      },
      dns: () => this.dns?.handler,
      aclIdentity: c.acl.enabled ? serverTokenIdentity(server, c.datacenter) : undefined,
    });
    await rpc.listen(c.bindAddr, c.ports.server);
    this.rpcServer = rpc;
  }

  /** Join the LAN (and WAN) pools; membership feeds the router, the leader and user events. */
  private async startGossip(): Promise<void> {
    const server = this.server;
    const onLan = (e: PoolEvent): void => {
      if (e.kind === 'member') countSerfMemberEvent(e.type, e.members.length);
      if (e.kind === 'member') {
        if (server) {
          server.cluster.update(this.gossip.lan.members().map((m) => reconcileView(m)));
          server.memberEvent(e.members.map((m) => reconcileView(m, e.type)));
        } else if (this.router.update(this.gossip.lan.members())) {
          // Consul's ServerUp: a newly found server gets a full sync at once.
          this.antiEntropy?.triggerFull();
        }
      } else if (e.kind === 'user') {
        const event = decodeGossipEvent(e.name, e.payload, e.ltime);
        if (event) this.events.receive(event);
      } else if (e.kind === 'refuted') {
        // Others thought this node suspect, dead or gone: the leader may have marked it critical
        // or deregistered it (with its services) meanwhile, and re-registers only the node and
        // serfHealth when it is back. Re-check the catalog now instead of at the next periodic sync.
        this.log.named('agent.anti_entropy').debug(`node was declared ${e.accusation} and refuted it: full sync soon`);
        this.antiEntropy?.triggerFullStaggered();
      }
    };
    await this.gossip.start(onLan, () => undefined);
    this.events.setBroadcast((name, payload) => this.gossip.lan.userEvent(name, payload, false));
    if (server) {
      server.cluster.update(this.gossip.lan.members().map((m) => reconcileView(m)));
      server.setMemberSource(() => this.gossip.lan.members().map((m) => reconcileView(m)));
    } else this.router.update(this.gossip.lan.members());
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
      catalog: () => this.access.catalogPort(),
      nodeInfo: () => this.nodeInfo(),
      timers: systemTimers,
      isServer: this.config.server,
      logger: this.log.named('agent.anti_entropy'),
    });
    this.antiEntropy.start();
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
    return agentSelf({
      config: this.config,
      nodeId: this.nodeId,
      server: this.server,
      localStats: this.local.stats(),
      coordinate: this.gossip.coordinate(false) ?? newCoordinate(),
      member: this.localMember(),
      wanMembers: this.members(true),
      knownServers: this.router.knownServers(),
      serfLan: this.gossip.lan?.stats(),
      serfWan: this.gossip.wan?.stats(),
    });
  }

  private localMember(): Member {
    return toAgentMember(this.gossip.lan.localMember());
  }

  wanCoordinates(): { name: string; dc: string; coord: Coordinate }[] {
    return this.gossip.wanCoordinates();
  }

  members(wan: boolean): Member[] {
    if (wan && !this.config.server) return [];
    return this.gossip.members(wan);
  }

  /** Consul: the leave endpoint leaves gossip gracefully, answers, then shuts the agent down. */
  async leave(): Promise<void> {
    this.log.info('Gracefully shutting down agent...');
    await this.gracefulLeave();
    setTimeout(() => void this.shutdown(0), 50);
  }

  /** Consul: Agent.Leave / Server.Leave: hand over leadership, leave gossip, wait to be removed. */
  private async gracefulLeave(): Promise<void> {
    if (this.leftGracefully) return;
    await this.server?.prepareLeave();
    await this.gossip.leave();
    this.leftGracefully = true;
    await this.server?.waitRemoved(5_000);
  }

  async join(addr: string, wan: boolean): Promise<number> {
    if (wan && !this.gossip.wan) {
      // Consul agent.go JoinWAN, word for word.
      this.log.warn(`(WAN) couldn't join: number_of_nodes=0 error="${WAN_NEEDS_SERVER}"`);
      throw new HttpError(500, WAN_NEEDS_SERVER);
    }
    const r = await this.gossip.join([addr], wan);
    if (r.contacted === 0) throw new HttpError(500, joinErrorText(r.errors));
    return r.contacted;
  }

  async forceLeave(node: string, prune: boolean, wan: boolean): Promise<void> {
    const pool = wan ? this.gossip.wan : this.gossip.lan;
    if (!pool) throw new HttpError(500, 'agent: WAN pool is only available on servers');
    if (!pool.members().some((m) => m.name === node)) throw new HttpError(500, `agent: No node found with name '${node}'`);
    this.log.info(`agent: Force leaving node: node=${node}`);
    pool.forceLeave(node, prune);
  }

  async keyringOperation(op: KeyringOp, key: string, relayFactor: number): Promise<KeyringResult[]> {
    const pools = [
      ...(this.gossip.wan ? [{ wan: true, pool: this.gossip.wan }] : []),
      { wan: false, pool: this.gossip.lan },
    ];
    const results: KeyringResult[] = [];
    for (const { wan, pool } of pools) {
      let r;
      try {
        r = await pool.keyOperation(op, key, relayFactor);
      } catch (err) {
        throw new HttpError(500, (err as Error).message);
      }
      results.push({
        WAN: wan,
        Datacenter: this.config.datacenter,
        Segment: '',
        Messages: { ...r.response.messages },
        Keys: { ...r.response.keys },
        PrimaryKeys: { ...r.response.primaryKeys },
        NumNodes: r.response.numNodes,
        ...(r.error ? { Error: r.error } : {}),
      });
    }
    return results;
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
    // Consul logs the loader's warnings on every load (auto-config ReadConfig), reload included.
    for (const w of next.warnings) this.log.warn(w);
    this.log.info('Reloading configuration...');
    await this.reloadTls(next);
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

  /**
   * Certificates and verification settings from the reloaded config, for connections made from
   * now on (Consul: reloadConfigInternal, tlsConfigurator.Update). A bad file fails the reload
   * and keeps the running TLS.
   */
  private async reloadTls(next: RuntimeConfig): Promise<void> {
    let tls: AgentTls;
    try {
      tls = await loadAgentTls(next.tls);
    } catch (err) {
      throw new HttpError(500, `Failed reloading tls configuration: ${(err as Error).message}`);
    }
    this.tls = tls;
    this.rpcClient.useTls(this.outgoingTls(tls, next));
    this.rpcServer?.setTls(rpcServerTls(tls, next));
    this.http?.setTls(incomingTlsOptions(tls.https));
  }

  /**
   * TLS for dials to servers when verify_outgoing is set: a server of another datacenter (found in
   * the WAN pool by its RPC address) must be server.<its dc>.<domain>, any other ours.
   */
  private outgoingTls(tls: AgentTls, c: RuntimeConfig): ((addr: string) => ConnectionOptions) | undefined {
    if (!outgoingRpcTlsEnabled(tls)) return undefined;
    const forDc = outgoingRpcTlsDialer(tls, c.domain);
    return (addr) => forDc(datacenterOfServer(addr, this.gossip.members(true)) ?? c.datacenter);
  }

  /** Stop on a signal: leave the cluster first when the config says so. */
  async stop(leave: boolean): Promise<void> {
    if (leave && !this.leftGracefully && !this.shuttingDown) {
      this.log.info('Gracefully shutting down agent...');
      await this.gracefulLeave().catch((err: unknown) => this.log.warn(`leave failed: ${(err as Error).message}`));
    }
    await this.shutdown(0);
  }

  async shutdown(code: number): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.exitCode = code;
    this.log.info('Requesting shutdown');
    this.stopTelemetry?.();
    this.coordinateSync?.stop();
    this.antiEntropy?.stop();
    this.watches?.stop(true);
    await this.local.stop();
    await this.http?.close();
    await this.audit?.close();
    this.dns?.close();
    await this.gossip.shutdown().catch((err: unknown) => this.log.warn(`gossip shutdown: ${(err as Error).message}`));
    await this.rpcServer?.close();
    this.rpcClient.close();
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

/** What the leader's reconciliation needs of a serf member (a reap event means "forget it"). */
function reconcileView(m: SerfMember, type?: string): ReconcileMember {
  return {
    name: m.name,
    addr: m.addr,
    tags: m.tags,
    status: type === 'member-reap' ? 'reap' : m.status,
    protocolMin: m.protocolMin,
    protocolMax: m.protocolMax,
    protocolCur: m.protocolCur,
  };
}
