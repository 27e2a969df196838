import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../core/cli/base-command.js';
import { boolFlag, intFlag, stringFlag } from '../../core/cli/flags.js';
import { describeFsError } from '../../core/client/errors.js';
import { type InspectInfo, formatInspectJson, formatInspectPretty } from '../../core/cli/snapshot-format.js';

export default class SnapshotInspect extends BaseCommand {
  static override summary = 'Displays information about a Consul snapshot file';
  static override description = `
Usage: consul snapshot inspect [options] FILE

  Displays information about a snapshot file on disk.

  To inspect the file "backup.snap":

    $ consul snapshot inspect backup.snap

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = {
    format: Flags.string({ default: 'pretty', helpValue: 'string', description: 'Output format {pretty|json}' }),
    kvdepth: intFlag(
      'Can only be used with -kvdetails. The key prefix depth used to breakdown KV store data. Defaults to 2.',
      2,
    ),
    kvdetails: boolFlag("Provides a detailed KV space usage breakdown for any KV data that's been stored."),
    kvfilter: stringFlag('Can only be used with -kvdetails. Limits KV key breakdown using this prefix filter.', ''),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(SnapshotInspect.flags);
    const args = argv;
    if (args.length === 0) return this.fail('Missing FILE argument');
    if (args.length > 1) return this.fail(`Too many arguments (expected 1, got ${args.length})`);
    const file = args[0]!;
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (e) {
      return this.fail(`Error opening snapshot file: ${describeFsError(e, file)}`);
    }
    const { readArchive, summarizeState } = await import('../../core/snapshot/index.js');
    let info: InspectInfo;
    try {
      const archive = await readArchive(data);
      const stats = summarizeState(archive.state).map((s) => ({ Name: s.type, Sum: s.size, Count: s.count }));
      const m = archive.meta;
      info = {
        Meta: { ID: m.ID, Size: m.Size, Index: m.Index, Term: m.Term, Version: m.Version },
        Stats: stats,
        TotalSize: stats.reduce((n, s) => n + s.Sum, 0),
      };
    } catch (e) {
      return this.fail(`Error reading snapshot: ${this.message(e)}`);
    }
    if (flags.format === 'json') {
      this.out(formatInspectJson(info));
      return 0;
    }
    if (flags.format !== 'pretty') return this.fail(`Error outputting enhanced snapshot data: Unknown format: ${flags.format}`);
    this.out(formatInspectPretty(info));
    return 0;
  }
}
