// The agent's gossip pools (Consul: agent/consul/server_serf.go, client_serf.go, merge.go, and
// the join logic of agent/retry_join.go): the LAN pool every agent has, the WAN pool of servers,
// Consul's tags and merge rules, start/retry joins, rejoin after restart, and leave.
import type { Coordinate } from '../gossip/serf/coordinate.js';
import path from 'node:path';
import type { RuntimeConfig } from '../config/index.js';
import type { DriverLog } from '../gossip/net/driver.js';
import { GossipPool, type JoinResult, type PoolEvent } from '../gossip/net/pool.js';
import { MEMBER_STATUS_CODE, type SerfMember, type Tags } from '../gossip/serf/index.js';
import type { MemberlistTiming } from '../gossip/memberlist/types.js';
import type { GossipTimingOverrides } from '../config/gossip.js';
import type { AgentMember } from '../structs/agent.js';
import type { Logger } from '../support/logger.js';
import { CONSUL_API_VERSION, REVISION } from '../version.js';

/** Consul's tags for this agent in the LAN pool (setupSerfConfig). */
export function lanTags(c: RuntimeConfig, nodeId: string): Tags {
  const tags: Record<string, string> = {
    build: `${CONSUL_API_VERSION}:${REVISION}`,
    dc: c.datacenter,
    id: nodeId,
    role: c.server ? 'consul' : 'node',
    segment: '',
    vsn: '2',
    vsn_max: '3',
    vsn_min: '2',
  };
  if (c.server) {
    Object.assign(tags, { port: String(c.ports.server), raft_vsn: '3', wan_join_port: String(c.ports.serfWan) });
    if (c.bootstrap) tags.bootstrap = '1';
    if (c.bootstrapExpect > 0) tags.expect = String(c.bootstrapExpect);
  }
  return tags;
}

function wanTags(c: RuntimeConfig, nodeId: string): Tags {
  const { wan_join_port: _w, ...rest } = lanTags(c, nodeId);
  return rest;
}

/** Consul's lanMergeDelegate: refuse conflicting node IDs and members of another dc or segment. */
export function lanMerge(nodeName: string, nodeId: string, dc: string): (members: SerfMember[]) => string | undefined {
  return (members) => {
    const ids = new Map<string, string>();
    for (const m of members) {
      const id = m.tags.id;
      if (id) {
        if (id === nodeId && m.name.toLowerCase() !== nodeName.toLowerCase()) return `Member '${m.name}' has conflicting node ID '${id}' with this agent's ID`;
        const other = ids.get(id);
        if (other !== undefined) return `Member '${m.name}' has conflicting node ID '${id}' with member '${other}'`;
        ids.set(id, m.name);
      }
      if ((m.tags.role === 'node' || m.tags.role === 'consul') && m.tags.dc !== dc) return `Member '${m.name}' part of wrong datacenter '${m.tags.dc ?? ''}'`;
      if ((m.tags.segment ?? '') !== '') return `Member '${m.name}' part of wrong segment '${m.tags.segment ?? ''}' (expected '')`;
    }
    return undefined;
  };
}

/** Consul's wanMergeDelegate: only servers, named `<node>.<dc>`. */
function wanMerge(): (members: SerfMember[]) => string | undefined {
  return (members) => {
    for (const m of members) if (m.tags.role !== 'consul') return `Member '${m.name}' is not a server`;
    return undefined;
  };
}

function timingOverrides(o: GossipTimingOverrides): Partial<MemberlistTiming> {
  const t: Partial<{ -readonly [K in keyof MemberlistTiming]: MemberlistTiming[K] }> = {};
  if (o.gossipNodes !== undefined) t.gossipNodes = o.gossipNodes;
  if (o.gossipIntervalMs !== undefined) t.gossipIntervalMs = o.gossipIntervalMs;
  if (o.probeIntervalMs !== undefined) t.probeIntervalMs = o.probeIntervalMs;
  if (o.probeTimeoutMs !== undefined) t.probeTimeoutMs = o.probeTimeoutMs;
  if (o.suspicionMult !== undefined) t.suspicionMult = o.suspicionMult;
  if (o.retransmitMult !== undefined) t.retransmitMult = o.retransmitMult;
  return t;
}

export function toAgentMember(m: SerfMember): AgentMember {
  return {
    Name: m.name,
    Addr: m.addr,
    Port: m.port,
    Tags: { ...m.tags },
    Status: MEMBER_STATUS_CODE[m.status],
    ProtocolMin: m.protocolMin,
    ProtocolMax: m.protocolMax,
    ProtocolCur: m.protocolCur,
    DelegateMin: m.delegateMin,
    DelegateMax: m.delegateMax,
    DelegateCur: m.delegateCur,
  };
}

