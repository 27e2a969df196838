import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';

export default class ConfigList extends BaseCommand {
  static override summary = 'List centralized config entries of a given kind';
  static override description = `
Usage: consul config list [options] -kind <config kind>

  Lists all of the config entries for a given kind. The -kind parameter
  is required.

  Example:

    $ consul config list -kind service-defaults
`;
  static override flags = { ...clientFlags, ...serverFlags, kind: stringFlag('The kind of configurations to list.') };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(ConfigList.flags);
    const kind = flags.kind ?? '';
    if (kind === '') return this.fail('Must specify the -kind parameter');
    const client = this.api(flags);
    if (!client) return 1;
    try {
      for (const e of await client.connect.configList(kind)) this.out(String(e.Name ?? ''));
    } catch (e) {
      return this.fail(`Error listing config entries for kind "${kind}": ${this.message(e)}`);
    }
    return 0;
  }
}
