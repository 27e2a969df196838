// The core's mutable record of one member (memberlist's nodeState), plus the helpers that turn it
// into the immutable views handed out (MemberNode, PushNodeState, alive messages).
// MUST: views are copies. Delegates and drivers keep what they are given; handing out the live
// record would let later state changes rewrite their history.
import { NodeStateKind, type AliveMsg, type PushNodeState, type Vsn } from './messages.js';
import type { MemberNode } from './types.js';

export interface NodeState {
  name: string;
  addr: string;
  port: number;
  meta: Uint8Array;
  vsn: Vsn;
  incarnation: number;
  state: NodeStateKind;
  stateChangeMs: number;
}

/** memberlist protocol range this implementation understands. */
export const PROTOCOL_VERSION_MIN = 1;
export const PROTOCOL_VERSION_MAX = 5;
/** Largest node meta memberlist accepts (MetaMaxSize). */
export const META_MAX_SIZE = 512;

export function deadOrLeft(n: NodeState): boolean {
  return n.state === NodeStateKind.Dead || n.state === NodeStateKind.Left;
}

export function pMax(vsn: Vsn): number {
  return vsn[1];
}

export function toMemberNode(n: NodeState): MemberNode {
  return Object.freeze({
    name: n.name,
    addr: n.addr,
    port: n.port,
    meta: n.meta,
    vsn: n.vsn,
    state: n.state,
    incarnation: n.incarnation,
    stateChangeMs: n.stateChangeMs,
  });
}

export function toPushNodeState(n: NodeState): PushNodeState {
  return { name: n.name, addr: n.addr, port: n.port, meta: n.meta, incarnation: n.incarnation, state: n.state, vsn: n.vsn };
}

/** The alive message that re-advertises `n` exactly as we know it (same meta and versions). */
export function aliveOf(n: NodeState, incarnation = n.incarnation): AliveMsg {
  return { type: 'alive', incarnation, node: n.name, addr: n.addr, port: n.port, meta: n.meta, vsn: n.vsn };
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function vsnEqual(a: Vsn, b: Vsn): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

