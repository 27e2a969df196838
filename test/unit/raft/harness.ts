// A tiny in-memory cluster for the paper tests (etcd's `network`): every node runs the Ready
// loop against a MemoryStorage; messages wait in one queue; links can be cut and nodes isolated.

import {
  MemoryStorage,
  RawNode,
  bootstrapStorage,
  type Entry,
  type Message,
  type NodeId,
  type RaftConfig,
  type ReadState,
  type Ready,
} from '../../../src/core/raft/core/index.js';
import { seededRng } from '../../../src/core/support/rng.js';

export interface TestNode {
  readonly id: NodeId;
  raw: RawNode;
  readonly storage: MemoryStorage;
  readonly applied: Entry[];
  readonly readStates: ReadState[];
  readonly readies: Ready[];
}

export type ConfigOverrides = Partial<Omit<RaftConfig, 'id' | 'storage' | 'rng'>>;

export function config(id: NodeId, storage: MemoryStorage, over: ConfigOverrides = {}, seed = 1): RaftConfig {
  return {
    id,
    storage,
    rng: seededRng(seed),
    electionTicks: 10,
    heartbeatTicks: 1,
    preVote: false,
    checkQuorum: false,
    maxSizePerMsg: 1024 * 1024,
    maxInflight: 256,
    applied: 0,
    ...over,
  };
}

export function persist(storage: MemoryStorage, rd: Ready): void {
  if (rd.snapshot !== undefined) storage.applySnapshot(rd.snapshot);
  if (rd.entries.length > 0) storage.append(rd.entries);
  if (rd.hardState !== undefined) storage.setHardState(rd.hardState);
}

export class Net {
  readonly nodes = new Map<NodeId, TestNode>();
  queue: Message[] = [];
  /** Directed links that drop everything: "from->to". */
  private readonly cut = new Set<string>();
  /** Message types dropped everywhere. */
  readonly dropTypes = new Set<Message['type']>();
  /** Every message delivered, for assertions. */
  readonly delivered: Message[] = [];

  constructor(ids: readonly NodeId[], over: ConfigOverrides = {}, voters: readonly NodeId[] = ids) {
    ids.forEach((id, i) => {
      const storage = new MemoryStorage();
      if (voters.includes(id)) bootstrapStorage(storage, voters);
      this.add(id, storage, over, i + 1);
    });
  }

  add(id: NodeId, storage: MemoryStorage, over: ConfigOverrides = {}, seed = 99): TestNode {
    const n: TestNode = { id, raw: new RawNode(config(id, storage, over, seed)), storage, applied: [], readStates: [], readies: [] };
    this.nodes.set(id, n);
    return n;
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Runs one node's Ready loop until it has nothing left; returns how many Readies ran. */
  drain(id: NodeId): number {
    const n = this.node(id);
    let count = 0;
    while (n.raw.hasReady()) {
      const rd = n.raw.ready();
      persist(n.storage, rd);
      this.queue.push(...rd.messages);
      for (const e of rd.committedEntries) n.applied.push(e);
      n.readStates.push(...rd.readStates);
      n.readies.push(rd);
      n.raw.advance(rd);
      count++;
    }
    return count;
  }

  /** Called after every delivered message (to assert an invariant at each step). */
  afterDeliver: ((m: Message) => void) | undefined = undefined;

  /** Delivers messages (and drains Readies) until the cluster is quiet. */
  stabilize(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      let work = 0;
      for (const id of this.nodes.keys()) work += this.drain(id);
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        if (this.cut.has(`${m.from}->${m.to}`) || this.dropTypes.has(m.type)) continue;
        const to = this.nodes.get(m.to);
        if (to === undefined) continue;
        this.delivered.push(m);
        to.raw.step(m);
        this.afterDeliver?.(m);
        work++;
      }
      if (work === 0) return;
    }
    throw new Error('cluster did not stabilize');
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) this.node(id).raw.tick();
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) for (const node of this.nodes.values()) node.raw.tick();
  }

  /** Ticks everyone and delivers between ticks, for `n` rounds. */
  run(n: number): void {
    for (let i = 0; i < n; i++) {
      this.tickAll();
      this.stabilize();
    }
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  cutLink(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}->${b}`);
    this.cut.add(`${b}->${a}`);
  }

  heal(): void {
    this.cut.clear();
    this.dropTypes.clear();
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((n) => n.raw.status().role === 'leader').map((n) => n.id);
  }

  /** Campaigns `id` and delivers until quiet. */
  elect(id: NodeId): void {
    this.node(id).raw.campaign();
    this.stabilize();
  }

  /** Restarts a node from what its storage holds (unstable state is lost). */
  restart(id: NodeId, over: ConfigOverrides = {}): TestNode {
    const old = this.node(id);
    const applied = old.storage.snapshot().meta.index;
    const n: TestNode = { ...old, raw: new RawNode(config(id, old.storage, { ...over, applied }, 7)), applied: [] };
    this.nodes.set(id, n);
    return n;
  }
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

export function commands(n: TestNode): string[] {
  return n.applied.filter((e) => e.kind === 'command').map((e) => dec(e.data));
}

/**
 * A store holding `terms[i]` as the term of entry i+1 (entry 1 is the bootstrap config of
 * `voters`), with the given current term and commit.
 */
export function storageWith(voters: readonly NodeId[], terms: readonly number[], term: number, commit = 1): MemoryStorage {
  const s = new MemoryStorage();
  bootstrapStorage(s, voters);
  const ents: Entry[] = terms.slice(1).map((t, i) => ({ index: i + 2, term: t, kind: 'command' as const, data: enc(`e${i + 2}@${t}`) }));
  s.append(ents);
  s.setHardState({ term, vote: '', commit });
  return s;
}

export function termsOf(s: MemoryStorage): number[] {
  const out: number[] = [];
  for (let i = s.firstIndex(); i <= s.lastIndex(); i++) out.push(s.term(i));
  return out;
}

/** A cluster from explicit stores (see storageWith). */
export function netFrom(stores: Readonly<Record<NodeId, MemoryStorage>>, over: ConfigOverrides = {}): Net {
  const net = new Net([], over);
  let seed = 1;
  for (const [id, storage] of Object.entries(stores)) net.add(id, storage, over, seed++);
  return net;
}
