import { AclCommand, formatFlag, metaFlag, sliceFlag } from '../../../core/cli/acl/acl-command.js';
import { formatRole } from '../../../core/cli/acl/format.js';
import { extractNodeIdentities, extractServiceIdentities, policyIdFromPartial, roleIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import type { AclNodeIdentity, AclRole, AclRoleWrite, AclServiceIdentity } from '../../../core/client/index.js';

/** command/acl/role/update/role_update.go */
export default class AclRoleUpdate extends AclCommand {
  static override summary = 'Update an ACL role';
  static override description = `
Usage: consul acl role update [options]

  Updates a role. By default it will merge the role information with its
  current state so that you do not have to provide all parameters. This
  behavior can be disabled by passing -no-merge.

  Rename the role:

          $ consul acl role update -id abcd -name "better-name"

  Update all editable fields of the role:

          $ consul acl role update -id abcd \\
                                   -name "better-name" \\
                                   -description "replication" \\
                                   -policy-name "token-replication" \\
                                   -service-identity "web"
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('role'),
    id: stringFlag('The ID of the role to update. It may be specified as a unique ID prefix but will error if the prefix matches multiple role IDs'),
    name: stringFlag('The role name.'),
    description: stringFlag('A description of the role'),
    'policy-id': sliceFlag('ID of a policy to use for this role. May be specified multiple times'),
    'policy-name': sliceFlag('Name of a policy to use for this role. May be specified multiple times'),
    'service-identity': sliceFlag(
      'Name of a service identity to use for this role. May be specified multiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...',
    ),
    'node-identity': sliceFlag('Name of a node identity to use for this role. May be specified multiple times. Format is NODENAME:DATACENTER'),
    'no-merge': boolFlag(
      'Do not merge the current role information with what is provided to the command. Instead overwrite all fields with the exception of the role ID which is immutable.',
    ),
    format: formatFlag,
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclRoleUpdate.flags);
    if ((flags.id ?? '') === '') return this.fail('Cannot update a role without specifying the -id parameter');
    const client = this.api(flags);
    if (!client) return 1;
    let id: string;
    try {
      id = await roleIdFromPartial(client.acl, flags.id!);
    } catch (e) {
      return this.fail(`Error determining role ID: ${this.message(e)}`);
    }
    let svc: AclServiceIdentity[];
    let nodes: AclNodeIdentity[];
    try {
      svc = extractServiceIdentities(flags['service-identity'] ?? []);
      nodes = extractNodeIdentities(flags['node-identity'] ?? []);
    } catch (e) {
      return this.fail(this.message(e));
    }
    let current: AclRole | null;
    try {
      current = await client.acl.roleRead(id);
    } catch (e) {
      return this.fail(`Error when retrieving current role: ${this.message(e)}`);
    }
    if (!current) return this.fail(`Role not found with ID ${JSON.stringify(id)}`);
    const policyIds: string[] = [];
    for (const partial of flags['policy-id'] ?? []) {
      try {
        policyIds.push(await policyIdFromPartial(client.acl, partial));
      } catch (e) {
        return this.fail(`Error resolving policy ID ${partial}: ${this.message(e)}`);
      }
    }
    const names = flags['policy-name'] ?? [];
    let r: AclRoleWrite & { ID: string };
    if (flags['no-merge']) {
      const policies = [...names.map((Name) => ({ Name })), ...policyIds.map((ID) => ({ ID }))];
      // Go sends the -id value as given (a prefix stays a prefix).
      r = { ID: flags.id!, Name: flags.name ?? '', Description: flags.description ?? '', ServiceIdentities: svc, NodeIdentities: nodes };
      if (policies.length > 0) r.Policies = policies;
    } else {
      const policies = [...(current.Policies ?? [])] as Array<{ ID?: string; Name?: string }>;
      for (const name of names) if (!policies.some((l) => l.Name === name)) policies.push({ Name: name });
      for (const pid of policyIds) if (!policies.some((l) => l.ID === pid)) policies.push({ ID: pid });
      const svcOut = [...(current.ServiceIdentities ?? [])];
      for (const s of svc) {
        const i = svcOut.findIndex((x) => x.ServiceName === s.ServiceName);
        if (i >= 0) svcOut[i] = s;
        else svcOut.push(s);
      }
      const nodesOut = [...(current.NodeIdentities ?? [])];
      // (sic) Go compares the datacenter with != here, so an identity is added unless the same
      // node name is already linked in another datacenter.
      for (const n of nodes) if (!nodesOut.some((x) => x.NodeName === n.NodeName && x.Datacenter !== n.Datacenter)) nodesOut.push(n);
      r = {
        ...current,
        ID: current.ID || id,
        Name: flags.name ? flags.name : current.Name,
        Description: flags.description ? flags.description : current.Description,
        Policies: policies as AclRoleWrite['Policies'],
        ServiceIdentities: svcOut,
        NodeIdentities: nodesOut,
      };
    }
    let updated;
    try {
      updated = await client.acl.roleUpdate(r);
    } catch (e) {
      return this.fail(`Error updating role ${JSON.stringify(id)}: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatRole(updated, format, flags.meta));
    return 0;
  }
}
