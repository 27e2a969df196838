import { AclCommand, formatFlag, metaFlag, sliceFlag } from '../../../core/cli/acl/acl-command.js';
import { formatToken } from '../../../core/cli/acl/format.js';
import { ttlNanos } from '../../../core/cli/acl/go-values.js';
import {
  extractNodeIdentities,
  extractServiceIdentities,
  policyIdFromPartial,
  roleIdFromPartial,
  tokenAccessorIdFromPartial,
} from '../../../core/cli/acl/lookup.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../../../core/cli/flags.js';
import type { AclApi, AclLinkRef, AclNodeIdentity, AclServiceIdentity, AclToken } from '../../../core/client/index.js';

type Link = { ID?: string; Name?: string };

/** command/acl/token/update/token_update.go */
export default class AclTokenUpdate extends AclCommand {
  static override summary = 'Update an ACL token';
  static override description = `
Usage: consul acl token update [options]

    This command will update a token. Some parts such as marking the token local
    cannot be changed.

    Update a token description and take the policies from the existing token:

        $ consul acl token update -accessor-id abcd -description "replication" -merge-policies

    Update all editable fields of the token:

        $ consul acl token update -accessor-id abcd \\
                                  -description "replication" \\
                                  -policy-name "token-replication" \\
                                  -role-name "db-updater"
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    meta: metaFlag('token'),
    'accessor-id': stringFlag(
      'The Accessor ID of the token to update. It may be specified as a unique ID prefix but will error if the prefix matches multiple token Accessor IDs',
    ),
    description: stringFlag('A description of the token'),
    'policy-id': sliceFlag('ID of a policy to use for this token. Overwrites existing policies. May be specified multiple times'),
    'append-policy-id': sliceFlag('ID of a policy to use for this token. The token retains existing policies. May be specified multiple times'),
    'policy-name': sliceFlag('Name of a policy to use for this token. Overwrites existing policies. May be specified multiple times'),
    'append-policy-name': sliceFlag('Name of a policy to add to this token. The token retains existing policies. May be specified multiple times'),
    'role-id': sliceFlag('ID of a role to use for this token. Overwrites existing roles. May be specified multiple times'),
    'role-name': sliceFlag('Name of a role to use for this token. Overwrites existing roles. May be specified multiple times'),
    'append-role-id': sliceFlag('ID of a role to add to this token. The token retains existing roles. May be specified multiple times'),
    'append-role-name': sliceFlag('Name of a role to add to this token. The token retains existing roles. May be specified multiple times'),
    'service-identity': sliceFlag(
      'Name of a service identity to use for this token. May be specified multiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...',
    ),
    'append-service-identity': sliceFlag(
      'Name of a service identity to use for this token. This token retains existing service identities. May be specifiedmultiple times. Format is the SERVICENAME or SERVICENAME:DATACENTER1,DATACENTER2,...',
    ),
    'node-identity': sliceFlag('Name of a node identity to use for this token. May be specified multiple times. Format is NODENAME:DATACENTER'),
    'append-node-identity': sliceFlag(
      'Name of a node identity to use for this token. This token retains existing node identities. May be specified multiple times. Format is NODENAME:DATACENTER',
    ),
    format: formatFlag,
    id: stringFlag('DEPRECATED. Use -accessor-id instead.'),
    'merge-policies': boolFlag('DEPRECATED. Use -append-policy-id or -append-policy-name instead.'),
    'merge-roles': boolFlag('DEPRECATED. Use -append-role-id or -append-role-name instead.'),
    'merge-service-identities': boolFlag('DEPRECATED. Use -append-service-identity instead.'),
    'merge-node-identities': boolFlag('DEPRECATED. Use -append-node-identity instead.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(AclTokenUpdate.flags);
    const list = (name: keyof typeof flags): string[] => (flags[name] as string[] | undefined) ?? [];
    let accessor = flags['accessor-id'] ?? '';
    if (accessor === '') {
      if ((flags.id ?? '') === '') return this.fail('Cannot update a token without specifying the -accessor-id parameter');
      accessor = flags.id!;
      this.err('Use the -accessor-id parameter to specify token by Accessor ID');
    }
    const client = this.api(flags);
    if (!client) return 1;
    let id: string;
    try {
      id = await tokenAccessorIdFromPartial(client.acl, accessor);
    } catch (e) {
      return this.fail(`Error determining token ID: ${this.message(e)}`);
    }
    let t: AclToken;
    try {
      t = await client.acl.tokenRead(id);
    } catch (e) {
      return this.fail(`Error when retrieving current token: ${this.message(e)}`);
    }
    if ((flags.description ?? '') !== '') t.Description = flags.description!;

    const appendSvc = list('append-service-identity');
    if (appendSvc.length > 0 && list('service-identity').length > 0) {
      return this.fail(
        'Cannot combine the use of service-identity flag with append-service-identity. To set or overwrite existing service identities, use -service-identity. To append to existing service identities, use -append-service-identity.',
      );
    }
    const appendNode = list('append-node-identity');
    let svc: AclServiceIdentity[];
    let nodes: AclNodeIdentity[];
    try {
      svc = extractServiceIdentities(appendSvc.length > 0 ? appendSvc : list('service-identity'));
      if (appendNode.length > 0 && list('node-identity').length > 0) {
        return this.fail(
          'Cannot combine the use of node-identity flag with append-node-identity. To set or overwrite existing node identities, use -node-identity. To append to existing node identities, use -append-node-identity.',
        );
      }
      nodes = extractNodeIdentities(appendNode.length > 0 ? appendNode : list('node-identity'));
    } catch (e) {
      return this.fail(this.message(e));
    }

    let policies: Link[] = [...(t.Policies ?? [])];
    let roles: Link[] = [...(t.Roles ?? [])];
    const resolve = async (kind: 'policy' | 'role', partial: string): Promise<string> =>
      kind === 'policy' ? policyIdFromPartial(client.acl, partial) : roleIdFromPartial(client.acl, partial);
    for (const kind of ['policy', 'role'] as const) {
      const merge = kind === 'policy' ? flags['merge-policies'] : flags['merge-roles'];
      const ids = list(`${kind}-id`);
      const names = list(`${kind}-name`);
      const appendIds = list(`append-${kind}-id`);
      const appendNames = list(`append-${kind}-name`);
      let current = kind === 'policy' ? policies : roles;
      if (merge) {
        const what = kind === 'policy' ? 'policies' : 'roles';
        this.err(`merge-${what} is deprecated and will be removed in a future Consul version. Use \`append-${kind}-name\` or \`append-${kind}-id\` instead.`);
        for (const name of names) if (!current.some((l) => l.Name === name)) current.push({ Name: name });
        for (const partial of ids) {
          let pid: string;
          try {
            pid = await resolve(kind, partial);
          } catch (e) {
            return this.fail(`Error resolving ${kind} ID ${partial}: ${this.message(e)}`);
          }
          // (sic) Go's merge path for roles links the resolved ID by Name.
          if (!current.some((l) => l.ID === pid)) current.push(kind === 'policy' ? { ID: pid } : { Name: pid });
        }
      } else {
        const hasSet = ids.length + names.length > 0;
        if (hasSet && appendIds.length + appendNames.length > 0) {
          const P = kind === 'policy' ? 'policies' : 'roles';
          return this.fail(
            `Cannot combine the use of ${kind}-id/${kind}-name flags with append- variants. To set or overwrite existing ${P}, use -${kind}-id or -${kind}-name. To append to existing ${P}, use -append-${kind}-id or -append-${kind}-name.`,
          );
        }
        if (hasSet) current = [];
        for (const name of hasSet ? names : appendNames) current.push({ Name: name });
        for (const partial of hasSet ? ids : appendIds) {
          try {
            current.push({ ID: await resolve(kind, partial) });
          } catch (e) {
            return this.fail(`Error resolving ${kind} ID ${partial}: ${this.message(e)}`);
          }
        }
      }
      if (kind === 'policy') policies = current;
      else roles = current;
    }

    let svcOut: AclServiceIdentity[] = svc;
    if (flags['merge-service-identities'] || appendSvc.length > 0) {
      svcOut = [...(t.ServiceIdentities ?? [])];
      for (const s of svc) {
        const i = svcOut.findIndex((x) => x.ServiceName === s.ServiceName);
        if (i >= 0) svcOut[i] = s;
        else svcOut.push(s);
      }
    }
    let nodesOut: AclNodeIdentity[] = nodes;
    if (flags['merge-node-identities'] || appendNode.length > 0) {
      nodesOut = [...(t.NodeIdentities ?? [])];
      for (const n of nodes) if (!nodesOut.some((x) => x.NodeName === n.NodeName && x.Datacenter === n.Datacenter)) nodesOut.push(n);
    }
    return this.send(client.acl, t, id, policies, roles, svcOut, nodesOut, flags.format, flags.meta);
  }

  private async send(
    acl: AclApi,
    t: AclToken,
    id: string,
    policies: Link[],
    roles: Link[],
    svc: AclServiceIdentity[],
    nodes: AclNodeIdentity[],
    formatName: string,
    meta: boolean,
  ): Promise<number> {
    const ttl = ttlNanos(t.ExpirationTTL);
    const body = {
      ...t,
      AccessorID: t.AccessorID || id,
      Policies: policies as AclLinkRef[],
      Roles: roles as AclLinkRef[],
      ServiceIdentities: svc,
      NodeIdentities: nodes,
      ...(ttl ? { ExpirationTTL: ttl } : { ExpirationTTL: undefined }),
    };
    let updated: AclToken;
    try {
      updated = await acl.tokenUpdate(body);
    } catch (e) {
      return this.fail(`Failed to update token ${id}: ${this.message(e)}`);
    }
    const format = this.format(formatName);
    if (!format) return 1;
    this.info(formatToken(updated, format, meta));
    return 0;
  }
}
