import { AclCommand } from '../../../core/cli/acl/acl-command.js';
import { roleIdByName, roleIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';

/** command/acl/role/delete/role_delete.go */
export default class AclRoleDelete extends AclCommand {
  static override summary = 'Delete an ACL role';
  static override description = `
Usage: consul acl role delete [options] -id ROLE

    Deletes an ACL role by providing the ID or a unique ID prefix.

    Delete by prefix:

        $ consul acl role delete -id b6b85

    Delete by full ID:

        $ consul acl role delete -id b6b856da-5193-4e78-845a-7d61ca8371ba

`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    id: stringFlag('The ID of the role to delete. It may be specified as a unique ID prefix but will error if the prefix matches multiple role IDs'),
    name: stringFlag('The name of the role to delete.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclRoleDelete.flags);
    if ((flags.id ?? '') === '' && (flags.name ?? '') === '') return this.fail('Must specify the -id or -name parameters');
    const client = this.api(flags);
    if (!client) return 1;
    let id: string;
    try {
      id = flags.id ? await roleIdFromPartial(client.acl, flags.id) : await roleIdByName(client.acl, flags.name ?? '');
    } catch (e) {
      return this.fail(`Error determining role ID: ${this.message(e)}`);
    }
    try {
      await client.acl.roleDelete(id);
    } catch (e) {
      return this.fail(`Error deleting role ${JSON.stringify(id)}: ${this.message(e)}`);
    }
    this.out(`Role ${JSON.stringify(id)} deleted successfully`);
    return 0;
  }
}
