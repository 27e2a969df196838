import { BaseCommand } from '../core/cli/base-command.js';
import { clientFlags } from '../core/cli/flags.js';
import { commandHelpText } from '../core/cli/self-help.js';

export default class Leave extends BaseCommand {
  static override summary = 'Gracefully leaves the Consul cluster and shuts down';
  static override description = `
Usage: consul leave [options]

  Causes the agent to gracefully leave the Consul cluster and shutdown.
`;
  static override flags = { ...clientFlags };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Leave.flags);
    const args = argv;
    if (args.length > 0) {
      this.err(`Error found unexpected args: [${args.join(' ')}]`);
      this.out(commandHelpText(this.config, 'leave'));
      return 1;
    }
    const client = this.api(flags);
    if (!client) return 1;
    try {
      await client.agent.leave();
    } catch (e) {
      return this.fail(`Error leaving: ${this.message(e)}`);
    }
    this.out('Graceful leave complete');
    return 0;
  }
}
