import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';
import { columnize } from '../../core/cli/columnize.js';

export default class IntentionList extends BaseCommand {
  static override summary = 'List connect intentions';
  static override description = `
Usage: consul intention list

  List all consul connect intentions.
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(IntentionList.flags);
    const client = this.api(flags);
    if (!client) return 1;
    let ixns;
    try {
      ixns = await client.connect.intentions();
    } catch (e) {
      return this.fail(`Failed to retrieve the intentions list: ${this.message(e)}`);
    }
    if (ixns.length === 0) {
      this.err('There are no intentions.');
      return 2;
    }
    const rows = ['ID|Source|Action|Destination|Precedence', ...ixns.map((i) => `${i.ID ?? ''}|${i.SourceName}|${i.Action}|${i.DestinationName}|${i.Precedence ?? 0}`)];
    this.out(columnize(rows, '|'));
    return 0;
  }
}
