// Client-agent-style anti-entropy against one server, for bench/catalog-scale.ts: each emulated
// agent owns one node and does what src/core/agent/anti-entropy.ts does on a client agent in a full
// sync: read its node over the server port (`Catalog.NodeView`), compare with its local state
// using the agent's own IsSame rules (sameService / sameCheck), and push each out-of-sync service
// with its checks as a `register` command through `Server.Apply`. Output churn is modelled by
// changing one non-`web` service check's output before a fraction of the syncs (a check whose
// output moves, as an HTTP check's often does), so the reads under test keep a fixed instance set.
// Figures only; nothing here is a test.
import { sameCheck, sameService } from '../src/core/agent/anti-entropy.js';
import type { CheckRecord } from '../src/core/agent/local-state.js';
import type { ServiceRecord } from '../src/core/agent/definitions.js';
import { RpcClient } from '../src/core/rpc/index.js';
import type { HealthCheck, NodeService, RegisterRequest } from '../src/core/structs/catalog.js';

/** One node as its agent sees it: the node fields and its services, each with its own checks. */
export interface LocalNode {
  node: Omit<RegisterRequest, 'Service' | 'Checks' | 'SkipNodeUpdate'>;
  services: { service: ServiceRecord; checks: CheckRecord[] }[];
}

interface NodeViewReply {
  node?: unknown;
  services: NodeService[];
  checks: HealthCheck[];
}

export interface SyncResult {
  ms: number;
  pushed: number;
}

const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

export class AgentFleet {
  private readonly rpc = new RpcClient({ timeoutMs: 60_000 });
  private next = 0;
  private outputSeq = 0;
  private pacer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  /** Latencies (ms) of the paced syncs since the last takeStats(). */
  private paced: SyncResult[] = [];
  errors = 0;
  lastError = '';

  constructor(
    private readonly serverAddr: string,
    private readonly nodes: LocalNode[],
    private readonly dirtyFraction: number,
  ) {}

  /** One full sync of node `i`, as a client agent's anti-entropy runs it. */
  async sync(i: number): Promise<SyncResult> {
    const local = this.nodes[i] as LocalNode;
    const churn = local.services.filter((s) => s.service.Service !== 'web');
    if (churn.length > 0 && Math.random() < this.dirtyFraction) {
      const s = churn[this.outputSeq % churn.length] as LocalNode['services'][number];
      const c = s.checks[0];
      if (c) s.checks[0] = { ...c, Output: `HTTP GET http://${local.node.Address}:${s.service.Port}/health: 200 OK Output: seq ${++this.outputSeq}` };
    }
    const t0 = performance.now();
    const view = (await this.rpc.call(this.serverAddr, 'Catalog.NodeView', { node: local.node.Node })) as NodeViewReply;
    const remoteSvcs = new Map(view.services.map((s) => [s.ID, s]));
    const remoteChecks = new Map(view.checks.map((c) => [c.CheckID, c]));
    let pushed = 0;
    for (const s of local.services) {
      const rs = remoteSvcs.get(s.service.ID);
      const inSync =
        rs !== undefined &&
        sameService(s.service, rs) &&
        s.checks.every((c) => {
          const rc = remoteChecks.get(c.CheckID);
          return rc !== undefined && sameCheck(c, rc);
        });
      if (inSync) continue;
      const req: RegisterRequest = { ...local.node, Service: s.service, Checks: s.checks, SkipNodeUpdate: true };
      const r = (await this.rpc.call(this.serverAddr, 'Server.Apply', { cmd: { t: 'register', v: 1, req } })) as { t: string; message?: string };
      if (r.t === 'error') throw new Error(r.message);
      pushed++;
    }
    return { ms: performance.now() - t0, pushed };
  }

  /** Start `perMinute` syncs a minute over the nodes, round-robin, each started on its tick. */
  startPaced(perMinute: number): void {
    if (perMinute <= 0) return;
    this.pacer = setInterval(() => {
      const i = this.next++ % this.nodes.length;
      const p = this.sync(i).then(
        (r) => void this.paced.push(r),
        (err: unknown) => {
          this.errors++;
          this.lastError = (err as Error).message;
        },
      );
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, 60_000 / perMinute);
  }

  async stopPaced(): Promise<void> {
    clearInterval(this.pacer);
    this.pacer = undefined;
    await Promise.all([...this.inFlight]);
  }

  /** Paced syncs since the last call: count, p50/p99 ms, registrations pushed. */
  takeStats(): { count: number; p50: number; p99: number; pushed: number } {
    const taken = this.paced.splice(0);
    const ms = taken.map((r) => r.ms).sort((a, b) => a - b);
    return { count: taken.length, p50: pct(ms, 0.5), p99: pct(ms, 0.99), pushed: taken.reduce((n, r) => n + r.pushed, 0) };
  }

  /** Every node syncs once, `concurrency` agents at a time: the wall time of one full pass. */
  async fullPass(concurrency: number): Promise<{ ms: number; p99: number; pushed: number }> {
    let cursor = 0;
    let pushed = 0;
    const lat: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (cursor < this.nodes.length) {
          const r = await this.sync(cursor++);
          lat.push(r.ms);
          pushed += r.pushed;
        }
      }),
    );
    lat.sort((a, b) => a - b);
    return { ms: performance.now() - t0, p99: pct(lat, 0.99), pushed };
  }

  close(): void {
    this.rpc.close();
  }
}
