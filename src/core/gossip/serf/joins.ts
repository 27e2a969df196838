// The memberlist joins serf starts and what it does when each finishes (serf.go Join,
// handleReconnect, and the snapshot rejoin): an application join announces us with a join
// intent; the reconnect loop retries one failed member at a time; after a restart, the
// snapshot's members are tried one by one until one answers.
import type { Address } from '../memberlist/messages.js';
import type { MemberState } from './member-table.js';
import type { PreviousNode, SerfLogLevel } from './types.js';

/** A memberlist join we started: by the application, by the reconnect loop, or to rejoin after a restart. */
type PendingJoin =
  | { readonly kind: 'user'; readonly ignoreOld: boolean }
  | { readonly kind: 'reconnect' }
  | { readonly kind: 'rejoin' };

export interface JoinsHost {
  /** Start a memberlist join; its id comes back in finished(). */
  join(seeds: readonly Address[], now: number): number;
  /** Announce ourselves with a join intent at the current clock. */
  announce(now: number): void;
  log(level: SerfLogLevel, msg: string): void;
}

export class Joins {
  private readonly pending = new Map<number, PendingJoin>();

  constructor(
    private readonly host: JoinsHost,
    /** The snapshot's alive members (not us), tried in order by rejoinNext. */
    private rejoinCandidates: PreviousNode[],
  ) {}

  /** An application join (serf.Join); `ignoreOld` drops the events it catches up on. */
  user(seeds: readonly Address[], ignoreOld: boolean, now: number): number {
    const id = this.host.join(seeds, now);
    this.pending.set(id, { kind: 'user', ignoreOld });
    return id;
  }

  /** True while an application join that ignores old events is in flight. */
  ignoringOldEvents(): boolean {
    for (const j of this.pending.values()) if (j.kind === 'user' && j.ignoreOld) return true;
    return false;
  }

  reconnect(mem: MemberState, now: number): void {
    this.host.log('info', `serf: attempting reconnect to ${mem.name} ${mem.addr}:${mem.port}`);
    const id = this.host.join([{ addr: mem.addr, port: mem.port }], now);
    this.pending.set(id, { kind: 'reconnect' });
  }

  /** Rejoin through the snapshot's members one at a time until one answers. */
  rejoinNext(now: number): void {
    const prev = this.rejoinCandidates.shift();
    if (!prev) return;
    this.host.log('info', `serf: Attempting re-join to previously known node: ${prev.name}: ${prev.addr}:${prev.port}`);
    const id = this.host.join([{ addr: prev.addr, port: prev.port }], now);
    this.pending.set(id, { kind: 'rejoin' });
  }

  /** memberlist reported the join `id` done, having reached `contacted` seeds. */
  finished(id: number, contacted: number, now: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (pending.kind === 'user') {
      if (contacted > 0) this.host.announce(now);
    } else if (pending.kind === 'rejoin') {
      if (contacted > 0) {
        this.host.log('info', 'serf: Re-joined to previously known node');
        this.rejoinCandidates = [];
      } else if (this.rejoinCandidates.length > 0) {
        this.rejoinNext(now);
      } else {
        this.host.log('warn', 'serf: Failed to re-join any previously known node');
      }
    }
  }
}
