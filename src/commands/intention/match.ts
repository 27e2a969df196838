import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags } from '../../core/cli/flags.js';
import { intentionLine } from './create.js';

export default class IntentionMatch extends BaseCommand {
  static override summary = 'Show intentions that match a source or destination.';
  static override description = `
Usage: consul intention match [options] SRC|DST

  Show the list of intentions that would be enforced for a given source
  or destination. The intentions are listed in the order they would be
  evaluated.

      $ consul intention match db
      $ consul intention match -source web
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    destination: boolFlag('Match intentions by destination. This is the default.'),
    source: boolFlag('Match intentions by source.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(IntentionMatch.flags);
    if (flags.source && flags.destination) return this.fail('Only one of -source or -destination may be specified.');
    if (argv.length !== 1) return this.fail('Error: command requires exactly one argument: src or dst');
    const client = this.api(flags);
    if (!client) return 1;
    try {
      for (const ixn of await client.connect.intentionMatch(flags.source ? 'source' : 'destination', argv[0] as string)) this.out(intentionLine(ixn));
    } catch (e) {
      return this.fail(`Error matching the connection: ${this.message(e)}`);
    }
    return 0;
  }
}
