import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags, stringFlag } from '../core/cli/flags.js';
import { COLUMN_DELIM as D, columnize } from '../core/cli/columnize.js';
import type { AgentMember } from '../core/client/index.js';

const STATUS = ['none', 'alive', 'leaving', 'left', 'failed'];

/** serf.MemberStatus(n).String() */
function statusString(n: number): string {
  return STATUS[n] ?? `unknown(${n})`;
}

/** Go's net.TCPAddr{IP, Port}.String(). */
function tcpAddr(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const isDefault = (p: string | undefined): boolean => !p || p === 'default';

/** Servers first, then the default partition, then by segment, partition and name. */
function compareMembers(a: AgentMember, b: AgentMember): number {
  const ta = a.Tags;
  const tb = b.Tags;
  const sa = ta.role === 'consul';
  const sb = tb.role === 'consul';
  if (sa !== sb) return sa ? -1 : 1;
  const da = isDefault(ta.ap);
  const db = isDefault(tb.ap);
  if (da !== db) return da ? -1 : 1;
  const cmp = (x = '', y = ''): number => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(ta.segment, tb.segment) || cmp(ta.ap, tb.ap) || cmp(a.Name, b.Name);
}

function standardRows(members: readonly AgentMember[]): string[] {
  const rows = [['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'].join(D)];
  for (const m of members) {
    const t = m.Tags;
    let build = t.build ?? '';
    if (build === '') build = '< 0.3';
    else if (build.includes(':')) build = build.slice(0, build.indexOf(':'));
    const addr = tcpAddr(m.Addr, m.Port);
    const type = t.role === 'node' ? 'client' : t.role === 'consul' ? 'server' : undefined;
    rows.push(
      type
        ? [m.Name, addr, statusString(m.Status), type, build, t.vsn ?? '', t.dc ?? '', t.ap ?? '', t.segment ?? ''].join(D)
        : [m.Name, addr, statusString(m.Status), 'unknown', '', '', '', '', ''].join(D),
    );
  }
  return rows;
}

function detailedRows(members: readonly AgentMember[]): string[] {
  const rows = [['Node', 'Address', 'Status', 'Tags'].join(D)];
  for (const m of members) {
    const tags = Object.keys(m.Tags)
      .sort()
      .map((k) => `${k}=${m.Tags[k]}`)
      .join(',');
    rows.push([m.Name, tcpAddr(m.Addr, m.Port), statusString(m.Status), tags].join(D));
  }
  return rows;
}

export default class Members extends BaseCommand {
  static override summary = 'Lists the members of a Consul cluster';
  static override description = `
Usage: consul members [options]

  Outputs the members of a running Consul agent.
`;
  static override flags = {
    ...clientFlags,
    partition: stringFlag('Specifies the admin partition to query. If not provided, the admin partition will be inferred from the request\'s ACL token, or will default to the `default` admin partition. Admin Partitions are a Consul Enterprise feature.'),
    detailed: boolFlag('Provides detailed information about nodes.'),
    filter: stringFlag('Filter to use with the request', ''),
    segment: stringFlag('(Enterprise-only) If provided, output is filtered to only nodes inthe given segment.', '_all'),
    status: stringFlag('If provided, output is filtered to only nodes matching the regular expression for status.', '.*'),
    wan: boolFlag('If the agent is in server mode, this can be used to return the other peers in the WAN pool.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(Members.flags);
    let statusRe: RegExp;
    try {
      statusRe = new RegExp(flags.status ?? '.*');
    } catch (e) {
      return this.fail(`Failed to compile status regexp: ${this.message(e)}`);
    }
    const client = this.api(flags);
    if (!client) return 1;
    let members: AgentMember[];
    try {
      members = await client.agent.members({ wan: flags.wan, segment: flags.segment, filter: flags.filter });
    } catch (e) {
      return this.fail(`Error retrieving members: ${this.message(e)}`);
    }
    const segment = flags.segment ?? '_all';
    for (const m of members) {
      m.Tags ??= {};
      if (!m.Tags.ap) m.Tags.ap = 'default';
      if (isDefault(m.Tags.ap)) {
        if (segment === '_all' && m.Tags.role === 'consul') m.Tags.segment = '<all>';
        else if (!m.Tags.segment) m.Tags.segment = '<default>';
      } else {
        m.Tags.segment = '';
      }
    }
    members = members.filter((m) => statusRe.test(statusString(m.Status)));
    if (members.length === 0) return 2;
    members.sort(compareMembers);
    this.out(columnize(flags.detailed ? detailedRows(members) : standardRows(members)));
    return 0;
  }
}
