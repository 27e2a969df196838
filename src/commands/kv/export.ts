import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';
import { goMarshalIndent } from '../../core/cli/go-json.js';

/** command/kv/impexp Entry: lower-case keys; namespace/partition only when set. */
interface ExportEntry {
  key: string;
  flags: number;
  value: string;
  namespace?: string;
  partition?: string;
}

export default class KvExport extends BaseCommand {
  static override summary = 'Exports a tree from the KV store as JSON';
  static override description = `
Usage: consul kv export [KEY_OR_PREFIX]

  Retrieves key-value pairs for the given prefix from Consul's key-value store,
  and writes a JSON representation to stdout. This can be used with the command
  "consul kv import" to move entire trees between Consul clusters.

      $ consul kv export vault

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(KvExport.flags);
    const args = argv;
    if (args.length > 1) return this.fail(`Too many arguments (expected 1, got ${args.length})`);
    const key = (args[0] ?? '').replace(/^\//, '');
    const client = this.api(flags);
    if (!client) return 1;
    let entries: ExportEntry[];
    try {
      entries = (await client.kv.list(key, { allowStale: flags.stale })).map((p) => {
        const e: ExportEntry = { key: p.Key, flags: p.Flags, value: p.Value.toString('base64') };
        if (p.Namespace) e.namespace = p.Namespace;
        if (p.Partition) e.partition = p.Partition;
        return e;
      });
    } catch (e) {
      return this.fail(`Error querying Consul agent: ${this.message(e)}`);
    }
    this.out(goMarshalIndent(entries, '\t'));
    return 0;
  }
}
