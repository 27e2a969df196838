import { AclCommand, formatFlag, metaFlag } from '../../../core/cli/acl/acl-command.js';
import { formatRoleList } from '../../../core/cli/acl/format.js';
import { clientFlags, serverFlags } from '../../../core/cli/flags.js';

/** command/acl/role/list/role_list.go */
export default class AclRoleList extends AclCommand {
  static override summary = 'Lists ACL roles';
  static override description = `
Usage: consul acl role list [options]

    Lists all the ACL roles.

    Example:

        $ consul acl role list
`;
  // (sic) Consul's role list describes -meta as "policy metadata".
  static override flags = { ...clientFlags, ...serverFlags, meta: metaFlag('policy'), format: formatFlag };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclRoleList.flags);
    const client = this.api(flags);
    if (!client) return 1;
    let roles;
    try {
      roles = await client.acl.roleList();
    } catch (e) {
      return this.fail(`Failed to retrieve the role list: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatRoleList(roles, format, flags.meta));
    return 0;
  }
}
