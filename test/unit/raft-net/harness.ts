// A cluster of RaftDrivers in one process, each with its own RpcServer/RpcClient on 127.0.0.1
// (port 0) and its own data dir, talking through RpcRaftTransport. Every wait is bounded.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RaftDriver, type RaftDriverOptions } from '../../../src/core/raft/driver.js';
import { RpcRaftTransport } from '../../../src/core/raft/rpc-transport.js';
import type { NodeId } from '../../../src/core/raft/core/types.js';
import { RpcClient, RpcServer } from '../../../src/core/rpc/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** FSM: the list of applied commands; apply answers the index. */
export class ListFsm {
  items: string[] = [];
  restoredFrom = 0;
  apply(index: number, data: Uint8Array): number {
    this.items.push(dec.decode(data));
    return index;
  }
  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify(this.items));
  }
  restore(data: Uint8Array, index: number): void {
    this.items = data.length === 0 ? [] : (JSON.parse(dec.decode(data)) as string[]);
    this.restoredFrom = index;
  }
}

export class MemLogger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`INFO ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`WARN ${m}`);
  }
  error(m: string): void {
    this.lines.push(`ERROR ${m}`);
  }
  has(text: string): boolean {
    return this.lines.some((l) => l.includes(text));
  }
}

export type DriverOverrides = Partial<Omit<RaftDriverOptions<number>, 'id' | 'dir' | 'fsm' | 'transport' | 'logger'>>;

export interface TestNode {
  readonly id: NodeId;
  readonly dir: string;
  readonly driver: RaftDriver<number>;
  readonly fsm: ListFsm;
  readonly logger: MemLogger;
  readonly server: RpcServer;
  readonly client: RpcClient;
  readonly transport: RpcRaftTransport;
  alive: boolean;
}

export class TestCluster {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'raft-net-'));
  readonly addrs = new Map<NodeId, string>();
  readonly nodes = new Map<NodeId, TestNode>();

  constructor(private readonly defaults: DriverOverrides = {}) {}

  dirOf(id: NodeId): string {
    return path.join(this.root, id);
  }

  /** Starts (or restarts from its data dir) server `id`. */
  async start(id: NodeId, bootstrap?: readonly NodeId[], overrides: DriverOverrides = {}): Promise<TestNode> {
    const server = new RpcServer();
    await server.listen('127.0.0.1', 0);
    this.addrs.set(id, server.address);
    const client = new RpcClient({ connectTimeoutMs: 1000, timeoutMs: 5000 });
    const logger = new MemLogger();
    const transport = new RpcRaftTransport({
      client,
      resolve: (peer) => this.addrs.get(peer),
      logger,
      snapshotChunkBytes: 64,
      snapshotChunkTimeoutMs: 2000,
    });
    const fsm = new ListFsm();
    const driver = new RaftDriver<number>({
      id,
      dir: this.dirOf(id),
      fsm,
      transport,
      logger,
      tickMs: 20,
      electionTicks: 10,
      heartbeatTicks: 1,
      snapshotThreshold: 1000,
      trailingLogs: 100,
      applyTimeoutMs: 10_000,
      ...this.defaults,
      ...overrides,
    });
    transport.attach(server, (m) => driver.step(m));
    const node: TestNode = { id, dir: this.dirOf(id), driver, fsm, logger, server, client, transport, alive: true };
    this.nodes.set(id, node);
    try {
      await driver.start(bootstrap);
    } catch (err) {
      await this.crash(id);
      throw err;
    }
    return node;
  }

  /** Simulated crash: the network goes away and the driver stops without any handover. */
  async crash(id: NodeId): Promise<void> {
    const n = this.node(id);
    if (!n.alive) return;
    n.alive = false;
    n.transport.close();
    n.client.close();
    await n.server.close();
    await n.driver.stop();
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  live(): TestNode[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  /** The single live leader, once every live node that knows a leader agrees on it. */
  async waitLeader(timeoutMs = 5000): Promise<TestNode> {
    let found: TestNode | undefined;
    await waitFor(() => {
      const leaders = this.live().filter((n) => n.driver.isLeader());
      found = leaders.length === 1 ? leaders[0] : undefined;
      return found !== undefined;
    }, timeoutMs, 'a single leader');
    return found as TestNode;
  }

  /** Proposes through whichever node leads, retrying over leader changes. */
  async write(value: string, timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.waitLeader(Math.max(1, deadline - Date.now()));
      try {
        return await leader.driver.propose(enc.encode(value));
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(20);
      }
    }
  }

  async waitApplied(ids: readonly NodeId[], count: number, timeoutMs = 5000): Promise<void> {
    await waitFor(() => ids.every((id) => this.node(id).fsm.items.length >= count), timeoutMs,
      () => `${ids.join(',')} to apply ${count} commands (have ${ids.map((id) => this.node(id).fsm.items.length).join(',')})`);
  }

  async close(): Promise<void> {
    for (const n of this.nodes.values()) await this.crash(n.id);
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(10);
  }
}

export function encode(s: string): Uint8Array {
  return enc.encode(s);
}
