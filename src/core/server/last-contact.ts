// A server's "last contact" (X-Consul-LastContact, `consul info` last_contact, the max_stale
// bound): Consul reports time.Since(raft.LastContact()). hashicorp/raft's LastContact is the zero
// time until a leader first sends this server its log or a heartbeat, and time.Since(zero)
// saturates at Go's largest Duration, so a server that never heard a leader (just restarted, or
// leader since bootstrap and then deposed) is infinitely stale: max_stale reads go to the leader.

/** Go's max Duration (2^63-1 ns) in whole milliseconds, as Consul's header prints it. */
export const NEVER_CONTACTED_MS = 9_223_372_036_854;

/** Whole milliseconds, as Consul prints them (the monotonic clock has fractions). */
export function lastContactMs(isLeader: boolean, sinceLeaderSpokeMs: number | undefined): number {
  if (isLeader) return 0;
  return sinceLeaderSpokeMs === undefined ? NEVER_CONTACTED_MS : Math.floor(sinceLeaderSpokeMs);
}

/** hashicorp/raft Stats()["last_contact"]: "never", "0" on the leader, else the age. */
export function lastContactStat(isLeader: boolean, sinceLeaderSpokeMs: number | undefined): string {
  if (isLeader) return '0';
  return sinceLeaderSpokeMs === undefined ? 'never' : `${Math.floor(sinceLeaderSpokeMs)}ms`;
}
