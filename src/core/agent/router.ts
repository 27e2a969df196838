// Which server a client agent talks to (Consul: agent/router/manager.go). The list comes from
// LAN gossip (members with role=consul, our dc, a valid `port` tag, alive); calls go to the
// current server and rotate to the next one when it cannot be reached, as Consul's manager
// cycles a failed server to the end of its list. A remote error (the server answered) is final.
import { Errors } from '../errors.js';
import { RpcError, type RpcClient } from '../rpc/index.js';
import { serverInfo } from '../server/cluster.js';
import type { Logger } from '../support/logger.js';
import { metrics } from '../telemetry/index.js';

export interface ServerMemberView {
  readonly name: string;
  readonly addr: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly status: string;
}

export class ServerRouter {
  private servers: string[] = [];
  private next = 0;

  constructor(
    private readonly rpc: RpcClient,
    private readonly datacenter: string,
    private readonly log: Logger,
  ) {}

  /** Rebuild the server list from the current LAN members; true when a server was added. */
  update(members: readonly ServerMemberView[]): boolean {
    const found: string[] = [];
    for (const m of members) {
      if (m.status !== 'alive' || m.tags.dc !== this.datacenter) continue;
      const s = serverInfo({ name: m.name, addr: m.addr, tags: m.tags, status: 'alive' });
      if (s) found.push(s.rpcAddr);
    }
    found.sort();
    if (found.join(',') === this.servers.join(',')) return false;
    const added = found.some((s) => !this.servers.includes(s));
    this.log.debug(`router: servers now [${found.join(' ')}]`);
    this.servers = found;
    this.next = this.servers.length > 0 ? this.next % this.servers.length : 0;
    return added;
  }

  knownServers(): number {
    return this.servers.length;
  }

  /** Call `method` on a server, failing over to the next on connection errors. */
  async call(method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.servers.length === 0) throw Errors.noServers();
    metrics.incrCounter(['client', 'rpc']);
    let lastErr: unknown;
    for (let attempt = 0; attempt < this.servers.length; attempt++) {
      const addr = this.servers[this.next % this.servers.length] as string;
      try {
        return await this.rpc.call(addr, method, body, { timeoutMs });
      } catch (err) {
        if (!(err instanceof RpcError) || err.kind === 'remote' || err.kind === 'encode') throw err;
        lastErr = err;
        metrics.incrCounter(['client', 'rpc', 'failed']);
        this.log.warn(`router: server unreachable, trying the next: server=${addr} error="${err.message}"`);
        this.next = (this.next + 1) % Math.max(1, this.servers.length);
      }
    }
    throw lastErr instanceof Error ? lastErr : Errors.noServers();
  }
}
