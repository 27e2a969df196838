// Name conflict resolution (serf's resolveNodeConflict): when another address claims our name we
// ask the cluster with `_serf_conflict` which address it knows for the name, and stay only if a
// majority of the answers name ours. Consul disables this (EnableNameConflictResolution=false).
import { decodeConflictResponse } from './codec.js';
import { type ConflictMember, SerfMessageType } from './messages.js';
import type { QueryOwner } from './query-registry.js';
import type { SerfLogLevel } from './types.js';

export const CONFLICT_QUERY_NAME = '_serf_conflict';

export class ConflictVote implements QueryOwner {
  private responses = 0;
  private matching = 0;

  constructor(
    private readonly local: { readonly addr: string; readonly port: number },
    /** Called when we lost the vote: the node must shut down. */
    private readonly lose: (reason: string) => void,
    private readonly log: (level: SerfLogLevel, msg: string) => void,
  ) {}

  onAck(): void {}

  onResponse(_from: string, payload: Uint8Array): void {
    if (payload.length < 1 || payload[0] !== SerfMessageType.ConflictResponse) {
      this.log('error', `serf: Invalid conflict query response type: [${[...payload].join(' ')}]`);
      return;
    }
    let member: ConflictMember;
    try {
      member = decodeConflictResponse(payload);
    } catch (e) {
      this.log('error', `serf: Failed to decode conflict query response: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.responses += 1;
    if (member.addr === this.local.addr && member.port === this.local.port) this.matching += 1;
  }

  onDone(): void {
    const majority = Math.floor(this.responses / 2) + 1;
    if (this.matching >= majority) {
      this.log('info', `serf: majority in name conflict resolution [${this.matching} / ${this.responses}]`);
      return;
    }
    this.log('warn', `serf: minority in name conflict resolution, quitting [${this.matching} / ${this.responses}]`);
    this.lose(`minority in name conflict resolution [${this.matching} / ${this.responses}]`);
  }
}
