import { AclCommand, RULES_USAGE, formatFlag, metaFlag, sliceFlag } from '../../../core/cli/acl/acl-command.js';
import { formatPolicy } from '../../../core/cli/acl/format.js';
import { loadDataSource, policyIdByName, policyIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import type { AclPolicyWrite } from '../../../core/client/index.js';

/** command/acl/policy/update/policy_update.go */
export default class AclPolicyUpdate extends AclCommand {
  static override summary = 'Update an ACL policy';
  static override description = `
Usage: consul acl policy update [options]

  Updates a policy. By default it will merge the policy information with its
  current state so that you do not have to provide all parameters. This
  behavior can be disabled by passing -no-merge.

  Rename the policy:

          $ consul acl policy update -id abcd -name "better-name"

  Override all policy attributes:

          # this will remove any datacenter scope if provided and will remove
          # the description
          $consul acl policy update -id abcd -name "better-name" -rules @rules.hcl
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('policy'),
    id: stringFlag('The ID of the policy to update. It may be specified as a unique ID prefix but will error if the prefix matches multiple policy IDs'),
    name: stringFlag('The policies name.'),
    description: stringFlag('A description of the policy'),
    'valid-datacenter': sliceFlag('Datacenter that the policy should be valid within. This flag may be specified multiple times'),
    rules: stringFlag(RULES_USAGE),
    'no-merge': boolFlag(
      'Do not merge the current policy information with what is provided to the command. Instead overwrite all fields with the exception of the policy ID which is immutable.',
    ),
    format: formatFlag,
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclPolicyUpdate.flags);
    if ((flags.id ?? '') === '' && (flags.name ?? '') === '') return this.fail('Must specify either the -id or -name parameters');
    const client = this.api(flags);
    if (!client) return 1;
    let id: string;
    try {
      id = flags.id ? await policyIdFromPartial(client.acl, flags.id) : await policyIdByName(client.acl, flags.name ?? '');
    } catch (e) {
      return this.fail(`Error determining policy ID: ${this.message(e)}`);
    }
    let rules: string;
    try {
      rules = await loadDataSource(flags.rules ?? '');
    } catch (e) {
      return this.fail(`Error loading data source: ${this.message(e)}`);
    }
    const dcs = flags['valid-datacenter'];
    let updated: AclPolicyWrite & { ID: string };
    if (flags['no-merge']) {
      updated = { ID: id, Name: flags.name ?? '', Description: flags.description ?? '', Datacenters: dcs ?? null, Rules: rules };
    } else {
      let p;
      try {
        p = await client.acl.policyRead(id);
      } catch (e) {
        return this.fail(`Error reading policy ${JSON.stringify(id)}: ${this.message(e)}`);
      }
      // Go's flags.Visit: only flags given on the command line replace the current values.
      updated = {
        ID: id,
        Name: flags.name !== undefined ? flags.name : p.Name,
        Description: flags.description !== undefined ? flags.description : p.Description,
        Datacenters: dcs !== undefined ? dcs : p.Datacenters,
        Rules: flags.rules !== undefined ? rules : p.Rules,
      };
    }
    let policy;
    try {
      policy = await client.acl.policyUpdate(updated);
    } catch (e) {
      return this.fail(`Error updating policy ${JSON.stringify(id)}: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatPolicy(policy, format, flags.meta));
    return 0;
  }
}
