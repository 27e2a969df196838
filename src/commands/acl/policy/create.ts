import { AclCommand, RULES_USAGE, formatFlag, metaFlag, sliceFlag } from '../../../core/cli/acl/acl-command.js';
import { formatPolicy } from '../../../core/cli/acl/format.js';
import { loadDataSource } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import { type CommandSpec, commandHelp } from '../../../core/cli/help.js';

/** command/acl/policy/create/policy_create.go */
export default class AclPolicyCreate extends AclCommand {
  static override summary = 'Create an ACL policy';
  static override description = `
Usage: consul acl policy create -name NAME [options]

    The -rules option values allows loading the value from stdin, a file 
    or the raw value. To use stdin pass '-' as the value. To load the value 
    from a file prefix the value with an '@'. Any other values will be used 
    directly.

    Create a new policy:

        $ consul acl policy create -name "new-policy" \\
                                   -description "This is an example policy" \\
                                   -datacenter "dc1" \\
                                   -datacenter "dc2" \\
                                   -rules @rules.hcl
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('policy'),
    name: stringFlag("The new policy's name. This flag is required."),
    description: stringFlag('A description of the policy'),
    'valid-datacenter': sliceFlag('Datacenter that the policy should be valid within. This flag may be specified multiple times'),
    rules: stringFlag(RULES_USAGE),
    format: formatFlag,
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclPolicyCreate.flags);
    if ((flags.name ?? '') === '') {
      this.err("Missing require '-name' flag");
      const spec = this.config.findCommand(this.id ?? '');
      if (spec) this.err(commandHelp(spec as unknown as CommandSpec));
      return 1;
    }
    const client = this.api(flags);
    if (!client) return 1;
    let rules: string;
    try {
      rules = await loadDataSource(flags.rules ?? '');
    } catch (e) {
      return this.fail(`Error loading rules: ${this.message(e)}`);
    }
    const dcs = flags['valid-datacenter'] ?? [];
    let policy;
    try {
      policy = await client.acl.policyCreate({
        Name: flags.name!,
        Description: flags.description ?? '',
        Datacenters: dcs.length > 0 ? dcs : null,
        Rules: rules,
      });
    } catch (e) {
      return this.fail(`Failed to create new policy: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatPolicy(policy, format, flags.meta));
    return 0;
  }
}
