import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags, stringFlag } from '../../core/cli/flags.js';
import { goMarshalIndent } from '../../core/cli/go-json.js';

export default class ConfigRead extends BaseCommand {
  static override summary = 'Read a centralized config entry';
  static override description = `
Usage: consul config read [options] -kind <config kind> -name <config name>

  Reads the config entry specified by the given kind and name and outputs its
  JSON representation.

  Example:

    $ consul config read -kind proxy-defaults -name global
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    kind: stringFlag('The kind of configuration to read.'),
    name: stringFlag('The name of configuration to read.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(ConfigRead.flags);
    const kind = flags.kind ?? '';
    const name = flags.name ?? '';
    if (kind === '') return this.fail('Must specify the -kind parameter');
    if (name === '') return this.fail('Must specify the -name parameter');
    const client = this.api(flags);
    if (!client) return 1;
    try {
      this.out(goMarshalIndent(await client.connect.configGet(kind, name), '    '));
    } catch (e) {
      return this.fail(`Error reading config entry ${kind}/${name}: ${this.message(e)}`);
    }
    return 0;
  }
}
