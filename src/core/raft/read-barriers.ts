// Linearizable read barriers (ReadIndex, Raft thesis §6.4) as the driver tracks them: a read is
// asked of the core under a unique context, the core answers with the commit index to wait for
// (a ReadState), and the barrier resolves once the FSM has applied that index.
//
// MUST: a barrier never resolves before the applied index reaches its read index; every barrier
// settles (resolved, rejected on leadership loss/shutdown, or timed out: the core drops reads it
// cannot answer).
import type { RawNode } from './core/index.js';
import { RaftError } from './core/types.js';

interface Pending {
  resolve(): void;
  reject(e: Error): void;
}

export class ReadBarriers {
  /** Asked of the core, waiting for its ReadState. */
  private readonly asked = new Map<string, Pending>();
  /** Answered with a read index, waiting for the FSM to apply it. */
  private readonly waiting: { index: number; resolve(): void }[] = [];
  private counter = 0;

  /** Starts a barrier on `node`; `kick` lets the driver send the read's messages. */
  start(node: RawNode, timeoutMs: number, kick: () => void): Promise<void> {
    const context = `r${++this.counter}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.asked.delete(context);
        reject(new RaftError('unavailable', 'timed out waiting for a read index'));
      }, timeoutMs);
      const done = { resolve: () => (clearTimeout(timer), resolve()), reject: (e: Error) => (clearTimeout(timer), reject(e)) };
      try {
        node.readIndex(context);
      } catch (err) {
        done.reject(err as Error);
        return;
      }
      this.asked.set(context, done);
      kick();
    });
  }

  /** The core's answer for `context`: wait until `index` is applied. */
  onReadState(context: string, index: number): void {
    const r = this.asked.get(context);
    if (!r) return;
    this.asked.delete(context);
    this.waiting.push({ index, resolve: r.resolve });
  }

  /** Resolves every barrier whose read index is applied. */
  release(applied: number): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i] as { index: number; resolve(): void };
      if (w.index <= applied) {
        this.waiting.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Fails the reads still waiting for the core (leadership lost, removed, shut down). */
  rejectAsked(err: Error): void {
    for (const r of this.asked.values()) r.reject(err);
    this.asked.clear();
  }
}
