import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';

export default class CatalogDatacenters extends BaseCommand {
  static override summary = 'Lists all known datacenters';
  static override description = `
Usage: consul catalog datacenters [options]

  Retrieves the list of all known datacenters, sorted in ascending order of
  the estimated median round trip time from the servers in this datacenter
  to the servers in each of the others.

  To list the datacenters:

      $ consul catalog datacenters

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(CatalogDatacenters.flags);
    if (argv.length > 0) return this.fail(`Too many arguments (expected 0, got ${argv.length})`);
    const client = this.api(flags);
    if (!client) return 1;
    let dcs: string[];
    try {
      dcs = await client.catalog.datacenters();
    } catch (e) {
      return this.fail(`Error listing datacenters: ${this.message(e)}`);
    }
    for (const dc of dcs) this.out(dc);
    return 0;
  }
}
