import { AclCommand, formatFlag, metaFlag } from '../../../core/cli/acl/acl-command.js';
import { formatTokenList } from '../../../core/cli/acl/format.js';
import { clientFlags, serverFlags } from '../../../core/cli/flags.js';

/** command/acl/token/list/token_list.go */
export default class AclTokenList extends AclCommand {
  static override summary = 'List ACL tokens';
  static override description = `
Usage: consul acl token list [options]

  List all the ACL tokens

          $ consul acl token list
`;
  static override flags = { ...clientFlags, ...serverFlags, meta: metaFlag('token', 'Raft'), format: formatFlag };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclTokenList.flags);
    const client = this.api(flags);
    if (!client) return 1;
    let tokens;
    try {
      tokens = await client.acl.tokenList();
    } catch (e) {
      return this.fail(`Failed to retrieve the token list: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatTokenList(tokens, format, flags.meta));
    return 0;
  }
}
