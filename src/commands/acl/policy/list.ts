import { AclCommand, formatFlag, metaFlag } from '../../../core/cli/acl/acl-command.js';
import { formatPolicyList } from '../../../core/cli/acl/format.js';
import { clientFlags, serverFlags } from '../../../core/cli/flags.js';

/** command/acl/policy/list/policy_list.go */
export default class AclPolicyList extends AclCommand {
  static override summary = 'Lists ACL policies';
  static override description = `
Usage: consul acl policy list [options]

    Lists all the ACL policies

    Example:

        $ consul acl policy list
`;
  static override flags = { ...clientFlags, ...serverFlags, meta: metaFlag('policy'), format: formatFlag };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclPolicyList.flags);
    const client = this.api(flags);
    if (!client) return 1;
    let policies;
    try {
      policies = await client.acl.policyList();
    } catch (e) {
      return this.fail(`Failed to retrieve the policy list: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatPolicyList(policies, format, flags.meta));
    return 0;
  }
}
