import { Flags } from '@oclif/core';
import { AclCommand, formatFlag, metaFlag, sliceFlag } from '../../../core/cli/acl/acl-command.js';
import { formatToken } from '../../../core/cli/acl/format.js';
import { parseGoDuration } from '../../../core/cli/acl/go-values.js';
import { extractNodeIdentities, extractServiceIdentities, policyIdFromPartial, roleIdFromPartial } from '../../../core/cli/acl/lookup.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import type { AclLinkRef, AclTokenWrite } from '../../../core/client/index.js';

/** command/acl/token/create/token_create.go */
export default class AclTokenCreate extends AclCommand {
  static override summary = 'Create an ACL token';
  static override description = `
Usage: consul acl token create [options]

  When creating a new token policies may be linked using either the -policy-id
  or the -policy-name options. When specifying policies by IDs you may use a
  unique prefix of the UUID as a shortcut for specifying the entire UUID.

  Create a new token:

          $ consul acl token create -description "Replication token" \\
                                    -policy-id b52fc3de-5 \\
                                    -policy-name "acl-replication" \\
                                    -role-id c630d4ef-6 \\
                                    -role-name "db-updater" \\
                                    -service-identity "web" \\
                                    -service-identity "db:east,west"
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    accessor: stringFlag('Create the token with this Accessor ID. It must be a UUID. If not specified one will be auto-generated'),
    secret: stringFlag('Create the token with this Secret ID. It must be a UUID. If not specified one will be auto-generated'),
    meta: metaFlag('token'),
    local: boolFlag('Create this as a datacenter local token'),
    description: stringFlag('A description of the token'),
    'policy-id': sliceFlag('ID of a policy to use for this token. May be specified multiple times'),
    'policy-name': sliceFlag('Name of a policy to use for this token. May be specified multiple times'),
    'role-id': sliceFlag('ID of a role to use for this token. May be specified multiple times'),
    'role-name': sliceFlag('Name of a role to use for this token. May be specified multiple times'),
    'service-identity': sliceFlag(
      'Name of a service identity to use for this token. May be specified multiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...',
    ),
    'node-identity': sliceFlag('Name of a node identity to use for this token. May be specified multiple times. Format is NODENAME:DATACENTER'),
    'expires-ttl': Flags.string({ description: 'Duration of time this token should be valid for', helpValue: 'duration', default: '0s' }),
    format: formatFlag,
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclTokenCreate.flags);
    const ttl = parseGoDuration(flags['expires-ttl']);
    if (ttl === undefined) return this.badFlagValue('expires-ttl', flags['expires-ttl']);
    const policyIds = flags['policy-id'] ?? [];
    const policyNames = flags['policy-name'] ?? [];
    const roleIds = flags['role-id'] ?? [];
    const roleNames = flags['role-name'] ?? [];
    const serviceIdents = flags['service-identity'] ?? [];
    const nodeIdents = flags['node-identity'] ?? [];
    if (policyIds.length + policyNames.length + roleIds.length + roleNames.length + serviceIdents.length + nodeIdents.length === 0) {
      return this.fail(
        'Cannot create a token without specifying -policy-name, -policy-id, -role-name, -role-id, -service-identity, or -node-identity at least once',
      );
    }
    const client = this.api(flags);
    if (!client) return 1;
    const token: AclTokenWrite = {
      Description: flags.description ?? '',
      Local: flags.local,
      AccessorID: flags.accessor ?? '',
      SecretID: flags.secret ?? '',
    };
    if (ttl > 0) token.ExpirationTTL = ttl;
    try {
      const svc = extractServiceIdentities(serviceIdents);
      if (svc.length > 0) token.ServiceIdentities = svc;
      const nodes = extractNodeIdentities(nodeIdents);
      if (nodes.length > 0) token.NodeIdentities = nodes;
    } catch (e) {
      return this.fail(this.message(e));
    }
    const policies: AclLinkRef[] = policyNames.map((Name) => ({ Name }));
    for (const partial of policyIds) {
      try {
        policies.push({ ID: await policyIdFromPartial(client.acl, partial) });
      } catch (e) {
        return this.fail(`Error resolving policy ID ${partial}: ${this.message(e)}`);
      }
    }
    const roles: AclLinkRef[] = roleNames.map((Name) => ({ Name }));
    for (const partial of roleIds) {
      try {
        roles.push({ ID: await roleIdFromPartial(client.acl, partial) });
      } catch (e) {
        return this.fail(`Error resolving role ID ${partial}: ${this.message(e)}`);
      }
    }
    if (policies.length > 0) token.Policies = policies;
    if (roles.length > 0) token.Roles = roles;
    let created;
    try {
      created = await client.acl.tokenCreate(token);
    } catch (e) {
      return this.fail(`Failed to create new token: ${this.message(e)}`);
    }
    const format = this.format(flags.format);
    if (!format) return 1;
    this.info(formatToken(created, format, flags.meta));
    return 0;
  }
}
