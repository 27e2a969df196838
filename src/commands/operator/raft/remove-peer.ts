// `consul operator raft remove-peer -id=<id> | -address=<ip:port>`: drop a server that is gone
// from the Raft configuration (command/operator/raft/removepeer). Exactly one of the two flags.
import { BaseCommand } from '../../../core/cli/base-command.js';
import { goQuote } from '../../../core/cli/go-quote.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';

export default class OperatorRaftRemovePeer extends BaseCommand {
  static override summary = 'Remove a Consul server from the Raft configuration';
  static override description = `
Usage: consul operator raft remove-peer [options]

  Remove the Consul server with given -address from the Raft configuration.

  There are rare cases where a peer may be left behind in the Raft quorum even
  though the server is no longer present and known to the cluster. This command
  can be used to remove the failed server so that it is no longer affects the Raft
  quorum. If the server still shows in the output of the "consul members" command,
  it is preferable to clean up by simply running "consul force-leave" instead of
  this command.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    address: stringFlag('The address to remove from the Raft configuration.', ''),
    id: stringFlag('The ID to remove from the Raft configuration.', ''),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(OperatorRaftRemovePeer.flags);
    const address = flags.address ?? '';
    const id = flags.id ?? '';
    const client = this.initClient(flags);
    if (!client) return 1;
    // Consul checks these only after building the client: a bad -http-addr is reported first.
    if (address === '' && id === '') return this.fail('Error removing peer: an address or id is required for the peer to remove');
    if (address !== '' && id !== '') return this.fail('Error removing peer: cannot give both an address and id');
    try {
      if (address !== '') await client.operator.raftRemovePeerByAddress(address);
      else await client.operator.raftRemovePeerById(id);
    } catch (e) {
      return this.fail(`Error removing peer: ${this.message(e)}`);
    }
    this.out(address !== '' ? `Removed peer with address ${goQuote(address)}` : `Removed peer with id ${goQuote(id)}`);
    return 0;
  }
}
