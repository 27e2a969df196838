// The one leadership transfer a leader may have in progress (thesis §3.10): it succeeds when the
// core reports another leader, and fails at its deadline or when the driver stops.
import type { NodeId } from './core/types.js';
import { RaftError } from './core/types.js';

interface Pending {
  readonly target: NodeId;
  resolve(): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
}

export class LeaderTransfer {
  private pending: Pending | undefined;

  /** The server a transfer in progress hands leadership to. */
  get target(): NodeId | undefined {
    return this.pending?.target;
  }

  /** Waits for another leader, failing with RaftError('timeout') after `limitMs`. */
  wait(target: NodeId, limitMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new RaftError('timeout', `leadership transfer to ${target} timed out`));
      }, limitMs);
      this.pending = { target, resolve, reject, timer };
    });
  }

  /** The core names `leader`; true when that completes the transfer in progress. */
  leaderChanged(leader: NodeId, selfId: NodeId): boolean {
    const t = this.pending;
    if (!t || leader === '' || leader === selfId) return false;
    this.pending = undefined;
    clearTimeout(t.timer);
    t.resolve();
    return true;
  }

  fail(err: Error): void {
    const t = this.pending;
    if (!t) return;
    this.pending = undefined;
    clearTimeout(t.timer);
    t.reject(err);
  }
}
