import { AclCommand, formatFlag, metaFlag, sliceFlag } from '../../../core/cli/acl/acl-command.js';
import { formatRole } from '../../../core/cli/acl/format.js';
import { extractNodeIdentities, extractServiceIdentities, policyIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import { type CommandSpec, commandHelp } from '../../../core/cli/help.js';
import type { AclLinkRef, AclRoleWrite } from '../../../core/client/index.js';

/** command/acl/role/create/role_create.go */
export default class AclRoleCreate extends AclCommand {
  static override summary = 'Create an ACL role';
  static override description = `
Usage: consul acl role create -name NAME [options]

    Create a new role:

        $ consul acl role create -name "new-role" \\
                                 -description "This is an example role" \\
                                 -policy-id b52fc3de-5 \\
                                 -policy-name "acl-replication" \\
                                 -service-identity "web" \\
                                 -service-identity "db:east,west"
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('role'),
    name: stringFlag("The new role's name. This flag is required."),
    description: stringFlag('A description of the role'),
    'policy-id': sliceFlag('ID of a policy to use for this role. May be specified multiple times'),
    'policy-name': sliceFlag('Name of a policy to use for this role. May be specified multiple times'),
    'service-identity': sliceFlag(
      'Name of a service identity to use for this role. May be specified multiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...',
    ),
    'node-identity': sliceFlag('Name of a node identity to use for this role. May be specified multiple times. Format is NODENAME:DATACENTER'),
    format: formatFlag,
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclRoleCreate.flags);
    if ((flags.name ?? '') === '') {
      this.err("Missing require '-name' flag");
      const spec = this.config.findCommand(this.id ?? '');
      if (spec) this.err(commandHelp(spec as unknown as CommandSpec));
      return 1;
    }
    const policyIds = flags['policy-id'] ?? [];
    const policyNames = flags['policy-name'] ?? [];
    const svcRaw = flags['service-identity'] ?? [];
    const nodeRaw = flags['node-identity'] ?? [];
    if (policyIds.length + policyNames.length + svcRaw.length + nodeRaw.length === 0) {
      return this.fail('Cannot create a role without specifying -policy-name, -policy-id, -service-identity, or -node-identity at least once');
    }
    const client = this.api(flags);
    if (!client) return 1;
    const role: AclRoleWrite = { Name: flags.name!, Description: flags.description ?? '' };
    const policies: AclLinkRef[] = policyNames.map((Name) => ({ Name }));
    for (const partial of policyIds) {
      try {
        policies.push({ ID: await policyIdFromPartial(client.acl, partial) });
      } catch (e) {
        return this.fail(`Error resolving policy ID ${partial}: ${this.message(e)}`);
      }
    }
    if (policies.length > 0) role.Policies = policies;
    try {
      const svc = extractServiceIdentities(svcRaw);
      if (svc.length > 0) role.ServiceIdentities = svc;
      const nodes = extractNodeIdentities(nodeRaw);
      if (nodes.length > 0) role.NodeIdentities = nodes;
    } catch (e) {
      return this.fail(this.message(e));
    }
    let created;
    try {
      created = await client.acl.roleCreate(role);
    } catch (e) {
      return this.fail(`Failed to create new role: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatRole(created, format, flags.meta));
    return 0;
  }
}
