import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags } from '../core/cli/flags.js';
import { commandHelpText } from '../core/cli/self-help.js';

export default class ForceLeave extends BaseCommand {
  static override summary = 'Forces a member of the cluster to enter the "left" state';
  static override description = `Usage: consul force-leave [options] name

  Forces a member of a Consul cluster to enter the "left" state. Note
  that if the member is still actually alive, it will eventually rejoin
  the cluster. This command is most useful for cleaning out "failed" nodes
  that are never coming back. If you do not force leave a failed node,
  Consul will attempt to reconnect to those failed nodes for some period of
  time before eventually reaping them.`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    prune: boolFlag('Remove agent forcibly from list of members'),
    wan: boolFlag('Exclusively leave the agent from the WAN serf pool.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(ForceLeave.flags);
    const nodes = argv;
    if (nodes.length !== 1) {
      this.err('A single node name must be specified to force leave.');
      this.err('');
      this.err(commandHelpText(this.config, 'force-leave'));
      return 1;
    }
    const client = this.api(flags);
    if (!client) return 1;
    try {
      await client.agent.forceLeave(nodes[0]!, { prune: flags.prune, wan: flags.wan });
    } catch (e) {
      return this.fail(`Error force leaving: ${this.message(e)}`);
    }
    return 0;
  }
}
