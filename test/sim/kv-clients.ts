// Simulated KV clients: each runs one op at a time on a few shared keys (get, put, cas with the
// ModifyIndex of its last read, delete), sends it to a random live server, waits for the answer or
// gives up after a timeout (the op then stays open), thinks a little, and goes again. Every write
// carries a value never written before, which is what makes the history checkable per key.

import type { SeededRng } from '../../src/core/support/rng.js';
import type { KvInput, KvValue } from './checkers/kv-register.js';
import type { SimCluster, SimNode } from './cluster.js';
import type { FsmMachine } from './fsm-app.js';
import type { ClientOp, KvHistory, OpPath } from './kv-history.js';
import type { KvProfile } from './kv-profile.js';
import type { KvServers } from './kv-servers.js';

interface SimClient {
  readonly name: string;
  busy: ClientOp | undefined;
  nextAt: number;
  writes: number;
  /** The last value and ModifyIndex this client read, per key (what its next cas carries). */
  readonly seen: Map<string, { value: KvValue; modifyIndex: number }>;
}

export class KvClients {
  private readonly clients: SimClient[];
  refused = 0;

  constructor(
    private readonly c: SimCluster<FsmMachine>,
    private readonly servers: KvServers,
    private readonly history: KvHistory,
    private readonly p: KvProfile,
    private readonly rng: SeededRng,
  ) {
    this.clients = Array.from({ length: p.clients }, (_, i) => ({ name: `c${i}`, busy: undefined, nextAt: rng.int(20), writes: 0, seen: new Map() }));
  }

  keys(): string[] {
    return Array.from({ length: this.p.keys }, (_, i) => `k${i}`);
  }

  /** One step: collect answers, time out, and (if `issue`) start new ops. */
  act(issue: boolean): void {
    for (const cl of this.clients) {
      if (cl.busy !== undefined) this.poll(cl);
      else if (issue && this.c.now >= cl.nextAt) this.issue(cl);
    }
  }

  private poll(cl: SimClient): void {
    const op = cl.busy as ClientOp;
    if (op.status === 'pending') {
      if (this.c.now - Math.floor(op.call) < this.p.timeoutUnits) return;
      this.history.giveUp(op, 'client timeout');
      this.servers.forget(op);
    }
    if (op.status === 'ok' && op.output?.f === 'get') cl.seen.set(op.key, { value: op.output.value, modifyIndex: op.output.modifyIndex });
    cl.busy = undefined;
    cl.nextAt = this.c.now + this.rng.int(this.p.thinkUnits + 1);
  }

  private issue(cl: SimClient): void {
    const nodes = this.c.live();
    if (nodes.length === 0) {
      cl.nextAt = this.c.now + 10;
      return;
    }
    const key = `k${this.rng.int(this.p.keys)}`;
    const contact = this.rng.pick(nodes);
    const r = this.rng.float();
    let input: KvInput;
    let path: OpPath;
    let target: SimNode<FsmMachine> | undefined;
    let casIndex: number | undefined;
    if (r < this.p.mix.get) {
      input = { f: 'get' };
      if (this.rng.chance(this.p.followerReadRate)) {
        path = 'followerRead';
        target = contact;
      } else {
        target = this.servers.route(contact);
        path = this.p.leaseReads && target !== undefined && this.servers.isLeaderWithLease(target) ? 'lease' : 'readIndex';
      }
    } else {
      path = 'write';
      target = this.servers.route(contact);
      const value = `${cl.name}.${cl.writes++}`;
      if (r < this.p.mix.put) input = { f: 'put', value };
      else if (r < this.p.mix.cas) {
        const seen = cl.seen.get(key);
        input = { f: 'cas', expect: seen?.value ?? null, value };
        casIndex = seen?.modifyIndex ?? 0;
      } else input = { f: 'delete' };
    }
    if (target === undefined) {
      // No leader known: the server answers "No cluster leader" at once; nothing happened.
      this.refused++;
      cl.nextAt = this.c.now + this.rng.range(5, 20);
      return;
    }
    const op = this.history.invoke(this.c.now, cl.name, key, input, path, target.id, casIndex);
    const accepted = path === 'write' ? this.servers.write(target, op)
      : path === 'lease' ? this.servers.leaseRead(target, op)
      : this.servers.readIndex(target, op);
    if (!accepted) {
      this.history.fail(op, 'refused');
      this.refused++;
      cl.nextAt = this.c.now + this.rng.range(5, 20);
      return;
    }
    cl.busy = op;
  }
}
