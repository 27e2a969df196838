import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';

export default class IntentionDelete extends BaseCommand {
  static override summary = 'Delete an intention.';
  static override description = `
Usage: consul intention delete [options] SRC DST
Usage: consul intention delete [options] ID

  Delete an intention. This cannot be reversed. The intention can be looked
  up via an exact source/destination match or via the unique intention ID.

      $ consul intention delete web db
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(IntentionDelete.flags);
    const client = this.api(flags);
    if (!client) return 1;
    try {
      if (argv.length === 1) await client.connect.intentionDelete(argv[0] as string);
      else if (argv.length === 2) await client.connect.intentionDeleteExact(argv[0] as string, argv[1] as string);
      else return this.fail('command requires exactly 1 or 2 arguments');
    } catch (e) {
      return this.fail(`Error deleting the intention: ${this.message(e)}`);
    }
    this.out('Intention deleted.');
    return 0;
  }
}
