// Helpers for the memberlist core's unit tests: a recording delegate, a core factory with the LAN
// profile and a seeded rng, and message builders.
import { Memberlist } from '../../../../src/core/gossip/memberlist/memberlist.js';
import type { AliveMsg, PacketMessage, Vsn } from '../../../../src/core/gossip/memberlist/messages.js';
import { LAN_TIMING } from '../../../../src/core/gossip/memberlist/profiles.js';
import type { MemberlistConfig, MemberlistDelegate, MemberlistOutput, MemberlistTiming, MemberNode } from '../../../../src/core/gossip/memberlist/types.js';
import { SeededRng } from '../../../../src/core/support/rng.js';
import { estimateSize } from '../../../sim/gossip/size-estimate.js';

export const VSN: Vsn = [1, 5, 2, 2, 5, 4];
export const enc = new TextEncoder();

export interface Recorded {
  readonly kind: 'join' | 'leave' | 'update';
  readonly name: string;
  readonly state: number;
  readonly incarnation: number;
}

export class RecordingDelegate implements MemberlistDelegate {
  events: Recorded[] = [];
  meta: Uint8Array = enc.encode('meta-1');
  userMsgs: Uint8Array[] = [];
  merged: { state: Uint8Array; join: boolean }[] = [];
  pings: { name: string; rtt: number; payload: Uint8Array }[] = [];
  conflicts: { existing: MemberNode; other: MemberNode }[] = [];
  userBroadcasts: Uint8Array[] = [];
  refutes: ('suspect' | 'dead')[] = [];
  refuseMerge: string | undefined;
  refuseAlive: ((n: MemberNode) => string | undefined) | undefined;

  nodeMeta(): Uint8Array {
    return this.meta;
  }
  notifyMsg(payload: Uint8Array): void {
    this.userMsgs.push(payload);
  }
  getBroadcasts(_overhead: number, limit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let used = 0;
    while (this.userBroadcasts.length > 0 && used + (this.userBroadcasts[0] as Uint8Array).length + _overhead <= limit) {
      const b = this.userBroadcasts.shift() as Uint8Array;
      used += b.length + _overhead;
      out.push(b);
    }
    return out;
  }
  localState(join: boolean): Uint8Array {
    return enc.encode(join ? 'join-state' : 'sync-state');
  }
  mergeRemoteState(state: Uint8Array, join: boolean): void {
    this.merged.push({ state, join });
  }
  notifyJoin(n: MemberNode): void {
    this.events.push({ kind: 'join', name: n.name, state: n.state, incarnation: n.incarnation });
  }
  notifyLeave(n: MemberNode): void {
    this.events.push({ kind: 'leave', name: n.name, state: n.state, incarnation: n.incarnation });
  }
  notifyUpdate(n: MemberNode): void {
    this.events.push({ kind: 'update', name: n.name, state: n.state, incarnation: n.incarnation });
  }
  notifyMerge(): string | undefined {
    return this.refuseMerge;
  }
  notifyAlive(n: MemberNode): string | undefined {
    return this.refuseAlive?.(n);
  }
  ackPayload(): Uint8Array {
    return enc.encode('coord');
  }
  notifyPingComplete(node: MemberNode, rtt: number, payload: Uint8Array): void {
    this.pings.push({ name: node.name, rtt, payload });
  }
  notifyConflict(existing: MemberNode, other: MemberNode): void {
    this.conflicts.push({ existing, other });
  }
  notifyRefute(accusation: 'suspect' | 'dead'): void {
    this.refutes.push(accusation);
  }
}

export interface TestCore {
  readonly core: Memberlist;
  readonly delegate: RecordingDelegate;
  readonly logs: string[];
}

export function makeConfig(delegate: RecordingDelegate, logs: string[], overrides: Partial<MemberlistConfig> = {}): MemberlistConfig {
  return {
    name: 'me',
    addr: '127.0.0.1',
    port: 7946,
    timing: LAN_TIMING,
    protocolVersion: 2,
    delegateVersion: [2, 5, 4],
    rng: new SeededRng(1),
    sizeOf: estimateSize,
    delegate,
    log: (level, msg) => logs.push(`[${level.toUpperCase()}] ${msg}`),
    ...overrides,
  };
}

export function makeCore(
  opts: { name?: string; port?: number; timing?: Partial<MemberlistTiming>; now?: number; seed?: number; config?: Partial<MemberlistConfig> } = {},
): TestCore {
  const delegate = new RecordingDelegate();
  const logs: string[] = [];
  const core = new Memberlist(
    {
      name: opts.name ?? 'me',
      addr: '127.0.0.1',
      port: opts.port ?? 7946,
      timing: { ...LAN_TIMING, ...opts.timing },
      protocolVersion: 2,
      delegateVersion: [2, 5, 4],
      rng: new SeededRng(opts.seed ?? 1),
      sizeOf: estimateSize,
      delegate,
      log: (level, msg) => logs.push(`[${level.toUpperCase()}] ${msg}`),
      ...opts.config,
    },
    opts.now ?? 0,
  );
  return { core, delegate, logs };
}

export function alive(node: string, incarnation: number, extra: Partial<AliveMsg> = {}): AliveMsg {
  const port = 8000 + Number(node.replace(/\D/g, '') || '0');
  return { type: 'alive', incarnation, node, addr: '127.0.0.2', port, meta: enc.encode(`m-${node}`), vsn: VSN, ...extra };
}

export const FROM = { addr: '127.0.0.9', port: 9999 };

/** Every packet message queued as a broadcast, drained by gossiping with lots of room. */
export function packets(outputs: readonly MemberlistOutput[]): Extract<MemberlistOutput, { kind: 'packet' }>[] {
  return outputs.filter((o): o is Extract<MemberlistOutput, { kind: 'packet' }> => o.kind === 'packet');
}

export function streams(outputs: readonly MemberlistOutput[]): Extract<MemberlistOutput, { kind: 'stream' }>[] {
  return outputs.filter((o): o is Extract<MemberlistOutput, { kind: 'stream' }> => o.kind === 'stream');
}

export function allMsgs(outputs: readonly MemberlistOutput[]): PacketMessage[] {
  return packets(outputs).flatMap((p) => [...p.msgs]);
}

/** Run the core's clock forward to `until`, ticking at each deadline; returns all outputs. */
export function runUntil(core: Memberlist, from: number, until: number): MemberlistOutput[] {
  const out: MemberlistOutput[] = [];
  let now = from;
  for (;;) {
    const next = core.nextDeadline();
    if (next > until) break;
    now = Math.max(now, next);
    core.tick(now);
    out.push(...core.drainOutputs());
  }
  return out;
}

export function stateOf(core: Memberlist, name: string): number | undefined {
  return core.members().find((m) => m.name === name)?.state;
}

export function incOf(core: Memberlist, name: string): number | undefined {
  return core.members().find((m) => m.name === name)?.incarnation;
}
