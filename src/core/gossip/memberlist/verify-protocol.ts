// memberlist's verifyProtocol (state.go), run on every push/pull before merging: the cluster's
// common range is the intersection of every alive node's [min, max], computed separately for the
// memberlist protocol and the delegate (serf) protocol, over both the remote view and ours; then
// every node's *current* versions must fall inside it. Returns an error text, or undefined.
import { NodeStateKind, type PushNodeState, type Vsn } from './messages.js';

interface Versioned {
  readonly name: string;
  readonly state: NodeStateKind;
  readonly vsn: Vsn;
}

export function verifyProtocol(remote: readonly PushNodeState[], local: readonly Versioned[]): string | undefined {
  let maxPMin = 0;
  let minPMax = 255;
  let maxDMin = 0;
  let minDMax = 255;
  const widen = (n: Versioned): void => {
    // Ranges come from alive nodes only: a dead node's versions must not block the living.
    if (n.state !== NodeStateKind.Alive) return;
    maxPMin = Math.max(maxPMin, n.vsn[0]);
    minPMax = Math.min(minPMax, n.vsn[1]);
    maxDMin = Math.max(maxDMin, n.vsn[3]);
    minDMax = Math.min(minDMax, n.vsn[4]);
  };
  for (const n of remote) widen(n);
  for (const n of local) widen(n);

  // Go checks current versions of every node, whatever its state.
  const check = (n: Versioned): string | undefined => {
    const pCur = n.vsn[2];
    const dCur = n.vsn[5];
    if (pCur < maxPMin || pCur > minPMax) {
      return `Node '${n.name}' protocol version (${pCur}) is incompatible: [${maxPMin}, ${minPMax}]`;
    }
    if (dCur < maxDMin || dCur > minDMax) {
      return `Node '${n.name}' delegate protocol version (${dCur}) is incompatible: [${maxDMin}, ${minDMax}]`;
    }
    return undefined;
  };
  for (const n of remote) {
    const err = check(n);
    if (err !== undefined) return err;
  }
  for (const n of local) {
    const err = check(n);
    if (err !== undefined) return err;
  }
  return undefined;
}
