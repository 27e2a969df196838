// The story of an election in hashicorp/raft's words (raft.go: runFollower, runCandidate,
// runLeader), so that a consul-ts server's log reads like a Consul server's during a failover:
//   [WARN]  heartbeat timeout reached, starting election: last-leader-addr=... last-leader-id=...
//   [INFO]  entering candidate state: node="Node at 127.0.0.1:8300 [Candidate]" term=3
//   [INFO]  election won: term=3
//   [INFO]  entering leader state: leader="Node at 127.0.0.1:8300 [Leader]"
//   [INFO]  entering follower state: follower="Node at ... [Follower]" leader-address=... leader-id=...
import type { NodeId, SoftState, TickEvent } from './core/index.js';
import type { RaftLogger } from './driver-types.js';

export class ElectionLog {
  constructor(
    private readonly selfId: NodeId,
    private readonly logger: RaftLogger,
    /** A server's RPC address by ID, when known (the node's own too). */
    private readonly addressOf: (id: NodeId) => string | undefined,
  ) {}

  private node(state: string): string {
    return `"Node at ${this.addressOf(this.selfId) ?? this.selfId} [${state}]"`;
  }

  /** After a tick: what the core did about a silent leader or a stalled election. */
  tick(event: TickEvent, lastLeader: NodeId): void {
    const addr = lastLeader === '' ? '' : (this.addressOf(lastLeader) ?? '');
    switch (event) {
      case 'heartbeatTimeout':
        this.logger.warn(`heartbeat timeout reached, starting election: last-leader-addr=${addr} last-leader-id=${lastLeader}`);
        return;
      case 'electionTimeout':
        this.logger.warn('Election timeout reached, restarting election');
        return;
      case 'leaderLost':
        this.logger.warn('heartbeat timeout reached, not part of a stable configuration or a non-voter, not triggering a leader election');
        return;
      case 'none':
        return;
    }
  }

  /** A role or leader change that came out of the core (`term` is the current one). */
  transition(prev: SoftState, next: SoftState, term: number): void {
    if (prev.role === next.role) return;
    const campaigning = (r: SoftState['role']): boolean => r === 'candidate' || r === 'preCandidate';
    if (campaigning(next.role)) {
      if (prev.role === 'preCandidate' && next.role === 'candidate') {
        this.logger.info(`pre-vote successful, starting election: term=${term}`);
      } else if (!campaigning(prev.role)) {
        // A pre-candidate asks for votes in the term it would start.
        this.logger.info(`entering candidate state: node=${this.node('Candidate')} term=${next.role === 'preCandidate' ? term + 1 : term}`);
      }
      return;
    }
    if (next.role === 'leader') {
      this.logger.info(`election won: term=${term}`);
      this.logger.info(`entering leader state: leader=${this.node('Leader')}`);
      return;
    }
    const addr = next.leader === '' ? '' : (this.addressOf(next.leader) ?? '');
    this.logger.info(`entering follower state: follower=${this.node('Follower')} leader-address=${addr} leader-id=${next.leader}`);
  }
}
