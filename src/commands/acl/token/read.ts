import { AclCommand, formatFlag, metaFlag } from '../../../core/cli/acl/acl-command.js';
import { formatToken } from '../../../core/cli/acl/format.js';
import { tokenAccessorIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import type { AclToken } from '../../../core/client/index.js';

/** command/acl/token/read/token_read.go (without -expanded). */
export default class AclTokenRead extends AclCommand {
  static override summary = 'Read an ACL token';
  static override description = `
Usage: consul acl token read [options] -accessor-id TOKENID

  This command will retrieve and print out the details of
  a single token.

  Using a partial ID:

          $ consul acl token read -accessor-id 4be56c77-82

  Using the full ID:

          $ consul acl token read -accessor-id 4be56c77-8244-4c7d-b08c-667b8c71baed
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('token', 'Raft'),
    self: boolFlag('Indicates that the current HTTP token should be read by secret ID instead of expecting a -accessor-id option'),
    'accessor-id': stringFlag(
      'The Accessor ID of the token to read. It may be specified as a unique ID prefix but will error if the prefix matches multiple token Accessor IDs',
    ),
    format: formatFlag,
    id: stringFlag('DEPRECATED. Use -accessor-id instead.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclTokenRead.flags);
    const client = this.api(flags);
    if (!client) return 1;
    let token: AclToken;
    if (!flags.self) {
      let accessor = flags['accessor-id'] ?? '';
      if (accessor === '') {
        if ((flags.id ?? '') === '') return this.fail('Must specify the -accessor-id parameter');
        accessor = flags.id!;
        this.err('Use the -accessor-id parameter to specify token by Accessor ID');
      }
      let id: string;
      try {
        id = await tokenAccessorIdFromPartial(client.acl, accessor);
      } catch (e) {
        return this.fail(`Error determining token ID: ${this.message(e)}`);
      }
      try {
        token = await client.acl.tokenRead(id);
      } catch (e) {
        return this.fail(`Error reading token ${JSON.stringify(id)}: ${this.message(e)}`);
      }
    } else {
      try {
        token = await client.acl.tokenReadSelf();
      } catch (e) {
        return this.fail(`Error reading token: ${this.message(e)}`);
      }
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatToken(token, format, flags.meta));
    return 0;
  }
}
