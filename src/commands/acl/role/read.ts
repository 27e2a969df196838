import { AclCommand, formatFlag, metaFlag } from '../../../core/cli/acl/acl-command.js';
import { formatRole } from '../../../core/cli/acl/format.js';
import { roleIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import type { AclRole } from '../../../core/client/index.js';

/** command/acl/role/read/role_read.go */
export default class AclRoleRead extends AclCommand {
  static override summary = 'Read an ACL role';
  static override description = `
Usage: consul acl role read [options] ROLE

    This command will retrieve and print out the details
    of a single role.

    Read:

        $ consul acl role read -id fdabbcb5-9de5-4b1a-961f-77214ae88cba

    Read by name:

        $ consul acl role read -name my-policy

`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('role'),
    id: stringFlag('The ID of the role to read. It may be specified as a unique ID prefix but will error if the prefix matches multiple policy IDs'),
    name: stringFlag('The name of the role to read.'),
    format: formatFlag,
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclRoleRead.flags);
    const byId = flags.id ?? '';
    const name = flags.name ?? '';
    if (byId === '' && name === '') return this.fail('Must specify either the -id or -name parameters');
    const client = this.api(flags);
    if (!client) return 1;
    let role: AclRole | null;
    if (byId !== '') {
      let id: string;
      try {
        id = await roleIdFromPartial(client.acl, byId);
      } catch (e) {
        return this.fail(`Error determining role ID: ${this.message(e)}`);
      }
      try {
        role = await client.acl.roleRead(id);
      } catch (e) {
        return this.fail(`Error reading role ${JSON.stringify(id)}: ${this.message(e)}`);
      }
      if (!role) return this.fail(`Role not found with ID ${JSON.stringify(id)}`);
    } else {
      try {
        role = await client.acl.roleReadByName(name);
      } catch (e) {
        return this.fail(`Error reading role ${JSON.stringify(name)}: ${this.message(e)}`);
      }
      if (!role) return this.fail(`Role not found with name ${JSON.stringify(name)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatRole(role, format, flags.meta));
    return 0;
  }
}
