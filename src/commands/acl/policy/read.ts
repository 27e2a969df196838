import { AclCommand, formatFlag, metaFlag } from '../../../core/cli/acl/acl-command.js';
import { formatPolicy } from '../../../core/cli/acl/format.js';
import { policyIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import type { AclPolicy } from '../../../core/client/index.js';

/** command/acl/policy/read/policy_read.go */
export default class AclPolicyRead extends AclCommand {
  static override summary = 'Read an ACL policy';
  static override description = `
Usage: consul acl policy read [options] POLICY

    This command will retrieve and print out the details
    of a single policy.

    Read:

        $ consul acl policy read -id fdabbcb5-9de5-4b1a-961f-77214ae88cba

    Read by name:

        $ consul acl policy read -name my-policy

`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('policy'),
    id: stringFlag('The ID of the policy to read. It may be specified as a unique ID prefix but will error if the prefix matches multiple policy IDs'),
    name: stringFlag('The name of the policy to read.'),
    format: formatFlag,
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclPolicyRead.flags);
    const byId = flags.id ?? '';
    const name = flags.name ?? '';
    if (byId === '' && name === '') return this.fail('Must specify either the -id or -name parameters');
    const client = this.api(flags);
    if (!client) return 1;
    let policyId = '';
    let policy: AclPolicy | null;
    try {
      if (byId !== '') {
        try {
          policyId = await policyIdFromPartial(client.acl, byId);
        } catch (e) {
          return this.fail(`Error determining policy ID: ${this.message(e)}`);
        }
        policy = await client.acl.policyRead(policyId);
      } else {
        try {
          policy = await client.acl.policyReadByName(name);
        } catch (e) {
          throw new Error(`Failed to find policy with name ${name}: ${this.message(e)}`);
        }
      }
    } catch (e) {
      const arg = byId !== '' ? `id:${policyId}` : `name:${name}`;
      return this.fail(`Error reading policy ${JSON.stringify(arg)}: ${this.message(e)}`);
    }
    if (!policy) return this.fail(`Error policy not found: ${name}`);
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatPolicy(policy, format, flags.meta));
    return 0;
  }
}
