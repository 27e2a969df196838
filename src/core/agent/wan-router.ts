// Which server of another datacenter a server talks to (Consul: agent/router/router.go, the WAN
// side of the router). Servers of every datacenter meet in the WAN gossip pool, named
// `<node>.<dc>` and tagged with their datacenter and RPC port; a call for datacenter X goes to
// one of X's alive servers and moves to the next one when it cannot be reached, as Consul's
// router cycles a failed server out of the way. A datacenter with no alive server has no path.
//
// MUST: the list is read from the WAN members at call time, so a datacenter that joins or
//       disappears is seen at once, without a cache to invalidate.
import { Errors } from '../errors.js';
import { RpcError, type RpcClient } from '../rpc/index.js';
import { serverInfo } from '../server/cluster.js';
import type { AgentMember } from '../structs/agent.js';
import type { Logger } from '../support/logger.js';

/** Serf's member status codes as /v1/agent/members reports them. */
const STATUS_ALIVE = 1;

export class DatacenterRouter {
  /** Per datacenter, the index of the server to try first (moves past servers that failed). */
  private readonly next = new Map<string, number>();

  constructor(
    private readonly rpc: RpcClient,
    private readonly localDc: string,
    private readonly wanMembers: () => readonly AgentMember[],
    private readonly log: Logger,
  ) {}

  /** RPC addresses of the alive servers of `dc`, sorted (a stable order to rotate through). */
  servers(dc: string): string[] {
    const out: string[] = [];
    for (const m of this.wanMembers()) {
      if (m.Status !== STATUS_ALIVE || m.Tags.dc !== dc) continue;
      const s = serverInfo({ name: m.Name, addr: m.Addr, tags: m.Tags, status: 'alive' });
      if (s) out.push(s.rpcAddr);
    }
    return out.sort();
  }

  /** Every datacenter with at least one server in the WAN pool, ours included. */
  datacenters(): string[] {
    const dcs = new Set<string>([this.localDc]);
    for (const m of this.wanMembers()) if (m.Tags.role === 'consul' && m.Tags.dc) dcs.add(m.Tags.dc);
    return [...dcs];
  }

  /**
   * Call `method` on a server of `dc`, failing over to its other servers on connection errors.
   * No alive server there: Consul's 500 "No path to datacenter".
   */
  async call(dc: string, method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const servers = this.servers(dc);
    if (servers.length === 0) throw Errors.noPathToDc();
    const start = this.next.get(dc) ?? 0;
    let lastErr: unknown;
    for (let attempt = 0; attempt < servers.length; attempt++) {
      const at = (start + attempt) % servers.length;
      const addr = servers[at] as string;
      try {
        const r = await this.rpc.call(addr, method, body, { timeoutMs });
        this.next.set(dc, at);
        return r;
      } catch (err) {
        if (!(err instanceof RpcError) || err.kind === 'remote' || err.kind === 'encode') throw err;
        lastErr = err;
        this.log.warn(`router: server in datacenter unreachable, trying the next: datacenter=${dc} server=${addr} error="${err.message}"`);
      }
    }
    this.next.set(dc, (start + 1) % servers.length);
    throw lastErr instanceof Error ? lastErr : Errors.noPathToDc();
  }
}
