// Lifeguard self-awareness (memberlist awareness.go): a health score in [0, max-1] that grows when
// this node has trouble (missed nacks, having to refute) and shrinks on successful probes. Probe
// intervals are stretched by (score + 1) so an overloaded node slows down instead of wrongly
// accusing healthy peers.

export class Awareness {
  private score = 0;

  /** `max` is AwarenessMaxMultiplier; the score never exceeds max - 1. */
  constructor(private readonly max: number) {}

  applyDelta(delta: number): void {
    this.score = Math.min(Math.max(this.score + delta, 0), Math.max(this.max - 1, 0));
  }

  healthScore(): number {
    return this.score;
  }

  scaleTimeout(ms: number): number {
    return ms * (this.score + 1);
  }
}
