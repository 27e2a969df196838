// Futures of proposals waiting for their entry to be applied, keyed by log index.
//
// MUST: a future resolves only if the entry applied at its index has the term it was proposed in;
// another term there means the entry was overwritten by a later leader (the write was lost) and
// the future rejects. Every future has a deadline, so a caller never waits forever.
import { RaftError } from './core/types.js';

interface Waiter<T> {
  readonly term: number;
  resolve(value: T): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
}

export class ProposalFutures<T> {
  private readonly waiting = new Map<number, Waiter<T>>();

  /** A future for the entry proposed at {index, term}, failing with timeoutError() after timeoutMs. */
  wait(slot: { index: number; term: number }, timeoutMs: number, timeoutError: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(slot.index);
        reject(timeoutError());
      }, timeoutMs);
      this.waiting.set(slot.index, { term: slot.term, resolve, reject, timer });
    });
  }

  /** The entry at `index` was applied with `term`; `outcome` is undefined when it is not the kind
   * of entry this registry waits for (so the proposal was replaced). */
  settle(index: number, term: number, outcome: { value: T } | undefined): void {
    const w = this.waiting.get(index);
    if (!w) return;
    this.waiting.delete(index);
    clearTimeout(w.timer);
    if (w.term === term && outcome) w.resolve(outcome.value);
    else w.reject(new RaftError('proposalDropped', 'leadership lost while committing log'));
  }

  rejectAll(err: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  get size(): number {
    return this.waiting.size;
  }
}
