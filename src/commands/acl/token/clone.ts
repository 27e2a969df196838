import { AclCommand, formatFlag } from '../../../core/cli/acl/acl-command.js';
import { formatToken } from '../../../core/cli/acl/format.js';
import { tokenAccessorIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';

/** command/acl/token/clone/token_clone.go */
export default class AclTokenClone extends AclCommand {
  static override summary = 'Clone an ACL token';
  static override description = `
Usage: consul acl token clone [options]

    This command will clone a token. When cloning an alternate description may be given
    for use with the new token.

    Example:

        $ consul acl token clone -accessor-id abcd -description "replication"
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'accessor-id': stringFlag(
      "The Accessor ID of the token to clone. It may be specified as a unique ID prefix but will error if the prefix matches multiple token Accessor IDs. The special value of 'anonymous' may be provided instead of the anonymous tokens accessor ID",
    ),
    description: stringFlag('A description of the new cloned token'),
    format: formatFlag,
    id: stringFlag('DEPRECATED. Use -accessor-id instead.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclTokenClone.flags);
    let accessor = flags['accessor-id'] ?? '';
    if (accessor === '') {
      // (sic) Consul's clone command says "update" here.
      if ((flags.id ?? '') === '') return this.fail('Cannot update a token without specifying the -accessor-id parameter');
      accessor = flags.id!;
      this.err('The -id parameter is deprecated. Use the -accessor-id parameter instead.');
    }
    const client = this.api(flags);
    if (!client) return 1;
    let id: string;
    try {
      id = await tokenAccessorIdFromPartial(client.acl, accessor);
    } catch (e) {
      return this.fail(`Error determining token Accessor ID: ${this.message(e)}`);
    }
    let token;
    try {
      token = await client.acl.tokenClone(id, flags.description ?? '');
    } catch (e) {
      return this.fail(`Error cloning token: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatToken(token, format, false));
    return 0;
  }
}
