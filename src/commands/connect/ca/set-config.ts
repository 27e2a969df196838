import { readFile } from 'node:fs/promises';
import { BaseCommand } from '../../../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';

export default class ConnectCaSetConfig extends BaseCommand {
  static override summary = 'Modify the current Connect CA configuration';
  static override description = `
Usage: consul connect ca set-config [options]

  Modifies the current Connect Certificate Authority (CA) configuration.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'config-file': stringFlag('The path to the config file to use.'),
    'force-without-cross-signing': boolFlag(
      'Indicates that the CA reconfiguration should go ahead even if the current CA is unable to cross sign certificates. This risks temporary connection failures during the rollout as the mesh won\'t trust the new CA.',
    ),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(ConnectCaSetConfig.flags);
    const file = flags['config-file'] ?? '';
    if (file === '') return this.fail("The -config-file flag is required");
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      return this.fail(`Error parsing config file: ${this.message(e)}`);
    }
    if (flags['force-without-cross-signing']) config.ForceWithoutCrossSigning = true;
    const client = this.api(flags);
    if (!client) return 1;
    try {
      await client.connect.caSetConfig(config);
    } catch (e) {
      return this.fail(`Error setting CA configuration: ${this.message(e)}`);
    }
    this.out('Configuration updated!');
    return 0;
  }
}
