// One-line instrumentation helpers for the places that produce Consul's key metrics.
import { metrics, metricsStart } from './metrics.js';

/** Time a synchronous call (e.g. the FSM applying one entry: raft.fsm.apply). */
export function measured<T>(key: readonly string[], fn: () => T): T {
  const t0 = metricsStart();
  try {
    return fn();
  } finally {
    metrics.measureSince(key, t0);
  }
}

/** The endpoint timer Consul emits for each kind of write (KVS.Apply -> kvs.apply, ...). */
const APPLY_TIMERS: Readonly<Record<string, readonly string[]>> = {
  kvs: ['kvs', 'apply'],
  register: ['catalog', 'register'],
  deregister: ['catalog', 'deregister'],
  txn: ['txn', 'apply'],
  session: ['session', 'apply'],
};

/**
 * A write proposed by the leader: raft.apply counts it; raft.commitTime and the endpoint's timer
 * (kvs.apply, catalog.register, txn.apply...) measure it until it is committed and applied.
 */
export async function measuredApply<T>(commandType: string, propose: () => Promise<T>): Promise<T> {
  const t0 = metricsStart();
  metrics.incrCounter(['raft', 'apply']);
  try {
    return await propose();
  } finally {
    metrics.measureSince(['raft', 'commitTime'], t0);
    const endpoint = APPLY_TIMERS[commandType];
    if (endpoint) metrics.measureSince(endpoint, t0);
  }
}

const SERF_MEMBER_COUNTERS: Readonly<Record<string, string>> = {
  'member-join': 'join',
  'member-leave': 'left',
  'member-failed': 'failed',
  'member-update': 'update',
  'member-reap': 'reap',
};

/** serf.member.join / left / failed / update / reap: members seen in a LAN membership event. */
export function countSerfMemberEvent(type: string, members: number): void {
  const name = SERF_MEMBER_COUNTERS[type];
  if (name) metrics.incrCounter(['serf', 'member', name], members);
}
