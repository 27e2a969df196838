import { BaseCommand } from '../../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../../core/cli/flags.js';
import { goMarshalIndent } from '../../../core/cli/go-json.js';

export default class ConnectCaGetConfig extends BaseCommand {
  static override summary = 'Display the current Connect Certificate Authority (CA) configuration';
  static override description = `
Usage: consul connect ca get-config [options]

  Displays the current Connect Certificate Authority (CA) configuration.
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(ConnectCaGetConfig.flags);
    const client = this.api(flags);
    if (!client) return 1;
    try {
      this.out(goMarshalIndent(await client.connect.caGetConfig(), '    '));
    } catch (e) {
      return this.fail(`Error request CA configuration: ${this.message(e)}`);
    }
    return 0;
  }
}
