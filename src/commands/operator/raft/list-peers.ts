// `consul operator raft list-peers`: the Raft peer set as a table (Consul 1.17+:
// command/operator/raft/listpeers). Commit Index is each server's LastIndex from the
// configuration; "Trails Leader By" is the leader's LastIndex minus the server's, in uint64
// arithmetic as Go does it (a server ahead of the leader wraps around, exactly as Consul prints).
import { BaseCommand } from '../../../core/cli/base-command.js';
import { COLUMN_DELIM as D, columnize } from '../../../core/cli/columnize.js';
import { clientFlags, serverFlags } from '../../../core/cli/flags.js';
import type { RaftConfiguration } from '../../../core/client/operator.js';

const U64_MASK = (1n << 64n) - 1n;

/** The table Consul prints, rows joined by the columnize delimiter. */
export function peerRows(config: RaftConfiguration): string[] {
  const servers = config.Servers ?? [];
  const lastIndex = new Map<string, number>();
  for (const s of servers) lastIndex.set(s.ID, s.LastIndex ?? 0);
  let leaderIndex = 0n;
  for (const s of servers) if (s.Leader) leaderIndex = BigInt(lastIndex.get(s.ID) ?? 0);

  const rows = [['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol', 'Commit Index', 'Trails Leader By'].join(D)];
  for (const s of servers) {
    const own = lastIndex.get(s.ID) ?? 0;
    const behind = (leaderIndex - BigInt(own)) & U64_MASK;
    const trails = s.Leader ? '-' : behind === 1n ? '1 commit' : `${behind} commits`;
    const protocol = s.ProtocolVersion === '' ? '<=1' : s.ProtocolVersion;
    rows.push([s.Node, s.ID, s.Address, s.Leader ? 'leader' : 'follower', String(s.Voter), protocol, String(own), trails].join(D));
  }
  return rows;
}

export default class OperatorRaftListPeers extends BaseCommand {
  static override summary = 'Display the current Raft peer configuration';
  static override description = `
Usage: consul operator raft list-peers [options]

  Displays the current Raft peer configuration.
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(OperatorRaftListPeers.flags);
    const client = this.initClient(flags);
    if (!client) return 1;
    let config: RaftConfiguration;
    try {
      config = await client.operator.raftGetConfiguration({ allowStale: flags.stale });
    } catch (e) {
      return this.fail(`Error getting peers: Failed to retrieve raft configuration: ${this.message(e)}`);
    }
    this.out(columnize(peerRows(config)));
    return 0;
  }
}
