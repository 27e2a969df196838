import { readFile } from 'node:fs/promises';
import { BaseCommand } from '../../core/cli/base-command.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';
import { describeFsError } from '../../core/client/errors.js';

export default class SnapshotRestore extends BaseCommand {
  static override summary = 'Restores snapshot of Consul server state';
  static override description = `
Usage: consul snapshot restore [options] FILE

  Restores an atomic, point-in-time snapshot of the state of the Consul servers
  which includes key/value entries, service catalog, prepared queries, sessions,
  and ACLs.

  Restores involve a potentially dangerous low-level Raft operation that is not
  designed to handle server failures during a restore. This command is primarily
  intended to be used when recovering from a disaster, restoring into a fresh
  cluster of Consul servers.

  If ACLs are enabled, a management token must be supplied in order to perform
  snapshot operations.

  To restore a snapshot from the file "backup.snap":

    $ consul snapshot restore backup.snap

  For a full list of options and examples, please see the Consul documentation.
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(SnapshotRestore.flags);
    const args = argv;
    if (args.length === 0) return this.fail('Missing FILE argument');
    if (args.length > 1) return this.fail(`Too many arguments (expected 1, got ${args.length})`);
    const file = args[0]!;
    const client = this.api(flags);
    if (!client) return 1;
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (e) {
      return this.fail(`Error opening snapshot file: ${describeFsError(e, file)}`);
    }
    // The agent verifies the archive (checksums) before touching any state.
    try {
      await client.snapshot.restore(data);
    } catch (e) {
      return this.fail(`Error restoring snapshot: ${this.message(e)}`);
    }
    this.out('Restored snapshot');
    return 0;
  }
}
