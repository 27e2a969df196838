// The cluster-size formulas of memberlist (util.go, suspicion.go), in milliseconds.
// MUST stay numerically identical to the Go versions (including their truncations), because the
// failure-detection bounds other agents expect of us come from them.

/** Suspicion minimum: mult * max(1, log10(max(1, n))) * probe interval (scale kept to 1/1000). */
export function suspicionTimeoutMs(suspicionMult: number, n: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  // Go truncates the scale to thousandths before multiplying (time.Duration(nodeScale*1000)).
  return (suspicionMult * Math.trunc(nodeScale * 1000) * probeIntervalMs) / 1000;
}

/**
 * What is left of a suspicion timer after `confirmations` of `k` expected, `elapsedMs` after it
 * started: the timeout shrinks from max towards min logarithmically, floored to whole ms.
 */
export function remainingSuspicionMs(
  confirmations: number,
  k: number,
  elapsedMs: number,
  minMs: number,
  maxMs: number,
): number {
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  const raw = maxMs / 1000 - frac * (maxMs / 1000 - minMs / 1000);
  let timeout = Math.floor(1000 * raw);
  if (timeout < minMs) timeout = minMs;
  return timeout - elapsedMs;
}

/** How many times one broadcast is sent: mult * ceil(log10(n + 1)). */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

const PUSH_PULL_SCALE_THRESHOLD = 32;

/** Push/pull interval, stretched above 32 nodes by ceil(log2 n - log2 32) + 1. */
export function pushPullScaleMs(intervalMs: number, n: number): number {
  if (n <= PUSH_PULL_SCALE_THRESHOLD) return intervalMs;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1;
  return multiplier * intervalMs;
}
