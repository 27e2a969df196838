// The server cluster around Raft (Consul: agent/consul/server_serf.go maybeBootstrap,
// leader.go joinConsulServer / removeConsulServer, autopilot): which servers exist (from LAN
// gossip tags), when to bootstrap with -bootstrap-expect, and, on the leader, adding new servers
// as non-voters, promoting them once they are caught up and stable, and removing servers that
// left or (with cleanup_dead_servers) failed while a quorum remains.
//
// MUST: never bootstrap twice: a data dir with Raft state never bootstraps, and neither does a
//       server that hears another server already has peers.
// MUST: every membership change goes through Raft one at a time (the driver refuses overlaps).
import { formatAddr } from '../rpc/index.js';
import type { Logger } from '../support/logger.js';
import { consulServerPort, type ReconcileMember } from './reconcile.js';

/** A server as gossip describes it. */
export interface ServerInfo {
  readonly id: string;
  readonly name: string;
  /** Its RPC address "ip:port" (Raft and forwarding). */
  readonly rpcAddr: string;
  readonly status: ReconcileMember['status'];
  readonly expect: number;
  readonly bootstrap: boolean;
  readonly build: string;
  readonly nonVoter: boolean;
}

/** What the cluster logic needs of Raft (RaftDriver, seen through the Server). */
export interface ClusterRaft {
  hasState(): boolean;
  bootstrap(voters: string[]): Promise<void>;
  isLeader(): boolean;
  voters(): readonly string[];
  learners(): readonly string[];
  addLearner(id: string): Promise<void>;
  addVoter(id: string): Promise<void>;
  removeServer(id: string): Promise<void>;
  /** Leader only: how far behind a peer is (entries), and ms since it was last heard from. */
  peerHealth(id: string): { lagEntries: number; lastContactMs: number } | undefined;
}

export interface AutopilotConfig {
  cleanupDeadServers: boolean;
  lastContactThresholdMs: number;
  maxTrailingLogs: number;
  serverStabilizationTimeMs: number;
}

export const DEFAULT_AUTOPILOT: AutopilotConfig = {
  cleanupDeadServers: true,
  lastContactThresholdMs: 200,
  maxTrailingLogs: 250,
  serverStabilizationTimeMs: 10_000,
};

export function serverInfo(m: ReconcileMember): ServerInfo | undefined {
  const port = consulServerPort(m);
  if (port === undefined || !m.tags.id) return undefined;
  return {
    id: m.tags.id,
    name: m.name,
    rpcAddr: formatAddr(m.addr, port),
    status: m.status,
    expect: Number(m.tags.expect ?? '0') || 0,
    bootstrap: m.tags.bootstrap === '1',
    build: m.tags.build ?? '',
    nonVoter: m.tags.nonvoter === '1',
  };
}

export interface ClusterOptions {
  readonly selfId: string;
  readonly datacenter: string;
  readonly bootstrapExpect: number;
  readonly raft: ClusterRaft;
  /** Ask a server whether it already has Raft state (Consul asks Status.Peers before bootstrapping). */
  readonly peerHasState: (rpcAddr: string) => Promise<boolean>;
  readonly logger: Logger;
  autopilot: AutopilotConfig;
}

export class ServerCluster {
  private readonly servers = new Map<string, ServerInfo>();
  /** When each learner was first seen healthy (autopilot's stabilization clock). */
  private readonly healthySince = new Map<string, number>();
  private bootstrapDone = false;
  private bootstrapping = false;
  private busy = false;
  private readonly log: Logger;

  constructor(private readonly o: ClusterOptions) {
    this.log = o.logger.named('server');
    this.bootstrapDone = o.bootstrapExpect <= 1;
  }

  /** Rebuild the server list from the LAN members (every member event). */
  update(members: readonly ReconcileMember[]): void {
    this.servers.clear();
    for (const m of members) {
      if (m.tags.dc !== this.o.datacenter) continue;
      const s = serverInfo(m);
      if (s) this.servers.set(s.id, s);
    }
    void this.maybeBootstrap();
  }

  address(id: string): string | undefined {
    return this.servers.get(id)?.rpcAddr;
  }

  known(): ServerInfo[] {
    return [...this.servers.values()];
  }

  byId(id: string): ServerInfo | undefined {
    return this.servers.get(id);
  }

