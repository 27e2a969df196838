// How the agent reaches the replicated state (Consul: the agent's delegate, a Server or a Client):
// on a server the local store and Raft, on a client agent calls to a server through the router;
// a follower hands leader-only calls to the leader.
import type { RpcClient } from '../rpc/index.js';
import { Errors } from '../errors.js';
import { forwardToLeader } from '../server/index.js';
import type { Server } from '../server/index.js';
import { kvsApply } from '../server/session-endpoint.js';
import { getNode, nodeChecks, nodeServices } from '../state/catalog.js';
import { kvsGet } from '../state/kvs.js';
import { forwardHoldMs, type ForwardReply, type ForwardRequest } from '../http/forward.js';
import type { CatalogPort } from './anti-entropy.js';
import type { RemoteExecKv } from './remote-exec.js';
import type { ServerRouter } from './router.js';
import { decodeForwardReply, RPC, rpcToHttpError, type ServerCalls } from './server-rpc.js';

export interface StateAccessOptions {
  readonly server: () => Server | undefined;
  readonly router: ServerRouter;
  readonly calls: ServerCalls;
  readonly rpcClient: RpcClient;
  readonly nodeName: string;
}

export class StateAccess {
  constructor(private readonly o: StateAccessOptions) {}

  private get server(): Server | undefined {
    return this.o.server();
  }

  private get router(): ServerRouter {
    return this.o.router;
  }

  private get calls(): ServerCalls {
    return this.o.calls;
  }

  private get rpcClient(): RpcClient {
    return this.o.rpcClient;
  }

  /**
   * A follower hands a leader-only call to the leader (Consul: ForwardRPC), holding it through an
   * election for up to rpc_hold_timeout (see server/leader-forward.ts); undefined when this
   * server leads after all.
   */
  async forwardToLeader(req: ForwardRequest, timeoutMs: number): Promise<ForwardReply | undefined> {
    const server = this.server;
    if (!server) return undefined;
    try {
      return await forwardToLeader({
        leader: () => server.leaderTarget(),
        call: async (addr) => decodeForwardReply(await this.rpcClient.call(addr, RPC.httpForward, req, { timeoutMs })),
        isRead: req.method === 'GET' || req.method === 'HEAD',
        holdTimeoutMs: forwardHoldMs(req.url, server.rpcHoldTimeoutMs, timeoutMs),
        // The server we reached lost its leader too: wait for the election like Consul does.
        isNoLeader: (r) => r.status === 500 && Buffer.from(r.body).toString('utf8').trim() === NO_LEADER,
      });
    } catch (err) {
      throw rpcToHttpError(err);
    }
  }

  /** KV for remote exec: the local store on a server, forwarded KV calls on a client. */
  remoteExecKv(): RemoteExecKv | undefined {
    const server = this.server;
    if (server) {
      return {
        get: async (key) => kvsGet(server.store, key).entry?.Value,
        lock: (key, value, session) => kvsApply(server, { op: 'lock', key, value, flags: 0, session, index: 0 }),
      };
    }
    if (this.router.knownServers() === 0) return undefined;
    const call = async (method: string, url: string, body: Uint8Array): Promise<{ status: number; body: Uint8Array }> =>
      this.calls.forwardHttp({ method, url, headers: {}, body, originNode: this.o.nodeName }, 30_000);
    return {
      get: async (key) => {
        const r = await call('GET', `/v1/kv/${encodeKvPath(key)}?raw`, new Uint8Array(0));
        if (r.status === 404) return undefined;
        if (r.status !== 200) throw new Error(`Unexpected response code: ${r.status} (${Buffer.from(r.body).toString('utf8')})`);
        return r.body;
      },
      lock: async (key, value, session) => {
        const r = await call('PUT', `/v1/kv/${encodeKvPath(key)}?acquire=${encodeURIComponent(session)}`, value);
        return r.status === 200 && Buffer.from(r.body).toString('utf8').trim() === 'true';
      },
    };
  }

  catalogPort(): CatalogPort | undefined {
    const server = this.server;
    if (!server) {
      if (this.router.knownServers() === 0) return undefined;
      return { read: (node) => this.calls.nodeView(node), apply: (cmd) => this.calls.apply(cmd) };
    }
    return {
      read: (node) => ({ node: getNode(server.store, node), services: nodeServices(server.store, node), checks: nodeChecks(server.store, node) }),
      apply: (cmd) => server.apply(cmd),
    };
  }

}

/** A KV key as a URL path: each segment escaped, the slashes kept. */
const NO_LEADER = Errors.noLeader().message;

function encodeKvPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
