import { BaseCommand } from '../core/cli/base-command.js';
import { clientFlags } from '../core/cli/flags.js';

export default class Reload extends BaseCommand {
  static override summary = 'Triggers the agent to reload configuration files';
  static override description = `
Usage: consul reload

  Causes the agent to reload configurations. This can be used instead
  of sending the SIGHUP signal to the agent.
`;
  static override flags = { ...clientFlags };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(Reload.flags);
    const client = this.api(flags);
    if (!client) return 1;
    try {
      await client.agent.reload();
    } catch (e) {
      return this.fail(`Error reloading: ${this.message(e)}`);
    }
    this.out('Configuration reload triggered');
    return 0;
  }
}