/** A join error list as go-multierror prints it (Consul's join answers carry it). */
export function joinErrorText(errors: readonly string[]): string {
  const n = errors.length;
  return `${n} error${n === 1 ? '' : 's'} occurred:\n${errors.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}

/**
 * One pool's log: Consul names memberlist's lines `agent.<role>.memberlist.<pool>` and serf's
 * `agent.<role>.serf.<pool>` (agent/consul/server_serf.go, client_serf.go); our memberlist core
 * prefixes its lines with "memberlist:", as Go's does.
 */
function poolLog(log: Logger, role: string, pool: 'lan' | 'wan'): DriverLog {
  const serf = log.named(`${role}.serf.${pool}`);
  const memberlist = log.named(`${role}.memberlist.${pool}`);
  const to = (msg: string): Logger => (msg.startsWith('memberlist:') ? memberlist : serf);
  return {
    debug: (msg) => to(msg).debug(msg),
    info: (msg) => to(msg).info(msg),
    warn: (msg) => to(msg).warn(msg),
    error: (msg) => to(msg).error(msg),
  };
}

export class AgentGossip {
  lan!: GossipPool;
  wan: GossipPool | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly c: RuntimeConfig,
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {}

  async start(onLan: (e: PoolEvent) => void, onWan: (e: PoolEvent) => void): Promise<void> {
    const c = this.c;
    const g = c.gossip;
    const serfDir = c.dataDir ? path.join(c.dataDir, 'serf') : undefined;
    const role = c.server ? 'server' : 'client';
    this.lan = await GossipPool.start({
      nodeName: c.nodeName,
      bindAddr: g.serfLanBind,
      bindPort: c.ports.serfLan,
      advertiseAddr: c.advertiseAddr,
      advertisePort: c.ports.serfLan,
      tags: lanTags(c, this.nodeId),
      profile: 'lan',
      timing: timingOverrides(g.lan),
      ...(g.encryptKey ? { encryptKey: g.encryptKey } : {}),
      verifyIncoming: g.encryptVerifyIncoming,
      verifyOutgoing: g.encryptVerifyOutgoing,
      reconnectTimeoutMs: g.reconnectTimeoutMs,
      ...(serfDir ? { snapshotPath: path.join(serfDir, 'local.snapshot'), keyringPath: path.join(serfDir, 'local.keyring') } : {}),
      merge: lanMerge(c.nodeName, this.nodeId, c.datacenter),
      log: poolLog(this.log, role, 'lan'),
    });
    this.lan.onEvent(onLan);
    this.log.named(`${role}.serf.lan`).debug(`serf: listening: address=${g.serfLanBind}:${c.ports.serfLan} encrypted=${this.lan.encrypted()}`);
    if (c.server && c.ports.serfWan > 0) {
      this.wan = await GossipPool.start({
        nodeName: `${c.nodeName}.${c.datacenter}`,
        bindAddr: g.serfWanBind,
        bindPort: c.ports.serfWan,
        advertiseAddr: g.advertiseAddrWan,
        advertisePort: c.ports.serfWan,
        tags: wanTags(c, this.nodeId),
        profile: 'wan',
        timing: timingOverrides(g.wan),
        ...(g.encryptKey ? { encryptKey: g.encryptKey } : {}),
        verifyIncoming: g.encryptVerifyIncoming,
        verifyOutgoing: g.encryptVerifyOutgoing,
        reconnectTimeoutMs: g.reconnectTimeoutWanMs,
        ...(serfDir ? { snapshotPath: path.join(serfDir, 'remote.snapshot'), keyringPath: path.join(serfDir, 'remote.keyring') } : {}),
        merge: wanMerge(),
        log: poolLog(this.log, 'server', 'wan'),
      });
      this.wan.onEvent(onWan);
    }
  }

  /** Joins at start: rejoin previous members, then start_join (must succeed), then retry_join loops. */
  async startJoins(onFatal: (msg: string) => void): Promise<void> {
    const c = this.c;
    const g = c.gossip;
    await this.rejoin(this.lan, 'LAN');
    if (this.wan) await this.rejoin(this.wan, 'WAN');
    if (g.startJoin.length > 0) {
      const r = await this.join(g.startJoin, false);
      if (r.contacted === 0) throw new Error(`Failed to join ${g.startJoin.join(', ')}: ${joinErrorText(r.errors).trim()}`);
    }
    if (g.startJoinWan.length > 0 && this.wan) {
      const r = await this.join(g.startJoinWan, true);
      if (r.contacted === 0) throw new Error(`Failed to join WAN ${g.startJoinWan.join(', ')}: ${joinErrorText(r.errors).trim()}`);
    }
    if (g.retryJoin.length > 0) this.retryJoin('LAN', g.retryJoin, false, g.retryIntervalMs, g.retryMax, onFatal);
    if (g.retryJoinWan.length > 0 && this.wan) this.retryJoin('WAN', g.retryJoinWan, true, g.retryIntervalWanMs, g.retryMaxWan, onFatal);
    // Consul agent/retry_join.go retryJoinWAN on a client agent: one warning, no retries.
    else if (g.retryJoinWan.length > 0) this.log.warn("(WAN) couldn't join: Err: Must be a server to join WAN cluster");
  }

  private async rejoin(pool: GossipPool, which: string): Promise<void> {
    if (pool.leftLastTime() && !this.c.gossip.rejoinAfterLeave) {
      this.log.info(`serf: ${which}: ignoring previous nodes: left gracefully last time (use -rejoin to rejoin them)`);
      return;
    }
    const prev = pool.previousMembers();
    if (prev.length === 0) return;
    this.log.info(`serf: Attempting re-join to previously known ${which} nodes: ${prev.join(', ')}`);
    const r = await pool.join(prev, true);
    if (r.contacted > 0) this.log.info(`serf: Re-joined to previously known ${which} nodes: ${r.contacted}`);
    else this.log.warn(`serf: Failed to re-join any previously known ${which} node`);
  }

  /** Consul's retry_join loop: every interval until one attempt reaches somebody, or retry_max. */
  private retryJoin(which: string, addrs: readonly string[], wan: boolean, intervalMs: number, max: number, onFatal: (msg: string) => void): void {
    let attempt = 0;
    const tryOnce = async (): Promise<void> => {
      if (this.stopped) return;
      attempt++;
      // Consul agent/retry_join.go's lines; each attempt also logs JoinLAN/JoinWAN's.
      if (attempt === 1) this.log.info(`Joining cluster...: cluster=${which}`);
      const r = await this.join(addrs, wan).catch((err: unknown) => ({ contacted: 0, errors: [(err as Error).message] }) as JoinResult);
      if (r.contacted > 0) {
        this.log.info(`Join cluster completed. Synced with initial agents: cluster=${which} num_agents=${r.contacted}`);
        return;
      }
      if (max > 0 && attempt >= max) {
        onFatal(`(${which}) max join retry exhausted, exiting`);
        return;
      }
      this.log.warn(`Join cluster failed, will retry: cluster=${which} retry_interval=${intervalMs / 1000}s error="${joinErrorText(r.errors)}"`);
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        void tryOnce();
      }, intervalMs);
      this.retryTimers.add(t);
    };
    void tryOnce();
  }

  /** Consul agent.go JoinLAN / JoinWAN, with their log lines (the errors carry host:port). */
  async join(addrs: readonly string[], wan: boolean): Promise<JoinResult> {
    const pool = wan ? this.wan : this.lan;
    if (!pool) return { contacted: 0, errors: ['WAN pool is only available on servers'] };
    const which = wan ? 'WAN' : 'LAN';
    this.log.info(`(${which}) joining: ${which.toLowerCase()}_addresses=[${addrs.join(', ')}]`);
    const r = await pool.join(addrs, false);
    if (r.contacted > 0) this.log.info(`(${which}) joined: number_of_nodes=${r.contacted}`);
    else this.log.warn(`(${which}) couldn't join: number_of_nodes=0 error="${joinErrorText(r.errors)}"`);
    return r;
  }

  members(wan: boolean): AgentMember[] {
    const pool = wan ? this.wan : this.lan;
    return pool ? pool.members().map(toAgentMember) : [];
  }

  /** This agent's coordinate in the LAN pool, or (servers) the WAN pool. */
  coordinate(wan: boolean): Coordinate | undefined {
    return (wan ? this.wan : this.lan)?.coordinate();
  }

  /** Every WAN member's last known coordinate (servers only), ours included. */
  wanCoordinates(): { name: string; dc: string; coord: Coordinate }[] {
    const wan = this.wan;
    if (!wan) return [];
    const out: { name: string; dc: string; coord: Coordinate }[] = [];
    for (const m of wan.members()) {
      const coord = wan.cachedCoordinate(m.name);
      const dc = m.tags.dc;
      if (coord && dc && m.status === 'alive') out.push({ name: m.name, dc, coord });
    }
    return out;
  }

  /** Leave the WAN pool, then the LAN pool (Consul's order in Server.Leave). */
  async leave(): Promise<void> {
    if (this.wan) await this.wan.leave().catch((err: unknown) => this.log.warn(`serf: failed to leave WAN: ${(err as Error).message}`));
    await this.lan.leave().catch((err: unknown) => this.log.warn(`serf: failed to leave LAN: ${(err as Error).message}`));
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    await this.wan?.shutdown();
    await this.lan?.shutdown();
  }
}
