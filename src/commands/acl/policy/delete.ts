import { AclCommand } from '../../../core/cli/acl/acl-command.js';
import { policyIdByName, policyIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';

/** command/acl/policy/delete/policy_delete.go */
export default class AclPolicyDelete extends AclCommand {
  static override summary = 'Delete an ACL policy';
  static override description = `
Usage: consul acl policy delete [options] -id POLICY

    Deletes an ACL policy by providing either the ID or a unique ID prefix.

    Delete by prefix:

        $ consul acl policy delete -id b6b85

    Delete by full ID:

        $ consul acl policy delete -id b6b856da-5193-4e78-845a-7d61ca8371ba

`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    id: stringFlag('The ID of the policy to delete. It may be specified as a unique ID prefix but will error if the prefix matches multiple policy IDs'),
    name: stringFlag('The name of the policy to delete.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclPolicyDelete.flags);
    if ((flags.id ?? '') === '' && (flags.name ?? '') === '') return this.fail('Must specify either the -id or -name parameters');
    const client = this.api(flags);
    if (!client) return 1;
    let id: string;
    try {
      id = flags.id ? await policyIdFromPartial(client.acl, flags.id) : await policyIdByName(client.acl, flags.name ?? '');
    } catch (e) {
      return this.fail(`Error determining policy ID: ${this.message(e)}`);
    }
    try {
      await client.acl.policyDelete(id);
    } catch (e) {
      return this.fail(`Error deleting policy ${JSON.stringify(id)}: ${this.message(e)}`);
    }
    this.out(`Policy ${JSON.stringify(id)} deleted successfully`);
    return 0;
  }
}