  /** Consul: maybeBootstrap. */
  private async maybeBootstrap(): Promise<void> {
    if (this.bootstrapDone || this.bootstrapping) return;
    const raft = this.o.raft;
    if (raft.hasState()) {
      this.bootstrapDone = true;
      return;
    }
    const alive = [...this.servers.values()].filter((s) => s.status === 'alive' && !s.nonVoter);
    for (const s of alive) {
      if (s.expect !== 0 && s.expect !== this.o.bootstrapExpect) {
        this.log.error(`Member has a conflicting expect value. All nodes should expect the same number.: member=${s.name}`);
        return;
      }
      if (s.bootstrap) {
        this.log.error(`Member has bootstrap mode. Expect disabled.: member=${s.name}`);
        return;
      }
    }
    if (alive.length < this.o.bootstrapExpect) return;
    this.bootstrapping = true;
    try {
      for (const s of alive) {
        if (s.id === this.o.selfId) continue;
        let has = false;
        try {
          has = await this.o.peerHasState(s.rpcAddr);
        } catch (err) {
          this.log.warn(`Failed to confirm peer status for server: server=${s.name} error="${(err as Error).message}"`);
          return;
        }
        if (has) {
          this.log.info(`Existing Raft peers reported by server, disabling bootstrap mode: server=${s.name}`);
          this.bootstrapDone = true;
          return;
        }
      }
      const voters = alive.map((s) => s.id).sort();
      this.log.info(`Found expected number of peers, attempting bootstrap: peers=${alive.map((s) => s.rpcAddr).join(',')}`);
      await raft.bootstrap(voters);
      this.bootstrapDone = true;
    } catch (err) {
      this.log.error(`Failed to bootstrap cluster: error="${(err as Error).message}"`);
    } finally {
      this.bootstrapping = false;
    }
  }

  /**
   * Leader: bring the Raft configuration in line with the servers gossip knows. New alive
   * servers join as learners; learners that are caught up and stable are promoted; servers that
   * left are removed; failed ones too with cleanup_dead_servers, if a quorum of voters remains.
   */
  async autopilotStep(now: number): Promise<void> {
    const raft = this.o.raft;
    if (!raft.isLeader() || this.busy) return;
    this.busy = true;
    try {
      const voters = new Set(raft.voters());
      const learners = new Set(raft.learners());
      for (const s of this.servers.values()) {
        if (s.id === this.o.selfId || s.status !== 'alive') continue;
        if (!voters.has(s.id) && !learners.has(s.id)) {
          this.log.info(`Adding server as non-voter: server=${s.name} address=${s.rpcAddr}`);
          await raft.addLearner(s.id);
          return;
        }
      }
      for (const id of learners) {
        const s = this.servers.get(id);
        if (!s || s.status !== 'alive' || s.nonVoter) {
          this.healthySince.delete(id);
          continue;
        }
        const h = raft.peerHealth(id);
        const healthy = h !== undefined && h.lagEntries <= this.o.autopilot.maxTrailingLogs && h.lastContactMs <= Math.max(this.o.autopilot.lastContactThresholdMs, 1000);
        if (!healthy) {
          this.healthySince.delete(id);
          continue;
        }
        const since = this.healthySince.get(id) ?? now;
        this.healthySince.set(id, since);
        if (now - since >= this.o.autopilot.serverStabilizationTimeMs) {
          this.log.info(`Promoting server to voter: server=${s.name}`);
          await raft.addVoter(id);
          this.healthySince.delete(id);
          return;
        }
      }
      for (const id of [...voters, ...learners]) {
        if (id === this.o.selfId) continue;
        // Only what gossip says explicitly counts: a server missing from a list that is still
        // filling up (just after a restart) must not be removed.
        const s = this.servers.get(id);
        if (!s) continue;
        const gone = s.status === 'left' || s.status === 'reap';
        const dead = s.status === 'failed';
        if (gone || (dead && this.o.autopilot.cleanupDeadServers && this.quorumRemainsWithout(id, voters))) {
          this.log.info(`Removing server from the Raft configuration: id=${id} reason=${gone ? 'left' : 'failed'}`);
          await raft.removeServer(id);
          return;
        }
      }
    } catch (err) {
      this.log.warn(`autopilot: membership change failed: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Autopilot prunes failed servers only while they are a minority of fewer than half the peers
   * (Consul's pruneDeadServers: removalCount < peers/2, integer division). So a 3-server cluster
   * never drops a failed voter by itself (it comes back as a voter), a 5-server one drops one.
   */
  private quorumRemainsWithout(id: string, voters: ReadonlySet<string>): boolean {
    if (!voters.has(id)) return true;
    const failed = [...voters].filter((v) => v !== this.o.selfId && this.servers.get(v)?.status === 'failed').length;
    return failed < Math.floor(voters.size / 2);
  }
}
