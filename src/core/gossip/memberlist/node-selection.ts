// Random choices over the node list, as memberlist makes them (util.go): k random distinct nodes
// by up to 3n random draws, Fisher-Yates shuffles for the probe round robin, and reaping of nodes
// that have been dead (or left) for longer than gossipToTheDead.
// All randomness comes from the injected Rng so a simulation replays exactly.
import type { Rng } from '../../support/rng.js';
import { deadOrLeft, type NodeState } from './node-state.js';

export function randomOffset(rng: Rng, n: number): number {
  return n === 0 ? 0 : rng.int(n);
}

/** Up to k distinct nodes for which `exclude` is false; fewer when they are hard to find. */
export function kRandomNodes(
  rng: Rng,
  k: number,
  nodes: readonly NodeState[],
  exclude: (n: NodeState) => boolean,
): NodeState[] {
  const n = nodes.length;
  const picked: NodeState[] = [];
  for (let i = 0; i < 3 * n && picked.length < k; i++) {
    const node = nodes[randomOffset(rng, n)] as NodeState;
    if (exclude(node) || picked.includes(node)) continue;
    picked.push(node);
  }
  return picked;
}

export function shuffleInPlace<T>(rng: Rng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}

/**
 * Move nodes dead or left for more than `gossipToTheDeadMs` to the end of the list; returns how
 * many stay (the index of the first reaped one). `keep` protects a node (ourselves) from reaping.
 */
export function moveDeadNodes(
  nodes: NodeState[],
  gossipToTheDeadMs: number,
  now: number,
  keep: (n: NodeState) => boolean,
): number {
  let numDead = 0;
  const n = nodes.length;
  for (let i = 0; i < n - numDead; i++) {
    const node = nodes[i] as NodeState;
    if (!deadOrLeft(node) || keep(node)) continue;
    if (now - node.stateChangeMs <= gossipToTheDeadMs) continue;
    const last = n - numDead - 1;
    nodes[i] = nodes[last] as NodeState;
    nodes[last] = node;
    numDead++;
    i--;
  }
  return n - numDead;
}
