// Lock-delay: after a session is invalidated, the keys it held cannot be locked by another
// session until its LockDelay has passed (Consul: agent/consul/state/delay*.go, enforced in
// kvs_endpoint.go kvsPreApply).
//
// Consul keeps these wall-clock expirations beside the state store and checks them on the leader
// before proposing, never in the FSM: each server would otherwise expire them at a different
// moment and the replicas would diverge. Every server records them as it applies the
// invalidation (so a new leader still honours recent ones); only the leader consults them.
import type { LockDelayNote } from '../state/store.js';
import { systemClock, type ServerClock } from './timers.js';

export class LockDelays {
  private readonly expiresAtMs = new Map<string, number>();

  constructor(private readonly clock: ServerClock = systemClock) {}

  /** Record the delays of one committed invalidation; all get the same "now", as Consul's. */
  record(notes: readonly LockDelayNote[]): void {
    const now = this.clock.nowMs();
    for (const n of notes) {
      const until = now + n.delayNs / 1e6;
      if (until > (this.expiresAtMs.get(n.key) ?? 0)) this.expiresAtMs.set(n.key, until);
    }
  }

  /** True while a lock on `key` must be refused. Expired entries are dropped on the way. */
  isDelayed(key: string): boolean {
    const until = this.expiresAtMs.get(key);
    if (until === undefined) return false;
    if (until > this.clock.nowMs()) return true;
    this.expiresAtMs.delete(key);
    return false;
  }
}
