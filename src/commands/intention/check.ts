import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';

export default class IntentionCheck extends BaseCommand {
  static override summary = 'Check whether a connection between two services is allowed.';
  static override description = `
Usage: consul intention check [options] SRC DST

  Check whether a connection between SRC and DST would be allowed by
  Connect given the current Consul configuration.

      $ consul intention check web db
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'source-type': stringFlag('The source type of the connection. Only "consul" is supported.', 'consul'),
  };

  // Consul: exit 0 allowed, 2 for a denial and for errors (the command's own exit codes).
  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(IntentionCheck.flags);
    if (argv.length !== 2) {
      this.err('Error: command requires exactly two arguments: src and dst');
      return 2;
    }
    if (flags['source-type'] !== 'consul') {
      this.err(`Error: invalid source type: ${flags['source-type'] ?? ''}`);
      return 2;
    }
    const client = this.api(flags);
    if (!client) return 2;
    let allowed: boolean;
    try {
      allowed = await client.connect.intentionCheck(argv[0] as string, argv[1] as string);
    } catch (e) {
      this.err(`Error checking the connection: ${this.message(e)}`);
      return 2;
    }
    this.out(allowed ? 'Allowed' : 'Denied');
    return allowed ? 0 : 2;
  }
}
