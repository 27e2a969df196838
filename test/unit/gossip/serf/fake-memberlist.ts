// A scripted MemberlistCore for serf unit tests: the test decides who joins, fails and leaves,
// completes joins, and pulls serf's broadcasts as memberlist's gossip would. It records what serf
// asked of memberlist (joins, leave, meta updates, user messages).
import { NodeStateKind, type Address, type PacketMessage, type StreamMessage, type Vsn } from '../../../../src/core/gossip/memberlist/messages.js';
import type { MemberNode, MemberlistCore, MemberlistDelegate, MemberlistOutput } from '../../../../src/core/gossip/memberlist/types.js';
import { SeededRng } from '../../../../src/core/support/rng.js';
import { Serf } from '../../../../src/core/gossip/serf/serf.js';
import type { SerfConfig } from '../../../../src/core/gossip/serf/config.js';
import { encodeTags } from '../../../../src/core/gossip/serf/tags.js';
import type { SerfEvent, SerfOutput } from '../../../../src/core/gossip/serf/types.js';

export const VSN: Vsn = [1, 5, 2, 2, 5, 4];

export class FakeMemberlist implements MemberlistCore {
  readonly nodes = new Map<string, MemberNode>();
  readonly joins: { id: number; seeds: readonly Address[] }[] = [];
  readonly sent: { to: Address; payload: Uint8Array }[] = [];
  leaveCalls = 0;
  metaUpdates = 0;
  leaveIsSent = false;
  private outputs: MemberlistOutput[] = [];
  private nextJoinId = 1;

  constructor(
    readonly delegate: MemberlistDelegate,
    readonly self: { name: string; addr: string; port: number },
    now = 0,
  ) {
    // Like memberlist.Create: we are alive (and serf hears of it) from the start.
    this.upsert(self.name, self.addr, self.port, delegate.nodeMeta(512), NodeStateKind.Alive, now);
    delegate.notifyJoin(this.node(self.name), now);
  }

  node(name: string): MemberNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  private upsert(name: string, addr: string, port: number, meta: Uint8Array, state: NodeStateKind, now: number): MemberNode {
    const n: MemberNode = { name, addr, port, meta, vsn: VSN, state, incarnation: 1, stateChangeMs: now };
    this.nodes.set(name, n);
    return n;
  }

  // --- test scripting ---------------------------------------------------------------------------

  /** A node becomes alive (memberlist NotifyJoin). */
  addNode(name: string, addr: string, port: number, tags: Record<string, string>, now: number): void {
    const n = this.upsert(name, addr, port, encodeTags(tags, 4), NodeStateKind.Alive, now);
    this.delegate.notifyJoin(n, now);
  }

  /** A node is declared dead (or left when `left`): memberlist NotifyLeave. */
  removeNode(name: string, now: number, left = false): void {
    const old = this.node(name);
    const n = this.upsert(name, old.addr, old.port, old.meta, left ? NodeStateKind.Left : NodeStateKind.Dead, now);
    this.delegate.notifyLeave(n, now);
  }

  updateNode(name: string, tags: Record<string, string>, now: number): void {
    const old = this.node(name);
    const n = this.upsert(name, old.addr, old.port, encodeTags(tags, 4), old.state, now);
    this.delegate.notifyUpdate(n, now);
  }

  /** One gossip round: what serf hands memberlist to piggyback. */
  gossip(limit = 1400): Uint8Array[] {
    return this.delegate.getBroadcasts(3, limit);
  }

  completeJoin(id: number, contacted: number, errors: string[] = []): void {
    this.outputs.push({ kind: 'joined', id, contacted, errors });
  }

  takeSent(): { to: Address; payload: Uint8Array }[] {
    return this.sent.splice(0);
  }

  // --- MemberlistCore ---------------------------------------------------------------------------

  tick(_now: number): void {}
  nextDeadline(): number {
    return Infinity;
  }
  handlePacket(_from: Address, msg: PacketMessage, now: number): void {
    if (msg.type === 'user') this.delegate.notifyMsg(msg.payload, now);
  }
  handleStream(_from: Address, _msg: StreamMessage, _now: number): StreamMessage | undefined {
    return undefined;
  }
  streamReply(_id: number, _msg: StreamMessage, _now: number): void {}
  streamFailed(_id: number, _error: string, _now: number): void {}
  join(seeds: readonly Address[], _now: number): number {
    const id = this.nextJoinId++;
    this.joins.push({ id, seeds });
    return id;
  }
  leave(_now: number): void {
    this.leaveCalls += 1;
  }
  leaveSent(): boolean {
    return this.leaveIsSent;
  }
  updateMeta(now: number): void {
    this.metaUpdates += 1;
    const old = this.node(this.self.name);
    this.upsert(old.name, old.addr, old.port, this.delegate.nodeMeta(512), old.state, now);
  }
  sendUser(to: Address, payload: Uint8Array): void {
    this.sent.push({ to, payload });
  }
  members(): readonly MemberNode[] {
    return [...this.nodes.values()];
  }
  numAliveMembers(): number {
    return [...this.nodes.values()].filter((n) => n.state === NodeStateKind.Alive || n.state === NodeStateKind.Suspect).length;
  }
  localNode(): MemberNode {
    return this.node(this.self.name);
  }
  healthScore(): number {
    return 0;
  }
  drainOutputs(): MemberlistOutput[] {
    return this.outputs.splice(0);
  }
}

export interface Harness {
  serf: Serf;
  ml: FakeMemberlist;
  /** Serf events drained so far (memberlist outputs dropped). */
  events(): SerfEvent[];
}

/** A Serf named `name` at 10.0.0.<n>:7946 over a FakeMemberlist. */
export function makeSerf(name: string, overrides: Partial<SerfConfig> = {}, ip = '10.0.0.1', port = 7946): Harness {
  let ml: FakeMemberlist | undefined;
  const serf = new Serf({ nodeName: name, rng: new SeededRng(7), ...overrides }, (d) => {
    ml = new FakeMemberlist(d, { name, addr: ip, port });
    return ml;
  });
  if (!ml) throw new Error('factory not called');
  const fake = ml;
  return {
    serf,
    ml: fake,
    events: () => serf.drainOutputs().filter(isSerfEvent),
  };
}

export function isSerfEvent(o: SerfOutput): o is SerfEvent {
  return o.kind !== 'packet' && o.kind !== 'stream' && o.kind !== 'joined';
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
