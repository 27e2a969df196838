import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';
import { columnize } from '../../core/cli/columnize.js';
import type { ApiClient, Intention } from '../../core/client/index.js';

/** Go's time.RFC850 in local time: "Monday, 02-Jan-06 15:04:05 MST". */
function rfc850(iso: string | undefined): string {
  const d = iso ? new Date(iso) : new Date(0);
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  const zone = Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? 'UTC';
  return `${days[d.getDay()]}, ${p(d.getDate())}-${months[d.getMonth()]}-${p(d.getFullYear() % 100)} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone}`;
}

/** Consul: intention.GetFromArgs: one ID or SRC DST. */
export async function intentionFromArgs(client: ApiClient, args: string[]): Promise<Intention> {
  if (args.length === 1) {
    const ixn = await client.connect.intentionGet(args[0] as string);
    if (!ixn) throw new Error('Intention not found with the given ID');
    return ixn;
  }
  if (args.length === 2) {
    const ixn = await client.connect.intentionGetExact(args[0] as string, args[1] as string);
    if (!ixn) throw new Error(`Intention with source "${args[0] ?? ''}" and destination "${args[1] ?? ''}" not found.`);
    return ixn;
  }
  throw new Error('command requires exactly 1 or 2 arguments');
}

export default class IntentionGet extends BaseCommand {
  static override summary = 'Show information about an intention.';
  static override description = `
Usage: consul intention get [options] SRC DST
Usage: consul intention get [options] ID

  Read and show the details about an intention. The intention can be looked
  up via an exact source/destination match or via the unique intention ID.

      $ consul intention get web db
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(IntentionGet.flags);
    const client = this.api(flags);
    if (!client) return 1;
    let ixn: Intention;
    try {
      ixn = await intentionFromArgs(client, argv);
    } catch (e) {
      return this.fail(this.message(e));
    }
    const rows = [`Source:\x1f${ixn.SourceName}`, `Destination:\x1f${ixn.DestinationName}`];
    if (ixn.Action) rows.push(`Action:\x1f${ixn.Action}`);
    if (ixn.ID) rows.push(`ID:\x1f${ixn.ID}`);
    if (ixn.Description) rows.push(`Description:\x1f${ixn.Description}`);
    for (const k of Object.keys(ixn.Meta ?? {}).sort()) rows.push(`Meta[${k}]:\x1f${ixn.Meta?.[k] ?? ''}`);
    rows.push(`Created At:\x1f${rfc850(ixn.CreatedAt)}`);
    this.out(columnize(rows));
    if (ixn.Permissions && ixn.Permissions.length > 0) this.out('Permissions:\n' + JSON.stringify(ixn.Permissions, null, 2));
    return 0;
  }
}
