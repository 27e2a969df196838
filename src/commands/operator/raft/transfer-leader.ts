// `consul operator raft transfer-leader [-id=<server ID>]`: hand Raft leadership to another
// server, or to the one the cluster picks (command/operator/raft/transferleader).
import { BaseCommand } from '../../../core/cli/base-command.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';

export default class OperatorRaftTransferLeader extends BaseCommand {
  static override summary = 'Transfer raft leadership to another node';
  static override description = `
Usage: consul operator raft transfer-leader [options]

  Transfer raft leadership to another node.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    id: stringFlag('The ID of the node to transfer leadership to.', ''),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(OperatorRaftTransferLeader.flags);
    const client = this.initClient(flags);
    if (!client) return 1;
    let success: boolean;
    try {
      success = (await client.operator.raftLeaderTransfer(flags.id ?? '', { allowStale: flags.stale })).Success;
    } catch (e) {
      // Go wraps with "%w" and no separator, hence "leadership Unexpected ...".
      return this.fail(`Error transfering leadership: Failed to transfer leadership ${this.message(e)}`);
    }
    if (!success) return this.fail('Error transfering leadership: Failed to transfer leadership');
    this.out('Success');
    return 0;
  }
}
