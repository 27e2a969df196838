import { AclCommand, formatFlag } from '../../core/cli/acl/acl-command.js';
import { formatToken } from '../../core/cli/acl/format.js';
import { loadDataSourceNoRaw } from '../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';

/** command/acl/bootstrap/bootstrap.go */
export default class AclBootstrap extends AclCommand {
  static override summary = "Bootstrap Consul's ACL system";
  static override description = `
Usage: consul acl bootstrap [options]

  The bootstrap command will request Consul to generate a new token with unlimited privileges to use
  for management purposes and output its details. This can only be done once and afterwards bootstrapping
  will be disabled. If all tokens are lost and you need to bootstrap again you can follow the bootstrap
  reset procedure
`;
  static override flags = { ...clientFlags, ...serverFlags, format: formatFlag };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(AclBootstrap.flags);
    if (argv.length > 1) return this.fail('This command takes up to one argument');
    let secret = '';
    if (argv.length === 1) {
      try {
        secret = (await loadDataSourceNoRaw(argv[0]!)).trim();
      } catch (e) {
        return this.fail(`Error reading provided token: ${this.message(e)}`);
      }
    }
    const client = this.api(flags);
    if (!client) return 1;
    let token;
    try {
      token = await client.acl.bootstrap(secret);
    } catch (e) {
      return this.fail(`Failed ACL bootstrapping: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatToken(token, format, false));
    return 0;
  }
}
