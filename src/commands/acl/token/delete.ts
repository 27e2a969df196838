import { AclCommand } from '../../../core/cli/acl/acl-command.js';
import { tokenAccessorIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';

/** command/acl/token/delete/token_delete.go */
export default class AclTokenDelete extends AclCommand {
  static override summary = 'Delete an ACL token';
  static override description = `
Usage: consul acl token delete [options] -accessor-id TOKEN

  Deletes an ACL token by providing either the ID or a unique ID prefix.

      Delete by prefix:

          $ consul acl token delete -accessor-id b6b85

      Delete by full ID:

          $ consul acl token delete -accessor-id b6b856da-5193-4e78-845a-7d61ca8371ba
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'accessor-id': stringFlag(
      'The Accessor ID of the token to delete. It may be specified as a unique ID prefix but will error if the prefix matches multiple token Accessor IDs',
    ),
    id: stringFlag('DEPRECATED. Use -accessor-id instead.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclTokenDelete.flags);
    let accessor = flags['accessor-id'] ?? '';
    if (accessor === '') {
      if ((flags.id ?? '') === '') return this.fail('Must specify the -accessor-id parameter');
      accessor = flags.id!;
      this.err('Use the -accessor-id parameter to specify token by Accessor ID.');
    }
    const client = this.api(flags);
    if (!client) return 1;
    let id: string;
    try {
      id = await tokenAccessorIdFromPartial(client.acl, accessor);
    } catch (e) {
      return this.fail(`Error determining token ID: ${this.message(e)}`);
    }
    try {
      await client.acl.tokenDelete(id);
    } catch (e) {
      return this.fail(`Error deleting token ${JSON.stringify(id)}: ${this.message(e)}`);
    }
    this.out(`Token ${JSON.stringify(id)} deleted successfully`);
    return 0;
  }
}
