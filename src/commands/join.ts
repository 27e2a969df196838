import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags } from '../core/cli/flags.js';
import { commandHelpText } from '../core/cli/self-help.js';

export default class Join extends BaseCommand {
  static override summary = 'Tell Consul agent to join cluster';
  static override description = `Usage: consul join [options] address ...

  Tells a running Consul agent (with "consul agent") to join the cluster
  by specifying at least one existing member.`;
  static override flags = { ...clientFlags, wan: boolFlag('Joins a server to another server in the WAN pool.') };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Join.flags);
    const addrs = argv;
    if (addrs.length === 0) {
      this.err('At least one address to join must be specified.');
      this.err('');
      this.err(commandHelpText(this.config, 'join'));
      return 1;
    }
    const client = this.api(flags);
    if (!client) return 1;
    let joins = 0;
    for (const addr of addrs) {
      try {
        await client.agent.join(addr, flags.wan);
        joins++;
      } catch (e) {
        this.err(`Error joining address '${addr}': ${this.message(e)}`);
      }
    }
    if (joins === 0) return this.fail('Failed to join any nodes.');
    this.out(`Successfully joined cluster by contacting ${joins} nodes.`);
    return 0;
  }
}
