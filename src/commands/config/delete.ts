import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, stringFlag, uintFlag } from '../../core/cli/flags.js';

export default class ConfigDelete extends BaseCommand {
  static override summary = 'Delete a centralized config entry';
  static override description = `
Usage: consul config delete [options] ([-kind <config kind> -name <config name>] | [-filename <path-to-file>])

  Deletes the configuration entry specified by the kind and name.

  Example:

    $ consul config delete -kind service-defaults -name web
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    kind: stringFlag('The kind of configuration to delete.'),
    name: stringFlag('The name of configuration to delete.'),
    cas: boolFlag('Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.'),
    'modify-index': uintFlag('Unsigned integer representing the ModifyIndex of the config entry. This is used in combination with the -cas flag.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(ConfigDelete.flags);
    const kind = flags.kind ?? '';
    const name = flags.name ?? '';
    if (kind === '') return this.fail('Must specify the -kind parameter');
    if (name === '') return this.fail('Must specify the -name parameter');
    if (flags.cas && flags['modify-index'] === 0) return this.fail('Must specify a -modify-index greater than 0 with -cas');
    if (!flags.cas && flags['modify-index'] !== 0) return this.fail('Cannot specify -modify-index without -cas');
    const client = this.api(flags);
    if (!client) return 1;
    let ok: boolean;
    try {
      ok = await client.connect.configDelete(kind, name, flags.cas ? flags['modify-index'] : undefined);
    } catch (e) {
      return this.fail(`Error deleting config entry ${kind}/${name}: ${this.message(e)}`);
    }
    if (!ok) return this.fail(`Config entry not deleted: ${kind}/${name}`);
    this.out(`Config entry deleted: ${kind}/${name}`);
    return 0;
  }
}
